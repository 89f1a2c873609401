"""allauth's "type your password again" page, restyled in templates/account/: a fan
is sent there before a sensitive change. A wrong password is said next to the field;
the right one continues where they were going."""

import pytest

from posts.models import Artist
from tests.e2e.studio_helpers import PASSWORD, make_member, open_studio

pytestmark = [pytest.mark.e2e, pytest.mark.form("account_reauthenticate")]


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_typing_the_password_again(browser, live_server, transactional_db, js):
    user = make_member(Artist.objects.create(name="Juniper Lane", slug="juniper-lane"))
    page = open_studio(browser, live_server, user, js)
    page.goto("/accounts/reauthenticate/?next=/account/")
    assert page.get_by_role("heading", name="Your password, please").is_visible()
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("alert").first.wait_for()
    assert page.url.endswith("/accounts/reauthenticate/")
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/account/")
    assert page.get_by_role("heading", level=1).is_visible()
    page.context.close()
