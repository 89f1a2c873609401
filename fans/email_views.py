"""Links from emails (they work without logging in) and the email preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from fans.forms import DigestPreferenceForm
from fans.models import DigestPreference, User
from fans.tokens import RESUME, UNSUBSCRIBE, read_token


def _user_from(token: str, purpose: str) -> User | None:
    user_id = read_token(token, purpose)
    return User.objects.filter(pk=user_id).first() if user_id else None


def _bad_link(request):
    return render(request, "fans/bad_link.html", status=400)


# Mail providers send the RFC 8058 one-click POST with no cookies and no CSRF
# token; the signed token in the address is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    user = _user_from(token, UNSUBSCRIBE)
    if user is None:
        return _bad_link(request)
    preference = DigestPreference.for_user(user)
    if request.method == "POST":
        preference.unsubscribe()
        return render(request, "fans/unsubscribed.html", {"email": user.email, "token": token})
    # GET only asks: mail scanners follow links, and must not unsubscribe anyone.
    return render(
        request,
        "fans/unsubscribe_confirm.html",
        {"email": user.email, "already": preference.unsubscribed_at is not None},
    )


@require_http_methods(["GET", "POST"])
def resume_digests(request, token: str):
    user = _user_from(token, RESUME)
    if user is None:
        return _bad_link(request)
    preference = DigestPreference.for_user(user)
    context = {"email": user.email, "preference": preference}
    if request.method == "POST" and not preference.stopped_by_fan:
        preference.resume_after_absence()
        return render(request, "fans/resumed.html", context)
    return render(request, "fans/resume_confirm.html", context)


@login_required
@require_POST
def email_preferences(request):
    preference = DigestPreference.for_user(request.user)
    if request.POST.get("resume"):
        preference.resume()
        messages.success(request, "Digests are back on.")
        return redirect("account")
    form = DigestPreferenceForm(request.POST, instance=preference)
    if form.is_valid():
        form.save()
        messages.success(request, "Your email preferences are saved.")
    else:
        messages.error(request, "Please choose one of the options.")
    return redirect("account")
