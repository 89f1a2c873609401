"""Fans' comments: write, reply, edit, delete, flag; the artist hides or approves."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from posts import moderation
from posts.forms import CommentEditForm, CommentForm
from posts.models import Comment, HubSettings
from posts.ratelimit import allow
from posts.views import readable_post_or_404, render_post


def require_participant(user) -> None:
    if user.is_banned:
        raise PermissionDenied("This account can read, but not comment, follow or flag.")
    if not user.can_participate:
        raise PermissionDenied("Please verify your email address first.")


def _within_comment_limit(user) -> bool:
    """Count one comment or edit: both render Markdown, so they share one limit."""
    limits = [
        (settings.FANHUB_COMMENTS_PER_MINUTE, 60),
        (settings.FANHUB_COMMENTS_PER_DAY, 86400),
    ]
    return allow("comment", user.pk, limits)


def _visible_comment(request, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("post__artist", "author"), pk=pk)
    post = comment.post
    can_read = post.is_visible_to(request.user) or post.artist.has_member(request.user)
    if not can_read or not Comment.objects.visible_to(request.user, post).filter(pk=pk).exists():
        raise PermissionDenied("This comment is not open to you.")
    return comment


def _own_comment(request, pk: int) -> Comment:
    comment = _visible_comment(request, pk)
    if comment.author_id != request.user.pk or comment.is_removed:
        raise PermissionDenied("Only its author can change a comment.")
    return comment


@login_required
@require_POST
def comment_create(request, artist_slug: str, slug: str):
    post, can_edit = readable_post_or_404(request, artist_slug, slug)
    if not can_edit and not post.is_visible_to(request.user):
        raise PermissionDenied("Follow the artist to read and comment on this post.")
    require_participant(request.user)
    hub = HubSettings.load()
    if reason := post.comments_closed_reason(hub):
        raise PermissionDenied(reason)
    form = CommentForm(request.POST, post=post)
    if not form.is_valid():
        return render_post(request, post, can_edit, form=form, status=400)
    if not _within_comment_limit(request.user):
        return render(
            request, "posts/comment_rate_limited.html", {"post": post, "form": form}, status=429
        )
    comment = form.save(commit=False)
    comment.post = post
    comment.author = request.user
    comment.by_artist = post.artist.has_member(request.user)
    comment.status = moderation.decide_status(
        body=comment.body,
        body_html=comment.render_body(),
        author=request.user,
        post=post,
        hub=hub,
        honeypot=form.cleaned_data["website"],
    )
    comment.save()
    if comment.status != Comment.Status.APPROVED:
        messages.info(request, "Thank you! Your comment will appear once it has been reviewed.")
    return redirect(comment.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk: int):
    comment = _own_comment(request, pk)
    require_participant(request.user)
    if not comment.can_edit(request.user):
        raise PermissionDenied("Comments can be edited for 15 minutes after posting.")
    if reason := comment.post.comments_closed_reason(HubSettings.load()):
        raise PermissionDenied(reason)
    form = CommentEditForm(request.POST or None, instance=comment, label_suffix="")
    if request.method == "POST" and form.is_valid():
        if not _within_comment_limit(request.user):
            context = {"form": form, "comment": comment, "rate_limited": True}
            return render(request, "posts/comment_edit.html", context, status=429)
        comment = form.save(commit=False)
        comment.edited_at = timezone.now()
        if comment.status == Comment.Status.APPROVED:
            comment.status = moderation.decide_status(
                body=comment.body,
                body_html=comment.render_body(),
                author=request.user,
                post=comment.post,
                hub=HubSettings.load(),
                is_edit=True,
            )
        comment.save()
        return redirect(comment.get_absolute_url())
    return render(request, "posts/comment_edit.html", {"form": form, "comment": comment})


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, pk: int):
    # Authors may always delete their own comments (the data export lists every
    # one), also on a post they can no longer read, or once it was hidden.
    comment = get_object_or_404(Comment.objects.select_related("post__artist"), pk=pk)
    if comment.author_id != request.user.pk or comment.is_removed:
        raise PermissionDenied("Only its author can delete a comment.")
    post = comment.post
    readable = post.is_visible_to(request.user) or post.artist.has_member(request.user)
    if request.method == "POST":
        comment.remove()
        messages.success(request, "Your comment is deleted.")
        return redirect(post.get_absolute_url() if readable else "account")
    back = comment.get_absolute_url() if readable else reverse("account")
    return render(request, "posts/comment_delete.html", {"comment": comment, "back": back})


@login_required
@require_POST
def comment_flag(request, pk: int):
    comment = _visible_comment(request, pk)
    require_participant(request.user)
    if comment.author_id == request.user.pk:
        raise PermissionDenied("You can't flag your own comment.")
    if moderation.flag(comment, request.user, HubSettings.load()):
        messages.success(request, "Thanks for telling us. A moderator will take a look.")
    else:
        messages.info(request, "You have already flagged this comment.")
    return redirect(comment.get_absolute_url())


@login_required
@require_POST
def comment_moderate(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("post__artist"), pk=pk)
    if not comment.post.artist.has_member(request.user):
        raise PermissionDenied("Only the artist can do that here; moderators use the admin.")
    actions = {"approve": Comment.Status.APPROVED, "hide": Comment.Status.HIDDEN}
    status = actions.get(request.POST.get("action"))
    if status is None:
        raise PermissionDenied("Unknown moderation action.")
    Comment.objects.filter(pk=pk).update(status=status)
    messages.success(
        request, "The comment is approved." if status == "approved" else "The comment is hidden."
    )
    return redirect(comment.get_absolute_url())
