"""Pages carry a strict Content-Security-Policy (the browser tests load every kind of
page under it and fail on any violation)."""

import pytest
from django.urls import reverse


def test_pages_forbid_inline_scripts_and_styles(client, db):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_favicon_ico_points_at_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")


# Every kind of response: a page, a static file (served by WhiteNoise before most
# middleware runs), the admin, an error page.
@pytest.mark.parametrize(
    "url", ["/", "/static/css/site.css", "/admin/", "/no-such-page/", "/accounts/login/"]
)
def test_every_response_switches_off_features_no_page_uses(client, db, url):
    policy = client.get(url)["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
