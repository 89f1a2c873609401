"""The artist's studio: write, preview, schedule, publish and delete posts.

Every view goes through `studio_member_required`, and every post is looked up
among the artists the user belongs to, so one artist's members can never touch
another artist's posts.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from posts.forms import PostForm
from posts.markup import render_markdown
from posts.models import Artist, Post


def studio_member_required(view):
    """Anonymous visitors go to log in; signed-in people with no artist get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not Artist.objects.for_member(request.user).exists():
            raise PermissionDenied("The studio is for the artist's own accounts.")
        return view(request, *args, **kwargs)

    return wrapper


def _own_post(request, pk: int) -> Post:
    return get_object_or_404(
        Post.objects.select_related("artist"),
        pk=pk,
        artist__in=Artist.objects.for_member(request.user),
    )


@studio_member_required
def dashboard(request):
    posts = (
        Post.objects.filter(artist__in=Artist.objects.for_member(request.user))
        .select_related("artist")
        .order_by("-updated_at")
    )
    return render(request, "posts/studio/dashboard.html", {"posts": posts})


def _edit(request, post: Post | None):
    action = request.POST.get("action", "draft")
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        instance=post,
        user=request.user,
        action=action,
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        if form.action == "preview":
            preview = render_markdown(form.cleaned_data["body"])
        else:
            saved = form.save()
            messages.success(request, _saved_message(saved))
            return redirect("studio_dashboard")
    return render(
        request, "posts/studio/edit.html", {"form": form, "post": post, "preview": preview}
    )


def _saved_message(post: Post) -> str:
    if post.status == Post.Status.DRAFT:
        return f"“{post.title}” is saved as a draft."
    if post.is_live:
        return f"“{post.title}” is published."
    return f"“{post.title}” is scheduled."


@studio_member_required
@require_http_methods(["GET", "POST"])
def post_create(request):
    return _edit(request, None)


@studio_member_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk: int):
    return _edit(request, _own_post(request, pk))


@studio_member_required
@require_http_methods(["GET", "POST"])
def post_delete(request, pk: int):
    post = _own_post(request, pk)
    if request.method == "POST":
        post.delete()
        messages.success(request, f"“{post.title}” is deleted.")
        return redirect("studio_dashboard")
    return render(request, "posts/studio/delete.html", {"post": post})
