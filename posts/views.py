"""Public pages: home, artist, post (with its comments and player), and mix audio."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template import RequestContext
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from posts import pagecache
from posts.forms import CommentForm
from posts.models import Artist, Comment, CommentFlag, HubSettings, Mix, Post
from posts.preferences import post_feedback
from posts.ranges import file_response
from posts.threads import comment_run, thread_page

PAGE_SIZE = 12


def with_comment_counts(posts):
    """Cards' extras: the comment count, and for a mix the version the player opens
    with: its waveform (shown without a cover) and what the card's play button needs
    (subqueries: no query per card)."""
    approved = Q(comments__status=Comment.Status.APPROVED, comments__is_removed=False)
    current = Mix.objects.filter(post=OuterRef("pk")).order_by("-order", "-pk")
    # GROUP BY drops the model's default ordering, so it is restated.
    return posts.annotate(
        comment_count=Count("comments", filter=approved),
        waveform=Subquery(current.values("waveform")[:1]),
        mix_id=Subquery(current.values("pk")[:1]),
        mix_format=Subquery(current.values("format")[:1]),
    ).order_by("-published_at", "-pk")


class HomeView(ListView):
    """With one artist (the common case) the home page is their page; with several
    (a label, a collective) it lists them above everyone's newest posts."""

    template_name = "posts/home.html"
    context_object_name = "posts"
    paginate_by = PAGE_SIZE

    def get(self, request, *args, **kwargs):
        only = Artist.objects.hub_artist(request)
        if only is not None:
            return ArtistView.as_view(is_home=True)(request, slug=only.slug)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return with_comment_counts(
            Post.objects.listed_for(self.request.user).select_related("artist")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(artists=Artist.objects.all(), **kwargs)


class ArtistView(ListView):
    template_name = "posts/artist_detail.html"
    context_object_name = "posts"
    paginate_by = PAGE_SIZE
    is_home = False

    def get_queryset(self):
        self.artist = get_object_or_404(
            Artist.objects.annotate(follower_count=Count("follows")), slug=self.kwargs["slug"]
        )
        return with_comment_counts(
            Post.objects.listed_for(self.request.user)
            .filter(artist=self.artist)
            .select_related("artist")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(artist=self.artist, is_home=self.is_home, **kwargs)


def readable_post_or_404(request, artist_slug: str, slug: str) -> tuple[Post, bool]:
    """The post and whether the user may edit it. Drafts and future posts are 404
    for everyone but whoever acts for the artist (`Artist.has_member`)."""
    post = Post.at(artist_slug, slug)
    if post is None:
        raise Http404("No post here.")
    can_edit = post.artist.has_member(request.user)
    if not can_edit and not post.is_live:
        raise Http404("No post here.")
    return post, can_edit


def render_post(request, post: Post, can_edit: bool, form=None, status: int = 200):
    """The post page; also re-rendered with a rejected comment form, text kept."""
    user = request.user
    if not can_edit and not post.is_visible_to(user):
        # Followers-only: a "follow to read" page, never the content.
        return render(request, "posts/post_locked.html", {"post": post}, status=403)
    hub = HubSettings.load()
    mixes = list(post.mixes.all()) if post.kind == Post.Kind.MIX else []
    page = thread_page(post, user, can_edit, request.GET.get("comments"))
    closed = post.comments_closed_reason(hub)
    pagecache.expire_by(request, post.comments_close_at(hub))
    # Comments this reader flagged show "Flagged" instead of the button.
    flagged = (
        set(
            CommentFlag.objects.filter(user=user, comment__post=post).values_list(
                "comment_id", flat=True
            )
        )
        if user.is_authenticated
        else set()
    )
    # The player opens with the last version; comments on others say which.
    current_mix = mixes[-1] if mixes else None
    if form is None and not closed and user.is_authenticated and user.can_participate:
        form = CommentForm(post=post, mixes=mixes)
    reader = {
        "comment_form": form,
        "flagged": flagged,
        "can_moderate": can_edit,
        "now": timezone.now(),
    }
    with comment_actions(request, reader) as actions:
        run = comment_run(page, post, mixes, current_mix, actions)
    return render(
        request,
        "posts/post_detail.html",
        {
            "post": post,
            "can_edit": can_edit,
            "comment_page": page,
            "comment_run": run,
            "comment_form": form,
            "comments_closed": closed,
            "hub": hub,
            "mixes": mixes,
            "current_mix": current_mix,
            # The reader's own preferred version, or the artist's tally (signed-in
            # readers only: anonymous pages, which are cached, carry none of it).
            "feedback": post_feedback(request, post, mixes, can_edit),
        },
        status=status,
    )


@contextmanager
def comment_actions(request, context: dict) -> Iterator[Callable[[Comment], str] | None]:
    """What this reader may do with each comment (posts/_comment_actions.html), or None
    for readers not signed in, who may do nothing. One context for the whole page: its
    context processors run once, not once a comment."""
    if not request.user.is_authenticated:
        yield None
        return
    template = get_template("posts/_comment_actions.html").template
    bound = RequestContext(request, context)

    def actions(comment: Comment) -> str:
        with bound.push(comment=comment):
            return template.render(bound)

    with bound.bind_template(template):
        yield actions


def post_detail(request, artist_slug: str, slug: str):
    post, can_edit = readable_post_or_404(request, artist_slug, slug)
    return render_post(request, post, can_edit)


def check_listener(request, mix: Mix) -> None:
    """Only whoever may read a version's post may hear it or see its waveform."""
    post, user = mix.post, request.user
    if not (post.is_visible_to(user) or post.artist.has_member(user)):
        if not post.is_live:
            raise Http404("No audio here.")
        raise PermissionDenied("Follow the artist to listen to this mix.")


@require_safe
def mix_audio(request, pk: int, ext: str):
    """A version's audio, for whoever may read its post: never by a public URL."""
    mix = get_object_or_404(Mix.objects.select_related("post__artist"), pk=pk, format=ext)
    check_listener(request, mix)
    response = file_response(
        request,
        mix.audio,
        content_type=mix.mime_type,
        size=mix.size,
        etag=mix.etag,
        last_modified=mix.created_at.timestamp(),
    )
    if not mix.post.allows_download:
        # Stream only: browsers play it in place and offer no file to keep.
        response["Content-Disposition"] = "inline"
    return response


@require_safe
def mix_peaks(request, pk: int):
    """The waveform of a version the player switches to: the page carries only the
    peaks of the version it opens with."""
    mix = get_object_or_404(Mix.objects.select_related("post__artist"), pk=pk)
    check_listener(request, mix)
    return JsonResponse({"peaks": mix.player_peaks})
