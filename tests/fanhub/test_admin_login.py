"""The admin has no password form of its own: /admin/login/ forwards to the site's
login (allauth), whose limits on failed attempts hold for staff accounts too."""

from urllib.parse import urlencode

from django.urls import reverse

from tests.conftest import make_user

PASSWORD = "correct horse battery"  # tests.conftest.make_user's


def login_url(next_url: str = "/admin/") -> str:
    return f"{reverse('account_login')}?{urlencode({'next': next_url})}"


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_admin_sends_visitors_to_the_site_login_keeping_next(client, db):
    response = client.get("/admin/posts/post/", follow=True)
    assert response.redirect_chain[-1] == (login_url("/admin/posts/post/"), 302)
    assert response.status_code == 200


def test_a_password_posted_to_the_admin_login_is_never_checked(client, staff):
    for _ in range(20):
        client.post("/admin/login/", {"username": staff.email, "password": "guess"})
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == login_url()
    assert not is_signed_in(client)


def test_wrong_passwords_for_a_staff_account_are_limited(client, staff):
    for _ in range(5):
        response = client.post(login_url(), {"login": staff.email, "password": "guess"})
        assert response.status_code == 200 and not is_signed_in(client)
    # The limit is reached: even the right password waits now.
    response = client.post(login_url(), {"login": staff.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert not is_signed_in(client)


def test_staff_sign_in_through_the_site_login_and_land_in_the_admin(client, staff):
    response = client.post(login_url(), {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Already signed in: the admin's login link goes straight on.
    assert client.get("/admin/login/?next=/admin/posts/")["Location"] == "/admin/posts/"


def test_a_signed_in_fan_gets_a_clear_403_not_a_redirect_loop(client, fan):
    client.force_login(fan)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


def test_next_cannot_point_off_site(client, db):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})
    assert response["Location"] == login_url("/admin/")


def test_plain_staff_sign_in_too(client, db):
    moderator = make_user("moderator@example.com", is_staff=True)
    client.post(login_url(), {"login": moderator.email, "password": PASSWORD})
    assert client.get("/admin/").status_code == 200
