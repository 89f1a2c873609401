"""The admin signs in through the site's own login (allauth), not Django's admin
form: one login page, with allauth's limits on failed attempts per address and per
IP, and the same email verification. /admin/login/ only forwards there."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def admin_login(request: HttpRequest) -> HttpResponse:
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(target)
        # Signed in, but not staff: the admin would send them back here, forever.
        raise PermissionDenied("The admin is for the hub's staff.")
    # Any method: a password posted here is never checked.
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
