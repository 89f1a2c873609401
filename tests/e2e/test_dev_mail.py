"""The development mail viewer in a real browser: staff see the table of sent mail,
with no email's source spilled into the site's notices."""

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from tests.conftest import make_user

pytestmark = pytest.mark.e2e


def test_staff_read_the_sent_mail(page, live_server, settings, tmp_path, viewport):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    message = EmailMultiAlternatives("Confirm your address", "Open this link", to=["f@example.com"])
    message.attach_alternative("<p>Open <a href='https://x.example/'>it</a></p>", "text/html")
    message.send()
    staff = make_user("staff@example.com", is_staff=True)
    client = Client()
    client.force_login(staff)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto("/dev/mail/")
    assert page.locator(".messages").count() == 0
    row = page.get_by_role("row").filter(has_text="Confirm your address")
    assert "f@example.com" in row.inner_text()
    page.screenshot(path=f"screenshots/dev-mail-{viewport['width']}.png", full_page=True)
    row.get_by_role("link").click()
    page.wait_for_url("**/dev/mail/0/")
    assert "Open this link" in page.locator(".mail-text").inner_text()
    assert page.problems == []
