"""The operator's command, the studio's "Next digest" page, the ledger in the admin,
the last-visit stamp and the development mail viewer."""

from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fans.models import DigestDelivery, DigestPreference, User
from tests.fans.test_digests import make_follower, publish


def command(*args) -> str:
    out = StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_who_would_get_what_and_sends_nothing(artist, db):
    make_follower("a@example.com", artist)
    publish(artist, "New song")
    out = command("--dry-run")
    assert "a@example.com: New from Juniper Lane: New song" in out
    assert "post: New song" in out and "1 fan(s) due" in out
    assert mail.outbox == [] and not DigestDelivery.objects.exists()


def test_send_digests_sends_once(artist, db, django_capture_on_commit_callbacks):
    make_follower("a@example.com", artist)
    publish(artist, "New song")
    with django_capture_on_commit_callbacks(execute=True):
        command()
        command()
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


def test_send_digests_reports_what_it_sent_not_what_it_looked_at(artist, transactional_db, smtp):
    # No test transaction around it: the command's batches go out as they commit.
    make_follower("a@example.com", artist)
    make_follower("gone@example.com", artist)
    publish(artist, "New song")
    smtp.refuse = {"gone@example.com"}
    out = command()
    assert [m["To"] for m in smtp.messages] == ["a@example.com"]
    assert "1 email(s) sent, 1 refused by the fan's mail server, 0 waiting" in out
    assert "2 looked at" in out


def test_studio_next_digest_shows_who_is_due_and_a_preview(client, member, artist):
    make_follower("a@example.com", artist)
    make_follower("b@example.com", artist)
    publish(artist, "Fresh mix")
    client.force_login(member)
    page = client.get(reverse("studio_digest")).content.decode()
    assert "<strong>2</strong> followers of Juniper Lane are due" in page
    assert "Fresh mix" in page and "Send me a test" in page
    assert "a@example.com" not in page  # no fan's details


def test_studio_next_digest_is_for_members_only(client, fan):
    assert client.get(reverse("studio_digest")).status_code == 302
    client.force_login(fan)
    assert client.get(reverse("studio_digest")).status_code == 403
    assert client.post(reverse("studio_digest")).status_code == 403
    assert mail.outbox == []


def test_send_me_a_test_goes_only_to_the_artist_and_is_rate_limited(client, member, artist):
    make_follower("a@example.com", artist)
    publish(artist, "Fresh mix")
    client.force_login(member)
    for _ in range(7):
        client.post(reverse("studio_digest"))
    assert {tuple(m.to) for m in mail.outbox} == {(member.email,)}
    assert len(mail.outbox) == 5
    assert not DigestDelivery.objects.exists()


def test_admin_ledger_is_read_only_and_searchable(client, staff, fan):
    DigestDelivery.objects.create(
        user=fan, period_start=timezone.now(), status="sent", subject="New from Juniper Lane: X"
    )
    client.force_login(staff)
    url = reverse("admin:fans_digestdelivery_changelist")
    page = client.get(url, {"q": "fan@example.com", "status__exact": "sent"})
    assert "New from Juniper Lane: X" in page.content.decode()
    row = DigestDelivery.objects.get()
    change = client.post(
        reverse("admin:fans_digestdelivery_change", args=[row.pk]), {"status": "failed"}
    )
    assert change.status_code == 403
    assert client.get(reverse("admin:fans_digestdelivery_add")).status_code == 403


def test_admin_user_page_shows_digest_history_and_pauses(client, staff, fan):
    DigestDelivery.objects.create(
        user=fan, period_start=timezone.now(), status="failed", subject="Bounced one"
    )
    DigestPreference.objects.create(user=fan, paused_at=timezone.now(), consecutive_failures=3)
    client.force_login(staff)
    page = client.get(reverse("admin:fans_user_change", args=[fan.pk])).content.decode()
    assert "Digest history" in page and "Bounced one" in page
    listing = client.get(
        reverse("admin:fans_user_changelist"), {"digest_preference__paused_at__isempty": "0"}
    )
    assert list(listing.context["cl"].queryset) == [fan]


def test_visits_are_remembered_once_a_day(client, fan):
    client.force_login(fan)
    client.get("/")
    fan.refresh_from_db()
    first = fan.last_seen_at
    assert first is not None
    client.get("/")
    fan.refresh_from_db()
    assert fan.last_seen_at == first
    User.objects.filter(pk=fan.pk).update(last_seen_at=timezone.now() - timedelta(days=2))
    client.get("/")
    fan.refresh_from_db()
    assert fan.last_seen_at > first - timedelta(seconds=1)


def test_dev_mail_viewer_shows_sent_mail_in_debug(client, staff, settings, tmp_path):
    from django.core.mail import EmailMultiAlternatives

    client.force_login(staff)  # staff only (tests/fanhub/test_dev_mail.py)
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    message = EmailMultiAlternatives("Hello there", "plain words", to=["x@example.com"])
    message.attach_alternative("<p>html “words” · é</p>", "text/html")
    message.send()
    assert "Hello there" in client.get("/dev/mail/").content.decode()
    assert "plain words" in client.get("/dev/mail/0/").content.decode()
    assert "html “words” · é" in client.get("/dev/mail/0/html/").content.decode()
    settings.DEBUG = False
    assert client.get("/dev/mail/").status_code == 404
