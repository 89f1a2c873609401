"""Audits of every page a person sees: axe-core in a real browser (light and dark)
finds no accessibility violation, and the Nu Html Checker finds no error in the
served HTML or in the digest email. Screenshots of each page, light and dark, at
390 and 1280 px, go to screenshots/ to be looked at.

The tools come from tests/audit/package.json (`npm ci --prefix tests/audit`, run
by .ci/run); the checker needs java.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from fans import emails
from fans.digests import compose
from fans.models import Follow, User
from posts.audio import make_waveform
from posts.models import Artist, Comment, HubSettings, Post
from tests.audio import make_mix
from tests.images import image_bytes, upload

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tests" / "audit" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
SHOTS = ROOT / "screenshots" / "audit"


def need(path: Path, what: str) -> None:
    if path.exists():
        return
    message = f"{what} missing at {path}: run `npm ci --prefix tests/audit`."
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def site(transactional_db):
    """One artist with a face, a note, a mix with comments and a followers-only mix, and
    a fan who follows."""
    artist = Artist.objects.create(
        name="Juniper Lane", slug="juniper-lane", bio="Night songs from a small room."
    )
    artist.avatar.save("a.jpg", upload(image_bytes((240, 240))))
    member = User.objects.create_user(
        "j@example.com", "a-long-demo-password", display_name="Juniper"
    )
    artist.members.add(member)
    fan = User.objects.create_user("fan@example.com", "a-long-demo-password", display_name="Sam")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=fan, email=fan.email, verified=True, primary=True)
    Follow.objects.create(user=fan, artist=artist)
    now = timezone.now()
    note = Post.objects.create(
        artist=artist,
        title="Notes from the road",
        body="We played *three* shows.\n\n- Leeds\n- York",
        status="published",
        published_at=now - timezone.timedelta(hours=2),
    )
    mix = Post.objects.create(
        artist=artist,
        title="Night drive",
        body="Rough mix, louder vocals.",
        kind=Post.Kind.MIX,
        status="published",
        published_at=now - timezone.timedelta(hours=1),
    )
    version = make_mix(mix, "wav", seconds=4, version="v1")
    make_waveform(version.pk)
    # Followers only: a locked card, with its lock and "Follow to listen", on the
    # anonymous home and artist pages.
    locked = Post.objects.create(
        artist=artist,
        title="Back room take",
        body="For the ones who stayed.",
        kind=Post.Kind.MIX,
        visibility=Post.Visibility.FOLLOWERS,
        status="published",
        published_at=now - timezone.timedelta(hours=3),
    )
    make_waveform(make_mix(locked, "wav", seconds=2, version="v1").pk)
    Comment.objects.create(
        post=mix, author=fan, body="This bit!", status="approved", at_seconds=2, mix=version
    )
    Comment.objects.create(post=note, author=fan, body="See you in York", status="approved")
    return {"artist": artist, "member": member, "fan": fan, "note": note, "mix": mix}


def pages(site) -> list[tuple[str, User | None, str]]:
    return [
        ("home", None, "/"),
        ("artist", None, site["artist"].get_absolute_url()),
        ("note", None, site["note"].get_absolute_url()),
        ("mix", site["fan"], site["mix"].get_absolute_url()),
        ("signup", None, "/accounts/signup/"),
        ("login", None, "/accounts/login/"),
        ("account", site["fan"], "/account/"),
        ("following", site["fan"], "/following/"),
        ("studio", site["member"], "/studio/"),
        ("write", site["member"], "/studio/posts/new/"),
    ]


def new_context(browser, live_server, user, **options):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **options)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return context


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page(browser, live_server, site, scheme):
    need(AXE, "axe-core")
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for name, user, url in pages(site):
        for width in (390, 1280):
            context = new_context(
                browser,
                live_server,
                user,
                color_scheme=scheme,
                viewport={"width": width, "height": 900},
            )
            page = context.new_page()
            assert page.goto(url).status == 200, url
            page.screenshot(path=str(SHOTS / f"{name}-{scheme}-{width}.png"), full_page=True)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert result["passes"], "axe ran no check"
            for violation in result["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                found.setdefault(f"{name} {width}px", []).append(
                    f"{violation['id']}: {violation['help']} {targets}"
                )
            context.close()
    assert found == {}


def test_the_nu_html_checker_finds_no_error(browser, live_server, site, tmp_path):
    need(VNU, "vnu-jar")
    java = shutil.which("java")
    if java is None:
        if os.environ.get("CI") == "true":
            pytest.fail("java is missing: .ci/run installs it.")
        pytest.skip("java is missing (apt-get install default-jre-headless).")
    files = []
    for name, user, url in pages(site):
        context = new_context(browser, live_server, user)
        response = context.request.get(url)
        assert response.status == 200, url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.body())
        files.append(path)
        context.close()
    # The fan followed and joined before the posts, so both are new to them.
    Follow.objects.update(created_at=timezone.now() - timezone.timedelta(days=2))
    digest = compose(site["fan"], timezone.now() - timezone.timedelta(days=3), HubSettings.load())
    email = emails.test_digest_email(site["fan"].email, digest)
    path = tmp_path / "digest-email.html"
    path.write_text(email.alternatives[0][0])
    files.append(path)
    run = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']} {m.get('extract', '')!r}"
        for m in messages
        if m["type"] == "error"
    ]
    assert errors == []
