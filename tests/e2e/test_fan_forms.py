"""Every form a fan submits, in Chromium, asserting what the person sees afterwards.

Forms that work without JavaScript (all of a fan's: plain POSTs) are also run with it
off where the page promises so: comments, flags, follow, account, email links.
Each test names the URL names it submits with `@pytest.mark.form(...)`.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from fans.models import DigestPreference, Follow, User
from fans.tokens import RESUME, UNSUBSCRIBE, make_token
from posts.models import Comment
from tests.conftest import make_user
from tests.e2e.conftest import Problems
from tests.images import image_bytes

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"  # tests.conftest.make_user's
STATUS = "ul.messages"


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request) -> bool:
    return request.param


@pytest.fixture
def post(make_post):
    # A long body, so the comments start below the fold and scrolling matters.
    body = "\n\n".join(f"Paragraph {n}: how the song came together." for n in range(40))
    return make_post(title="Night drive", body=body)


@pytest.fixture
def regular(fan, post):
    """A fan past first-comment moderation, with one approved comment."""
    Comment.objects.create(post=post, author=fan, body="First!", status=Comment.Status.APPROVED)
    return fan


SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def shot(page, name: str) -> None:
    """What the fan sees at that moment, kept in screenshots/ (gitignored)."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"fan-forms-{name}.png")


def status_text(page) -> str:
    return page.locator(STATUS).inner_text()


def in_view(locator) -> bool:
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight; }"
    )


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def only_expected(problems, *allowed: str) -> list[str]:
    return [p for p in problems if not any(a in p for a in allowed)]


def link_to(message, path: str) -> str:
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", message.body).group(1)


# Comments


@pytest.mark.form("comment_create")
def test_a_comment_is_posted_and_shown_where_it_is(open_page, regular, post, js):
    page = open_page(regular, js=js)
    page.goto(post.get_absolute_url())
    page.get_by_label("Your comment").fill("The **second** chorus!")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    comment = Comment.objects.get(body="The **second** chorus!")
    assert page.url.endswith(f"#comment-{comment.pk}")
    article = page.locator(f"#comment-{comment.pk}")
    expect(article.locator("strong", has_text="second")).to_be_visible()
    assert "A Fan" in article.inner_text()
    assert in_view(article)
    assert page.problems == []


@pytest.mark.form("comment_create")
def test_a_refused_comment_returns_to_the_form_with_the_error_focused(open_page, regular, post, js):
    page = open_page(regular, js=js)
    page.goto(post.get_absolute_url())
    box = page.get_by_label("Your comment")
    box.fill("   ")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Your comment wasn't posted yet" in alert.inner_text()
    assert in_view(alert) and in_view(page.get_by_text("Write something first."))
    assert focused_id(page) == "id_body"  # autofocus: no JavaScript needed
    shot(page, f"comment-refused-{'js' if js else 'nojs'}")
    assert page.locator("#id_body").get_attribute("aria-invalid") == "true"
    assert only_expected(page.problems, "400") == []


@pytest.mark.form("comment_create")
def test_a_long_paste_is_counted_never_cut(open_page, regular, post):
    page = open_page(regular)
    page.goto(post.get_absolute_url())
    box = page.get_by_label("Your comment")
    counter = page.locator("#id_body_count")
    assert counter.inner_text() == "0 of 5,000 characters"
    box.fill("x" * 5000)
    assert counter.inner_text() == "5,000 of 5,000 characters"
    assert box.get_attribute("aria-invalid") is None
    box.fill("x" * 5001)  # what a paste does: the whole text arrives
    assert box.input_value() == "x" * 5001
    assert counter.inner_text().startswith("5,001 characters: 1 over the 5,000 limit.")
    assert box.get_attribute("aria-invalid") == "true"
    shot(page, "comment-over-the-limit")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    error = page.get_by_text("Your comment is 5,001 characters long; the limit is 5,000.")
    expect(error).to_be_visible()
    assert in_view(error)
    assert page.get_by_label("Your comment").input_value() == "x" * 5001  # kept whole
    assert not Comment.objects.filter(body__startswith="xxx").exists()
    assert only_expected(page.problems, "400") == []


