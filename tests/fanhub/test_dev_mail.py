"""The development mail viewer (/dev/mail/): staff only, even in debug, and it lists
emails in its table, never as the site's notices."""

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

RESET_LINK = "http://127.0.0.1:8000/accounts/password/reset/key/secret-token/"

PAGES = [
    ("dev_mail", []),
    ("dev_mail_detail", [0]),
    ("dev_mail_html", [0]),
]


@pytest.fixture
def sent_mail(settings, tmp_path, db):
    """DEBUG on, the file backend of `make run`, and one password-reset email in it."""
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    message = EmailMultiAlternatives(
        "Password reset", f"Reset it here: {RESET_LINK}", to=["fan@example.com"]
    )
    message.attach_alternative(f'<p><a href="{RESET_LINK}">Reset</a></p>', "text/html")
    message.send()


@pytest.mark.parametrize("name,args", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, sent_mail, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=/dev/mail/")
    assert b"secret-token" not in response.content


@pytest.mark.parametrize("name,args", PAGES)
def test_fans_are_refused(client, sent_mail, fan, name, args):
    client.force_login(fan)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 403
    assert b"secret-token" not in response.content


@pytest.mark.parametrize("name,args", PAGES)
def test_staff_read_the_mail(client, sent_mail, staff, name, args):
    client.force_login(staff)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert b"secret-token" in response.content or name == "dev_mail"


@pytest.mark.parametrize("name,args", PAGES)
def test_nobody_sees_it_without_debug(client, sent_mail, settings, staff, name, args):
    settings.DEBUG = False
    client.force_login(staff)
    assert client.get(reverse(name, args=args)).status_code == 404


def test_emails_are_listed_in_the_table_not_as_notices(client, sent_mail, staff):
    client.force_login(staff)
    page = client.get(reverse("dev_mail")).content.decode()
    assert 'class="messages"' not in page
    assert "Reset it here" not in page  # no raw source anywhere on the list
    assert '<a href="/dev/mail/0/">Password reset</a>' in page
    assert '<td data-label="To">fan@example.com</td>' in page


def test_the_site_notices_still_show_once(client, sent_mail, staff):
    """A real notice (here "You're logged in") appears on the mail page, then is gone."""
    client.post(
        reverse("account_login"), {"login": staff.email, "password": "correct horse battery"}
    )
    first = client.get(reverse("dev_mail")).content.decode()
    assert 'class="messages"' in first and "You&#x27;re logged in." in first
    assert 'class="messages"' not in client.get(reverse("dev_mail")).content.decode()
