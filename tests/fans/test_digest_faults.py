"""Digests when parts fail (issue 10): a worker that dies mid-send, an SMTP server
that is down or asks us to slow down, a broker that forgets its queue. Each test
failed before its fix. The real SMTP server of conftest.py; time moves with
time-machine."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from fans import delivery
from fans.models import DigestDelivery
from posts.models import Post
from tests.fans.test_digests import make_follower, publish

Status = DigestDelivery.Status


def at(delta: timedelta):
    return time_machine.travel(timezone.now() + delta, tick=True)


# Fault 4: rows stuck in "sending" after a worker died


def test_a_row_left_sending_past_any_task_becomes_unknown_and_still_counts(
    client, staff, artist, follower, smtp, plan, run_pass
):
    publish(artist, "New")
    (row_id,) = plan()
    assert delivery.claim(row_id) == [row_id]  # claimed, then the worker was killed
    limit = delivery.UNKNOWN_AFTER
    assert limit > timedelta(seconds=delivery.SEND_TIME_LIMIT)  # longer than any task
    with at(limit - timedelta(minutes=1)):
        run_pass()
        assert DigestDelivery.objects.get().status == Status.SENDING  # may still be sending
    with at(limit + timedelta(minutes=1)):
        run_pass()
        row = DigestDelivery.objects.get()
        assert row.status == Status.UNKNOWN and "may have been sent" in row.error
        assert smtp.messages == []  # nothing resent: a fan may miss one, never get two
        client.force_login(staff)
        ledger = client.get(reverse("admin:fans_digestdelivery_changelist")).content.decode()
        assert "Unknown: may have been sent" in ledger
        client.force_login(follower)
        history = client.get(reverse("account")).content.decode()
        assert "may have been sent" in history
    # It still counts for the interval: nothing until a week after the claim.
    with at(timedelta(days=6)):
        publish(artist, "Newer")
        run_pass()
        assert smtp.messages == []
    with at(timedelta(days=7, minutes=1)):
        run_pass()
        assert len(smtp.messages) == 1


# Fault 5: rows waiting for the mail server say why


def test_rows_queued_by_an_smtp_outage_say_why_they_wait(
    client, staff, artist, follower, smtp, settings, run_pass
):
    publish(artist, "New")
    real_port, settings.EMAIL_PORT = settings.EMAIL_PORT, 1  # nothing listens there
    retry = run_pass()
    row = DigestDelivery.objects.get()
    assert retry == [row.pk] and row.status == Status.QUEUED
    assert "could not be reached" in row.error and "refused" in row.error.lower()
    client.force_login(staff)
    ledger = client.get(reverse("admin:fans_digestdelivery_changelist")).content.decode()
    assert "could not be reached" in ledger
    settings.EMAIL_PORT = real_port
    assert delivery.send_batch(retry) == []
    row.refresh_from_db()
    assert row.status == Status.SENT and row.error == ""


# Fault 6: a throttling server is not hammered


def test_the_first_temporary_failure_stops_the_batch(artist, smtp, run_pass):
    fans = [make_follower(f"fan{n}@example.com", artist) for n in range(4)]
    publish(artist, "New")
    smtp.script = ["451 4.7.0 Slow down, please"]
    retry = run_pass()
    assert smtp.attempts == 1  # no second message after the server said "later"
    assert smtp.connections == 1  # and no reconnecting to try the rest
    rows = DigestDelivery.objects.order_by("pk")
    assert sorted(retry) == [row.pk for row in rows]
    for row in rows:
        assert row.status == Status.QUEUED
        assert "451" in row.error and "try later" in row.error
    # The retry (with backoff, from the task) sends the whole batch.
    assert delivery.send_batch(retry) == []
    assert sorted(m["To"] for m in smtp.messages) == sorted(f.email for f in fans)
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_fans_permanent_refusal_does_not_stop_the_batch(artist, smtp, run_pass):
    make_follower("gone@example.com", artist)
    make_follower("here@example.com", artist)
    smtp.refuse = {"gone@example.com"}
    publish(artist, "New")
    assert run_pass() == []
    assert [m["To"] for m in smtp.messages] == ["here@example.com"]


# Fault 9: a broker that forgets its queue


def test_a_batch_lost_with_the_broker_goes_out_on_a_later_pass(
    artist, follower, smtp, plan, run_pass
):
    publish(artist, "New")
    plan()  # handed to a broker that restarted without persistence: lost
    with at(timedelta(hours=1, minutes=1)):
        assert run_pass() == []
    assert len(smtp.messages) == 1


def test_a_row_queued_longer_than_a_pass_interval_is_resent_even_if_its_fan_is_not_due(
    artist, follower, smtp, settings, plan
):
    """Its fan's news went away (the post went back to draft): the row is dropped
    by the worker, not left "queued" in the ledger forever."""
    post = publish(artist, "New")
    (row_id,) = plan()  # lost with the broker
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    interval = timedelta(seconds=settings.FANHUB_DIGEST_PASS_SECONDS)
    with at(interval - timedelta(minutes=1)):
        assert plan() == []  # its task may only be late
    with at(interval + timedelta(minutes=1)):
        handed = plan()
        assert handed == [row_id]
        assert delivery.send_batch(handed) == []
    assert not DigestDelivery.objects.exists()
    assert smtp.messages == []
