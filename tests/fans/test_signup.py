"""Sign-up asks for a name (optional, with a sensible default), following the
confirmation link signs the fan in, and the account pages speak the site's voice."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from fans.models import User
from tests.conftest import make_user

PASSWORD = "a good long pass 42"


def sign_up(client, email: str, **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post(reverse("account_signup"), data)


def confirmation_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)


def test_sign_up_asks_for_an_optional_name(client, db):
    page = client.get(reverse("account_signup")).content.decode()
    assert '<label for="id_display_name">Your name (optional)</label>' in page
    # The name comes right after the email address, before the passwords.
    assert page.index('name="email"') < page.index('name="display_name"')
    assert page.index('name="display_name"') < page.index('name="password1"')
    assert sign_up(client, "jo@example.com", display_name="  Jo Night  ").status_code == 302
    assert User.objects.get(email="jo@example.com").display_name == "Jo Night"


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("jo.smith+fans@example.com", "jo smith"),
        ("night_owl-7@example.com", "night owl 7"),
        ("x" * 40 + "@example.com", "x" * 30),
    ],
)
def test_without_a_name_the_email_gives_one(client, db, email, expected):
    assert sign_up(client, email).status_code == 302
    assert User.objects.get(email=email).display_name == expected


def test_an_address_without_letters_gives_fan_and_a_number(client, db):
    sign_up(client, "1234@example.com")
    user = User.objects.get(email="1234@example.com")
    assert user.display_name == f"Fan {user.pk}" and user.public_name != "A fan"


def test_a_name_over_60_characters_is_refused_with_the_text_kept(client, db):
    response = sign_up(client, "long@example.com", display_name="n" * 61)
    page = response.content.decode()
    assert response.status_code == 200
    assert "at most 60 characters" in page and 'value="' + "n" * 61 in page
    assert not User.objects.filter(email="long@example.com").exists()
    assert sign_up(client, "long@example.com", display_name="n" * 60).status_code == 302
    assert User.objects.get(email="long@example.com").display_name == "n" * 60


def test_following_the_confirmation_link_signs_the_fan_in(client, db):
    sign_up(client, "newfan@example.com", display_name="New Fan")
    (message,) = mail.outbox
    path = confirmation_path(message)
    assert "_auth_user_id" not in client.session  # not signed in before confirming
    page = client.get(path).content.decode()
    assert "Confirm your email address" in page and "newfan@example.com" in page
    response = client.post(path, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")  # not the login page
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="newfan@example.com").pk
    assert "Thank you: newfan@example.com is confirmed." in page
    assert "Log out</button>" in page


def test_confirming_in_another_browser_confirms_without_signing_in(client, db):
    # allauth signs in only the browser that signed up: a link alone is not a password.
    sign_up(client, "elsewhere@example.com")
    other = Client()
    response = other.post(confirmation_path(mail.outbox[0]), follow=True)
    assert "_auth_user_id" not in other.session
    assert "elsewhere@example.com is confirmed" in response.content.decode()
    assert User.objects.get(email="elsewhere@example.com").has_verified_email


STOCK = [
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Remember Me",
    "contact us",
    "Password Reset",
    "Reset My Password",
    "Change Password",
    "Confirm Email Address",
    "Verify Your Email Address",
    "Email Address<",
    "Bad Token",
    "New Password",
    "Current Password",
    ":</label>",
    'style="',
]


def assert_site_voice(page: str, url: str) -> None:
    main = re.search(r"<main.*</main>", page, re.S).group(0)
    for phrase in STOCK:
        assert phrase not in main, f"{url} says {phrase!r}"


def test_the_account_pages_speak_one_voice(client, db):
    anonymous = [
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("account_reset_password_done"),
        reverse("account_email_verification_sent"),
        reverse("account_confirm_email", args=["not-a-key"]),
        reverse("account_reset_password_from_key", args=["1", "not-a-key"]),
    ]
    for url in anonymous:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_site_voice(response.content.decode(), url)
    login = client.get(reverse("account_login")).content.decode()
    assert ">Log in</button>" in login and "Keep me logged in on this device" in login
    reset = client.get(reverse("account_reset_password")).content.decode()
    assert ">Send me the link</button>" in reset

    client.force_login(make_user("someone@example.com"))
    for url in [
        reverse("account_logout"),
        reverse("account_change_password"),
        reverse("account_email"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_site_voice(response.content.decode(), url)


def test_a_wrong_password_is_said_plainly_and_the_email_kept(client, fan):
    response = client.post(
        reverse("account_login"), {"login": "fan@example.com", "password": "wrong one"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page and "not correct" in page
    assert 'value="fan@example.com"' in page


def test_a_refused_new_email_address_is_said_next_to_the_field_and_kept(client, fan):
    client.force_login(fan)
    response = client.post(reverse("account_email"), {"email": "fan@example", "action_add": ""})
    page = response.content.decode()
    assert response.status_code == 200
    error = re.search(r'<ul class="errorlist.*?</ul>', page, re.S).group(0)
    assert "Enter a valid email address." in error
    assert 'value="fan@example"' in page and 'aria-invalid="true"' in page
    fan.refresh_from_db()
    assert fan.email == "fan@example.com"
