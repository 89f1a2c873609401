"""A fan's first digest doesn't speak of a "last email" they never had."""

import pytest

from fans import delivery
from fans.models import DigestDelivery
from tests.fans.test_digests import later, make_follower, publish

FIRST = "Your first digest from Fanhub: here is what's new since you followed."
LATER = "Here is what's new since your last email from Fanhub."


@pytest.fixture
def follower(artist):
    return make_follower("listener@example.com", artist)


@pytest.fixture
def run_pass(django_capture_on_commit_callbacks):
    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            delivery.plan(send=delivery.send_batch)

    return run


def parts(message) -> list[str]:
    return [message.get_body((kind,)).get_content() for kind in ("plain", "html")]


def test_the_first_digest_says_since_you_followed_the_next_since_your_last(
    artist, follower, smtp, run_pass
):
    publish(artist, "First song")
    run_pass()
    for body in parts(smtp.messages[0]):
        assert FIRST.replace("'", "&#x27;") in body or FIRST in body
        assert "since your last email" not in body
    with later(7.01):
        publish(artist, "Second song")
        run_pass()
    assert DigestDelivery.objects.filter(status="sent").count() == 2
    for body in parts(smtp.messages[1]):
        assert LATER in body or LATER.replace("'", "&#x27;") in body
        assert "first digest" not in body


def test_the_studio_test_email_claims_no_history(client, member, artist, smtp):
    publish(artist, "New song")
    client.force_login(member)
    client.post("/studio/digest/")
    for body in parts(smtp.messages[0]):
        assert "since your last email" not in body and "first digest" not in body
