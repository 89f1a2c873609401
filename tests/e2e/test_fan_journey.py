"""A new fan's whole journey in Chromium, at desktop and phone widths.

They sign up from a post, confirm from the real email (an SMTP server in this
process), are signed in, follow, comment and are held for review; an admin approves
the comment in the Django admin; the digest pass sends them their first digest, and
its unsubscribe link works. Each step is saved to screenshots/ (gitignored).
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from fans.models import DigestDelivery, DigestPreference, User
from posts.models import Comment, Post
from tests.conftest import make_user

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


class Camera:
    def __init__(self, page, name: str):
        self.page, self.name, self.count = page, name, 0
        SHOTS.mkdir(exist_ok=True)

    def __call__(self, step: str, page=None) -> None:
        self.count += 1
        (page or self.page).screenshot(
            path=SHOTS / f"fan-journey-{self.name}-{self.count:02d}-{step}.png", full_page=True
        )


def path_of(url: str) -> str:
    """Emails link to SITE_URL; the browser goes to the same path on the test server."""
    return re.sub(r"^https?://[^/]+", "", url)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.form("account_signup", "account_confirm_email", "follow", "comment_create")
def test_a_new_fan_from_sign_up_to_digest_and_unsubscribe(
    browser, live_server, viewport, smtp, artist, member, make_post
):
    width = "desktop" if viewport["width"] > 800 else "phone"
    post = make_post(title="Night drive", body="Recorded in the car, *windows down*.")
    make_user("admin@example.com", is_staff=True, is_superuser=True)

    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    shoot = Camera(page, width)

    # 1. A visitor reads a post and wants to follow: sign-up, with the way back kept.
    page.goto(post.get_absolute_url())
    shoot("post")
    page.locator(".follow").get_by_role("link", name="Follow Juniper Lane").click()
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Your name (optional)").fill("Robin")
    page.get_by_label("Password", exact=True).fill("late night drives 42")
    page.get_by_label("Password (again)").fill("late night drives 42")
    shoot("sign-up")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    shoot("check-your-email")

    # 2. The real email, through SMTP: its link confirms and signs them in.
    (message,) = smtp.to("robin@example.com")
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", text).group(0)
    page.goto(path_of(link))
    shoot("confirm")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**{post.get_absolute_url()}")  # back where they started
    assert "robin@example.com is confirmed" in page.locator(".messages").inner_text()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    shoot("signed-in")

    # 3. Follow, with the promise of what it costs.
    page.get_by_role("button", name="Follow Juniper Lane").click()
    assert (
        "You follow Juniper Lane: at most one email every 7 days"
        in page.locator(".messages").inner_text()
    )
    shoot("following")

    # 4. A first comment waits for review; the fan sees it marked so, others don't.
    page.get_by_label("Your comment").fill("The bridge gave me chills.")
    page.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get(author__email="robin@example.com")
    assert comment.status == Comment.Status.PENDING
    article = page.locator(f"#comment-{comment.pk}")
    assert "Awaiting moderation" in article.inner_text()
    assert "will appear once it has been reviewed" in page.locator(".messages").inner_text()
    assert fits_the_screen(page)
    shoot("held-for-review")

    # 5. The admin approves it in the Django admin, in their own browser.
    admin = browser.new_context(viewport=viewport, base_url=live_server.url).new_page()
    # The admin signs in through the site's own login (its rate limits guard staff too).
    admin.goto("/admin/")
    admin.get_by_label("Email").fill("admin@example.com")
    admin.get_by_label("Password").fill("correct horse battery")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Log in").click()
    admin.goto("/admin/posts/comment/?status__exact=pending")
    row = admin.locator("#result_list tbody tr", has_text="The bridge gave me chills.")
    assert row.count() == 1
    shoot("admin-queue", admin)
    row.locator("input[name=_selected_action]").check()
    admin.locator("select[name=action]").select_option("approve")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_be_visible()
    shoot("admin-approved", admin)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    page.reload()
    assert "Awaiting moderation" not in article.inner_text()
    assert "The bridge gave me chills." in article.inner_text()
    shoot("approved")

    # 6. The artist publishes; the digest pass sends the fan their first digest.
    Post.objects.create(
        artist=artist,
        title="Sunrise (rough)",
        body="Made at dawn.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    assert out.getvalue().startswith("1 email(s) sent")
    (digest,) = [m for m in smtp.to("robin@example.com") if "Sunrise" in str(m["Subject"])]
    assert DigestDelivery.objects.get(user__email="robin@example.com").status == "sent"
    text = digest.get_body(("plain",)).get_content()
    assert "Hello Robin," in text
    assert "Your first digest from Fanhub: here is what's new since you followed." in text
    assert "Sunrise (rough)" in text
    reader = browser.new_context(viewport=viewport).new_page()
    reader.set_content(digest.get_body(("html",)).get_content())
    shoot("digest-email", reader)

    # 7. The unsubscribe link in the email asks, then unsubscribes: no login needed.
    unsubscribe = re.search(r"Unsubscribe in one click: (\S+)", text).group(1)
    assert str(digest["List-Unsubscribe"]).strip("<> ") == unsubscribe
    stranger = browser.new_context(viewport=viewport, base_url=live_server.url).new_page()
    stranger.goto(path_of(unsubscribe))
    expect(stranger.get_by_role("heading", name="Stop the digest emails?")).to_be_visible()
    shoot("unsubscribe-asks", stranger)
    stranger.get_by_role("button", name="Unsubscribe").click()
    expect(stranger.get_by_role("heading", name="Done: no more digests")).to_be_visible()
    shoot("unsubscribed", stranger)
    robin = User.objects.get(email="robin@example.com")
    assert DigestPreference.objects.get(user=robin).unsubscribed_at is not None

    # 8. The follow button now tells the truth.
    page.goto(artist.get_absolute_url())
    follow = page.locator(".follow").inner_text()
    assert "You unsubscribed, so following sends you no emails." in follow
    assert "one email every 7 days" not in follow
    shoot("follow-after-unsubscribe")
    assert errors == []
    for opened in (context, admin.context, reader.context, stranger.context):
        opened.close()
