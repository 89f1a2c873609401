"""One-click unsubscribe, resume, and the email preferences on the account page."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fans.models import DigestPreference
from fans.tokens import RESUME, UNSUBSCRIBE, make_token


@pytest.fixture
def link(fan):
    return reverse("unsubscribe", args=[make_token(fan.pk, UNSUBSCRIBE)])


def test_get_only_asks_because_mail_scanners_follow_links(client, fan, link):
    response = client.get(link)
    assert response.status_code == 200
    assert "Stop the digest emails?" in response.content.decode()
    assert not DigestPreference.objects.filter(unsubscribed_at__isnull=False).exists()


def test_the_button_unsubscribes_without_logging_in(fan, link):
    response = Client(enforce_csrf_checks=True).post(link)
    assert response.status_code == 200
    assert "no more digests" in response.content.decode()
    assert DigestPreference.objects.get(user=fan).unsubscribed_at is not None


def test_rfc8058_one_click_post_exactly_as_a_mail_provider_sends_it(fan, link):
    # No cookies, no CSRF token, a form body of "List-Unsubscribe=One-Click".
    response = Client(enforce_csrf_checks=True).post(
        link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert DigestPreference.objects.get(user=fan).unsubscribed_at is not None


@pytest.mark.parametrize("token", ["garbage", "MQ:1xWtnb:tampered-signature"])
def test_a_tampered_or_unknown_token_gets_a_clear_400(client, db, token):
    for method in (client.get, client.post):
        response = method(reverse("unsubscribe", args=[token]))
        assert response.status_code == 400
        assert "This link doesn't work" in response.content.decode()


def test_a_token_for_someone_who_left_is_400(client, fan, link):
    fan.delete()
    assert client.post(link).status_code == 400


def test_a_resume_token_cannot_unsubscribe_and_vice_versa(client, fan):
    assert client.post(reverse("unsubscribe", args=[make_token(fan.pk, RESUME)])).status_code == 400
    assert (
        client.post(reverse("resume_digests", args=[make_token(fan.pk, UNSUBSCRIBE)])).status_code
        == 400
    )


def resume_link(fan) -> str:
    return reverse("resume_digests", args=[make_token(fan.pk, RESUME)])


def test_resume_link_ends_a_pause_for_a_long_absence(client, fan):
    DigestPreference.objects.create(user=fan, dormant_since=timezone.now())
    url = resume_link(fan)
    assert "Keep the emails coming?" in client.get(url).content.decode()
    assert "Welcome back" in client.post(url).content.decode()
    assert DigestPreference.objects.get(user=fan).receives_digests


@pytest.mark.parametrize("stop", ["unsubscribe", "never"])
def test_an_old_resume_link_cannot_undo_an_explicit_stop(client, fan, stop):
    # The farewell email went out, then the fan said stop: that wins over the old link.
    preference = DigestPreference.objects.create(user=fan, dormant_since=timezone.now())
    if stop == "unsubscribe":
        preference.unsubscribe()
    else:
        DigestPreference.objects.filter(pk=preference.pk).update(frequency="off")
    url = resume_link(fan)
    page = client.get(url).content.decode()
    assert "You turned the digests off" in page and "Yes, resume" not in page
    response = client.post(url)
    assert response.status_code == 200 and "Welcome back" not in response.content.decode()
    after = DigestPreference.objects.get(user=fan)
    assert not after.receives_digests
    assert (after.unsubscribed_at is not None) == (stop == "unsubscribe")
    assert after.frequency == ("off" if stop == "never" else "weekly")


def forged_tokens(fan, purpose: str) -> list[str]:
    real = make_token(fan.pk, purpose)
    return [
        str(fan.pk),  # a plain id
        signing.dumps(fan.pk, key="not-our-secret-key-at-all-0123456789", salt=purpose),
        signing.dumps(fan.pk),  # our key, but not for this purpose
        real[:-2] + ("AA" if real[-2:] != "AA" else "BB"),  # a real one, signature changed
    ]


def test_a_forged_unsubscribe_link_for_an_existing_fan_is_400(client, fan):
    for token in forged_tokens(fan, UNSUBSCRIBE):
        for method in (client.get, client.post):
            response = method(reverse("unsubscribe", args=[token]))
            assert response.status_code == 400, token
            assert "This link doesn't work" in response.content.decode()
    assert not DigestPreference.objects.filter(unsubscribed_at__isnull=False).exists()


def test_a_forged_resume_link_for_an_existing_fan_is_400(client, fan):
    DigestPreference.objects.create(user=fan, dormant_since=timezone.now())
    for token in forged_tokens(fan, RESUME):
        for method in (client.get, client.post):
            response = method(reverse("resume_digests", args=[token]))
            assert response.status_code == 400, token
            assert "This link doesn't work" in response.content.decode()
    assert DigestPreference.objects.get(user=fan).dormant_since is not None


def test_preferences_on_the_account_page(client, fan):
    client.force_login(fan)
    page = client.get(reverse("account")).content.decode()
    assert "At most one email every 7 days, and only when there is something new" in page
    client.post(reverse("email_preferences"), {"frequency": "monthly"})
    assert "At most one email every 30 days" in client.get(reverse("account")).content.decode()
    client.post(reverse("email_preferences"), {"frequency": "weekly"})
    assert 'value="weekly"' in page and "checked" in page
    client.post(reverse("email_preferences"), {"frequency": "monthly"})
    assert DigestPreference.objects.get(user=fan).frequency == "monthly"
    client.post(reverse("email_preferences"), {"frequency": "daily"})  # not a choice
    assert DigestPreference.objects.get(user=fan).frequency == "monthly"
    DigestPreference.for_user(fan).unsubscribe()
    page = client.get(reverse("account")).content.decode()
    assert "You unsubscribed on" in page
    client.post(reverse("email_preferences"), {"resume": "1"})
    assert DigestPreference.objects.get(user=fan).receives_digests
