"""One-click unsubscribe, resume, and the email preferences on the account page."""

import pytest
from django.test import Client
from django.urls import reverse

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


def test_resume_link_turns_digests_back_on(client, fan):
    preference = DigestPreference.for_user(fan)
    preference.unsubscribe()
    url = reverse("resume_digests", args=[make_token(fan.pk, RESUME)])
    assert "Keep the emails coming?" in client.get(url).content.decode()
    client.post(url)
    preference.refresh_from_db()
    assert preference.receives_digests


def test_preferences_on_the_account_page(client, fan):
    client.force_login(fan)
    page = client.get(reverse("account")).content.decode()
    assert "At most one email every 7 days, and only when there is something new" in page
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
