"""Shared by the studio's browser tests: an artist's member, signed in without the
login form (its wording belongs to the account pages' own tests), and the files an
artist chooses (made at test time by tests/audio.py and tests/images.py)."""

from allauth.account.models import EmailAddress
from django.conf import settings

from fans.models import User
from posts.models import Artist
from tests.audio import audio_bytes
from tests.e2e.conftest import DESKTOP, sign_in  # noqa: F401 (the studio tests' import)
from tests.images import image_bytes

PASSWORD = "a-long-demo-password"
SCREENSHOTS = settings.BASE_DIR / "screenshots"


def make_member(artist: Artist, email: str = "artist@example.com") -> User:
    user = User.objects.create_user(email, PASSWORD, display_name="Juniper")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    artist.members.add(user)
    return user


def open_studio(browser, live_server, user: User, js: bool = True, **options):
    """A signed-in page at desktop width, recording any HTTP error or script error in
    `page.problems`. Close its context when done: `page.context.close()`."""
    options.setdefault("viewport", DESKTOP)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=js, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    sign_in(page, user, live_server.url)
    return page


def screenshot(page, folder: str, name: str) -> None:
    """Saved in screenshots/<folder>/ (not in git) to look at; see README."""
    (SCREENSHOTS / folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / folder / f"{name}.png", full_page=True)


def cover_file(size=(900, 600)) -> dict:
    return {"name": "cover.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size)}


def audio_file(seconds: float = 2.0) -> dict:
    return {"name": "take1.wav", "mimeType": "audio/wav", "buffer": audio_bytes("wav", seconds)}


def chosen_files(page, label: str) -> int:
    """How many files the input labelled `label` holds right now."""
    return page.get_by_label(label, exact=True).evaluate("input => input.files.length")
