"""The fan's side: follow, the Following page, the account page, export, delete."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import ListView

from fans.account import delete_account, export_data
from fans.digests import no_digest_reason, promise
from fans.forms import DeleteAccountForm, DigestPreferenceForm, ProfileForm
from fans.models import DigestDelivery, DigestPreference, Follow
from posts.comment_views import require_participant
from posts.media import atomic_with_files
from posts.models import Artist, HubSettings, Post
from posts.ratelimit import allow
from posts.views import PAGE_SIZE, with_comment_counts


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def follow(request, slug: str):
    artist = get_object_or_404(Artist, slug=slug)
    require_participant(request.user)
    Follow.objects.get_or_create(user=request.user, artist=artist)
    preference = DigestPreference.for_user(request.user)
    if reason := no_digest_reason(request.user, preference):
        messages.success(request, f"You follow {artist.name}. {reason}")
    else:
        messages.success(
            request,
            f"You follow {artist.name}: {promise(HubSettings.load(), preference.frequency)}, "
            "only when there's something new.",
        )
    return _back(request, artist.get_absolute_url())


@login_required
@require_POST
def unfollow(request, slug: str):
    artist = get_object_or_404(Artist, slug=slug)
    Follow.objects.filter(user=request.user, artist=artist).delete()
    messages.success(request, f"You no longer follow {artist.name}.")
    return _back(request, artist.get_absolute_url())


class FollowingView(ListView):
    template_name = "fans/following.html"
    context_object_name = "posts"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return with_comment_counts(
            Post.objects.visible_to(self.request.user)
            .filter(artist__follows__user=self.request.user)
            .select_related("artist")
        )

    def get_context_data(self, **kwargs):
        follows = self.request.user.follows.select_related("artist")
        return super().get_context_data(follows=follows, **kwargs)


following = login_required(FollowingView.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    status = 200
    if request.method == "POST" and not allow(
        "profile", user.pk, [(settings.FANHUB_PROFILE_SAVES_PER_HOUR, 3600)]
    ):
        # Checked before the form: decoding an avatar is the costly part.
        typed = {"display_name": request.POST.get("display_name", "")}
        form = ProfileForm(initial=typed, instance=user)
        messages.error(
            request, "You have saved your profile many times this hour. Please try again later."
        )
        status = 429
    elif request.method == "POST" and form.is_valid():
        with atomic_with_files():
            form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("account")
    follows = user.follows.select_related("artist")
    preference = DigestPreference.for_user(user)
    return render(
        request,
        "fans/account.html",
        {
            "form": form,
            "follows": follows,
            "preference": preference,
            "preference_form": DigestPreferenceForm(instance=preference, label_suffix=""),
            "deliveries": user.digest_deliveries.filter(
                status__in=DigestDelivery.DELIVERED
            ).order_by("-claimed_at")[:12],
            "promise": promise(HubSettings.load(), preference.frequency),
            "no_digest_reason": no_digest_reason(user, preference),
        },
        status=status,
    )


@login_required
def account_export(request):
    body = json.dumps(export_data(request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="fanhub-data-{stamp}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user, erase_comments=form.cleaned_data["erase_comments"])
        messages.success(request, "Your account is deleted. Thank you for being here.")
        return redirect("home")
    return render(request, "fans/account_delete.html", {"form": form})