@pytest.mark.form("comment_create")
def test_a_reply_goes_under_its_comment(open_page, regular, post):
    theirs = Comment.objects.create(
        post=post,
        author=make_user("other@example.com", display_name="Other"),
        body="Which synth is that?",
        status=Comment.Status.APPROVED,
    )
    page = open_page(regular)
    page.goto(post.get_absolute_url())
    page.locator(f"#comment-{theirs.pk}").get_by_role("link", name="Reply").click()
    expect(page.get_by_text("Replying in a thread.")).to_be_visible()
    page.get_by_label("Your comment").fill("A Juno, I think.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    reply = Comment.objects.get(body="A Juno, I think.")
    assert reply.parent_id == theirs.pk
    thread = page.locator(".thread", has=page.locator(f"#comment-{theirs.pk}"))
    expect(thread.locator(f".replies #comment-{reply.pk}")).to_be_visible()
    assert page.problems == []


@pytest.mark.form("comment_edit")
def test_a_fan_edits_their_comment(open_page, regular, post):
    mine = Comment.objects.get(author=regular)
    page = open_page(regular)
    page.goto(post.get_absolute_url())
    page.locator(f"#comment-{mine.pk}").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit your comment")).to_be_visible()
    box = page.get_by_label("Your comment")
    assert box.input_value() == "First!"
    box.fill("First! (and still here)")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{post.get_absolute_url()}#comment-{mine.pk}")
    article = page.locator(f"#comment-{mine.pk}")
    assert "First! (and still here)" in article.inner_text()
    assert "edited" in article.inner_text()
    assert page.problems == []


@pytest.mark.form("comment_delete")
def test_a_fan_deletes_their_comment(open_page, regular, post):
    mine = Comment.objects.get(author=regular)
    page = open_page(regular)
    page.goto(post.get_absolute_url())
    page.locator(f"#comment-{mine.pk}").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete your comment?")).to_be_visible()
    page.get_by_role("button", name="Delete it").click()
    page.wait_for_url(f"**{post.get_absolute_url()}")
    assert "Your comment is deleted." in status_text(page)
    assert page.locator(f"#comment-{mine.pk}").count() == 0
    expect(page.get_by_text("No comments yet.")).to_be_visible()
    assert page.problems == []


@pytest.mark.form("comment_flag")
def test_flagging_says_flagged_and_stays_at_the_comment(open_page, regular, post, js):
    comment = Comment.objects.get(author=regular)
    page = open_page(make_user("flagger@example.com", display_name="Flagger"), js=js)
    page.goto(post.get_absolute_url())
    article = page.locator(f"#comment-{comment.pk}")
    article.get_by_role("button", name="Flag").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#comment-{comment.pk}")
    assert "Thanks for telling us" in status_text(page)
    expect(article.get_by_text("Flagged")).to_be_visible()
    assert article.get_by_role("button", name="Flag").count() == 0
    assert in_view(article)
    shot(page, f"comment-flagged-{'js' if js else 'nojs'}")
    assert comment.flags.count() == 1
    assert page.problems == []


# Following


@pytest.mark.form("follow", "unfollow")
def test_follow_and_unfollow(open_page, fan, artist, js):
    page = open_page(fan, js=js)
    page.goto(artist.get_absolute_url())
    expect(page.get_by_text("At most one email every 7 days")).to_be_visible()
    page.get_by_role("button", name="Follow Juniper Lane").click()
    page.wait_for_url(f"**{artist.get_absolute_url()}")
    assert status_text(page) == (
        "You follow Juniper Lane: at most one email every 7 days, only when there's something new."
    )
    expect(page.get_by_text("You'll get at most one email every 7 days")).to_be_visible()
    assert Follow.objects.filter(user=fan, artist=artist).exists()
    page.get_by_role("button", name="Following ✓ · Unfollow").click()
    page.wait_for_url(f"**{artist.get_absolute_url()}")
    assert status_text(page) == "You no longer follow Juniper Lane."
    expect(page.get_by_role("button", name="Follow Juniper Lane")).to_be_visible()
    assert not Follow.objects.exists()
    assert page.problems == []


# Signing up, in and out


@pytest.mark.form("account_signup", "account_confirm_email")
def test_sign_up_confirm_and_be_signed_in(open_page, db):
    page = open_page()
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("night.owl@example.com")
    page.get_by_label("Your name (optional)").fill("Night Owl")
    page.get_by_label("Password", exact=True).fill("a good long pass 42")
    page.get_by_label("Password (again)").fill("a good long pass 42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    (message,) = mail.outbox
    page.goto(link_to(message, "/accounts/confirm-email/"))
    assert "night.owl@example.com" in page.locator("main").inner_text()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/")
    assert "Thank you: night.owl@example.com is confirmed." in status_text(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert User.objects.get(email="night.owl@example.com").display_name == "Night Owl"
    assert page.problems == []


@pytest.mark.form("account_signup")
def test_sign_up_errors_are_next_to_the_field(open_page, fan):
    page = open_page()
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("new@example.com")
    page.get_by_label("Password", exact=True).fill("a good long pass 42")
    page.get_by_label("Password (again)").fill("a different pass 42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("You must type the same password each time.")).to_be_visible()
    assert page.get_by_label("Email").input_value() == "new@example.com"
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.form("account_login", "account_logout")
def test_log_in_and_out(open_page, fan, js):
    page = open_page(js=js)
    page.goto("/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("fan@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert "are not correct" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Email").input_value() == "fan@example.com"
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert status_text(page) == "You're logged in."
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    assert status_text(page) == "You're logged out. See you soon."
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert page.problems == []


@pytest.mark.form("account_logout")
def test_the_log_out_page_asks_first(open_page, fan):
    page = open_page(fan)
    page.goto("/accounts/logout/")
    expect(page.get_by_role("heading", name="Log out?")).to_be_visible()
    page.locator("main").get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    assert "You're logged out." in status_text(page)


@pytest.mark.form("account_reset_password", "account_reset_password_from_key", "account_login")
def test_password_reset_from_request_to_new_password(open_page, fan):
    page = open_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("fan@example.com")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    (message,) = mail.outbox
    page.goto(link_to(message, "/accounts/password/reset/key/"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("a brand new pass 77")
    page.get_by_label("New password (again)").fill("a brand new pass 77")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    page.locator("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("fan@example.com")
    page.get_by_label("Password").fill("a brand new pass 77")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert status_text(page) == "You're logged in."
    # The link works once.
    page.goto(link_to(message, "/accounts/password/reset/key/"))
    expect(page.get_by_role("heading", name="This link doesn't work any more")).to_be_visible()


@pytest.mark.form("account_change_password")
def test_change_password(open_page, fan):
    page = open_page(fan)
    page.goto("/account/")
    page.get_by_role("link", name="Change password").click()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("another good pass 9")
    page.get_by_label("New password (again)").fill("another good pass 9")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state()
    assert "Your password is changed." in status_text(page)
    fan.refresh_from_db()
    assert fan.check_password("another good pass 9")


@pytest.mark.form("account_email", "account_confirm_email")
def test_change_email_address(open_page, fan):
    page = open_page(fan)
    page.goto("/account/")
    page.get_by_role("link", name="Change email address").click()
    assert "fan@example.com" in page.locator("main").inner_text()
    page.get_by_label("New email address").fill("new-address@example.com")
    page.get_by_role("button", name="Change email address").click()
    assert "We sent a confirmation link to new-address@example.com." in status_text(page)
    assert "Changing to new-address@example.com" in page.get_by_role("status").last.inner_text()
    (message,) = [m for m in mail.outbox if m.to == ["new-address@example.com"]]
    page.goto(link_to(message, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert "new-address@example.com is confirmed" in status_text(page)
    fan.refresh_from_db()
    assert fan.email == "new-address@example.com"
    assert not EmailAddress.objects.filter(email="fan@example.com").exists()


# The account page


@pytest.mark.form("account")
def test_profile_with_avatar(open_page, fan, tmp_path):
    avatar = tmp_path / "me.png"
    avatar.write_bytes(image_bytes((120, 120), fmt="PNG"))
    page = open_page(fan)
    page.goto("/account/")
    page.get_by_label("Display name").fill("Juno Fan")
    page.get_by_label("Avatar").set_input_files(str(avatar))
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/account/")
    assert status_text(page) == "Your profile is saved."
    assert page.get_by_label("Display name").input_value() == "Juno Fan"
    image = page.get_by_role("img", name="Your avatar")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    fan.refresh_from_db()
    assert fan.display_name == "Juno Fan" and fan.avatar


@pytest.mark.form("account")
def test_profile_refuses_a_file_that_is_not_an_image(open_page, fan, tmp_path):
    fake = tmp_path / "me.png"
    fake.write_bytes(b"not an image at all")
    page = open_page(fan)
    page.goto("/account/")
    page.get_by_label("Display name").fill("Kept Name")
    page.get_by_label("Avatar").set_input_files(str(fake))
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_label("Display name").input_value() == "Kept Name"
    fan.refresh_from_db()
    assert not fan.avatar and fan.display_name == "A Fan"


@pytest.mark.form("email_preferences")
def test_email_preferences(open_page, fan, js):
    page = open_page(fan, js=js)
    page.goto("/account/")
    page.get_by_label("At most once a month").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/account/")
    assert status_text(page) == "Your email preferences are saved."
    assert page.get_by_label("At most once a month").is_checked()
    expect(page.get_by_text("At most one email every 30 days")).to_be_visible()
    assert DigestPreference.objects.get(user=fan).frequency == "monthly"
    # After an unsubscribe, one button turns them back on.
    DigestPreference.objects.filter(user=fan).update(unsubscribed_at=timezone.now())
    page.reload()
    page.get_by_role("button", name="Turn digests back on").click()
    page.wait_for_url("**/account/")
    assert status_text(page) == "Digests are back on."
    assert DigestPreference.objects.get(user=fan).unsubscribed_at is None


@pytest.mark.form("account_export")
def test_download_my_data(open_page, regular):
    page = open_page(regular)
    page.goto("/account/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    assert re.fullmatch(r"fanhub-data-\d{4}-\d\d-\d\d\.json", download.value.suggested_filename)
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == "fan@example.com"
    assert [c["body"] for c in data["comments"]] == ["First!"]


@pytest.mark.form("account_delete")
def test_delete_my_account(open_page, regular, post, js):
    page = open_page(regular, js=js)
    page.goto("/account/")
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Also erase the text of my comments").check()
    page.get_by_role("button", name="Delete my account").click()
    if js:  # the browser itself asks for the required box
        assert page.get_by_label("Yes, delete my account").evaluate("el => !el.validity.valid")
        assert User.objects.filter(pk=regular.pk).exists()
    page.get_by_label("Yes, delete my account").check()
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/")
    assert status_text(page) == "Your account is deleted. Thank you for being here."
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    assert not User.objects.filter(pk=regular.pk).exists()
    page.goto(post.get_absolute_url())
    assert "First!" not in page.locator("main").inner_text()
    assert page.get_by_text("deleted fan").count() + page.get_by_text("deleted").count() >= 1


# Links from emails: GET asks, POST acts


@pytest.mark.form("unsubscribe")
def test_unsubscribe_link_asks_then_unsubscribes(open_page, fan, js):
    page = open_page(js=js)  # from the email: not logged in
    page.goto(f"/unsubscribe/{make_token(fan.pk, UNSUBSCRIBE)}/")
    expect(page.get_by_role("heading", name="Stop the digest emails?")).to_be_visible()
    assert "fan@example.com" in page.locator("main").inner_text()
    assert not DigestPreference.objects.filter(user=fan, unsubscribed_at__isnull=False).exists()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="Done: no more digests")).to_be_visible()
    assert DigestPreference.objects.get(user=fan).unsubscribed_at is not None
    assert page.problems == []


@pytest.mark.form("resume_digests")
def test_resume_link_asks_then_resumes(open_page, fan, js):
    DigestPreference.objects.create(user=fan, dormant_since=timezone.now() - timedelta(days=2))
    page = open_page(js=js)
    page.goto(f"/resume/{make_token(fan.pk, RESUME)}/")
    expect(page.get_by_role("heading", name="Keep the emails coming?")).to_be_visible()
    assert DigestPreference.objects.get(user=fan).dormant_since is not None
    page.get_by_role("button", name="Yes, resume").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert DigestPreference.objects.get(user=fan).dormant_since is None
    assert page.problems == []


# How the account pages look


ACCOUNT_PAGES = {
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "password-reset-done": "/accounts/password/reset/done/",
    "verification-sent": "/accounts/confirm-email/",
    "confirm-bad-key": "/accounts/confirm-email/not-a-key/",
    "reset-bad-key": "/accounts/password/reset/key/1-not-a-key/",
}
SIGNED_IN_PAGES = {
    "account": "/account/",
    "email-change": "/accounts/email/",
    "password-change": "/accounts/password/change/",
    "logout": "/accounts/logout/",
    "account-delete": "/account/delete/",
}


def test_account_pages_fit_both_widths_under_the_csp(page, viewport, fan, browser, live_server):
    """Each page once at desktop and phone width: no horizontal scroll, no CSP
    violation or other console error, one h1; screenshots in screenshots/."""
    width = "desktop" if viewport["width"] > 800 else "phone"

    def check(page, name: str, url: str) -> None:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"account-{width}-{name}.png", full_page=True)

    for name, url in ACCOUNT_PAGES.items():
        check(page, name, url)
    assert page.problems == []

    client = Client()
    client.force_login(fan)
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    problems = Problems()
    signed_in = problems.watch(context.new_page())
    for name, url in SIGNED_IN_PAGES.items():
        check(signed_in, name, url)
    context.close()
    assert problems == []


# The artist answers on the post page


@pytest.mark.form("comment_moderate")
def test_the_artist_hides_and_approves_a_comment_from_the_post_page(
    open_page, member, regular, post, js
):
    comment = Comment.objects.get(author=regular)
    page = open_page(member, js=js)
    page.goto(post.get_absolute_url())
    article = page.locator(f"#comment-{comment.pk}")
    article.get_by_role("button", name="Hide").click()
    page.wait_for_url(f"**#comment-{comment.pk}")
    assert status_text(page) == "The comment is hidden."
    expect(article.locator(".badge", has_text="Hidden")).to_be_visible()
    assert Client().get(post.get_absolute_url()).content.decode().count("First!") == 0
    article.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"**#comment-{comment.pk}")
    assert status_text(page) == "The comment is approved."
    expect(article.locator(".badge", has_text="Hidden")).to_have_count(0)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert page.problems == []


@pytest.mark.form("account_set_password")
def test_an_account_without_a_password_sets_one(open_page, db):
    # Made by an admin without a password: allauth offers "set" instead of "change".
    user = User.objects.create_user("nopass@example.com", password=None)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page = open_page(user)
    page.goto("/accounts/password/change/")
    page.wait_for_url("**/accounts/password/set/")
    expect(page.get_by_role("heading", name="Set a password")).to_be_visible()
    page.get_by_label("Password", exact=True).fill("my very own pass 5")
    page.get_by_label("Password (again)").fill("my very own pass 5")
    page.get_by_role("button", name="Set password").click()
    page.wait_for_load_state()
    assert "Your password is set." in status_text(page)
    user.refresh_from_db()
    assert user.check_password("my very own pass 5")
