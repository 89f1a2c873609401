"""Public pages: home, artist, post."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from posts.models import Artist, Post

PAGE_SIZE = 12


class HomeView(ListView):
    template_name = "posts/home.html"
    context_object_name = "posts"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Post.objects.visible_to(self.request.user).select_related("artist")


class ArtistView(ListView):
    template_name = "posts/artist_detail.html"
    context_object_name = "posts"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.artist = get_object_or_404(Artist, slug=self.kwargs["slug"])
        return (
            Post.objects.visible_to(self.request.user)
            .filter(artist=self.artist)
            .select_related("artist")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(artist=self.artist, **kwargs)


def post_detail(request, artist_slug: str, slug: str):
    post = get_object_or_404(
        Post.objects.select_related("artist"), artist__slug=artist_slug, slug=slug
    )
    can_edit = post.artist.has_member(request.user) or request.user.is_staff
    if not can_edit and not Post.objects.visible_to(request.user).filter(pk=post.pk).exists():
        # Drafts, future posts and followers-only posts are not there for others.
        raise Http404("No post here.")
    return render(request, "posts/post_detail.html", {"post": post, "can_edit": can_edit})
