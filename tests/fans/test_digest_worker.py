"""Digests through a real Celery worker and a real SMTP server, and passes racing
each other. These commit for real (transactional_db), like production."""

import threading
import time

import pytest
from django.db import connection

from fans import delivery, tasks
from fans.models import DigestDelivery
from tests.fans.test_digests import make_follower, publish
from tests.polling import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_beats_pass_through_the_worker_delivers_digests(artist, smtp, celery_worker):
    fans = [make_follower(f"fan{n}@example.com", artist) for n in range(3)]
    publish(artist, "Late night demo")
    tasks.plan_digests.delay()
    wait_for(lambda: len(smtp.messages) == 3)
    assert {m["To"] for m in smtp.messages} == {f.email for f in fans}
    message = smtp.messages[0]
    assert message.get_body(("html",)) and message.get_body(("plain",))
    assert "Late night demo" in str(message["Subject"])
    wait_for(lambda: DigestDelivery.objects.filter(status="sent").count() == 3)
    # Running the pass again sends nothing: the ledger says they had theirs.
    tasks.plan_digests.delay()
    tasks.send_digests.delay(list(DigestDelivery.objects.values_list("pk", flat=True)))
    time.sleep(1)
    assert len(smtp.messages) == 3


def test_451_twice_then_accepted_is_one_delivery(artist, smtp, celery_worker):
    make_follower("patient@example.com", artist)
    publish(artist, "Take three")
    smtp.script = ["451 4.7.1 Greylisted, try again", "451 4.7.1 Greylisted, try again"]
    ids: list[int] = []
    delivery.plan(send=ids.extend)
    tasks.send_digests.delay(ids)
    wait_for(lambda: DigestDelivery.objects.filter(status="sent").exists())
    row = DigestDelivery.objects.get()
    assert row.attempts == 3
    assert len(smtp.messages) == 1


def test_a_task_run_twice_for_the_same_fan_and_window_is_one_delivery(artist, smtp, celery_worker):
    make_follower("twice@example.com", artist)
    publish(artist, "Once only")
    ids: list[int] = []
    delivery.plan(send=ids.extend)
    tasks.send_digests.delay(ids)
    tasks.send_digests.delay(ids)
    wait_for(lambda: DigestDelivery.objects.filter(status="sent").exists())
    time.sleep(0.5)
    assert len(smtp.messages) == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises all writes; the race needs PostgreSQL (CI runs it there)",
)
def test_two_scheduling_passes_at_once_give_one_digest_per_fan(artist, smtp):
    for n in range(20):
        make_follower(f"racer{n}@example.com", artist)
    publish(artist, "Race")
    start = threading.Barrier(2)
    handed_on: list[list[int]] = [[], []]

    def one_pass(slot: int) -> None:
        start.wait()
        try:
            delivery.plan(send=handed_on[slot].extend)
            start.wait()
            delivery.send_batch(handed_on[slot])
        finally:
            connection.close()

    threads = [threading.Thread(target=one_pass, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(smtp.messages) == 20
    assert len({m["To"] for m in smtp.messages}) == 20
    assert DigestDelivery.objects.count() == 20


def test_a_worker_holds_at_most_10_claimed_digests_not_yet_sent(artist, smtp, settings):
    """What a killed worker can cost: rows claimed (they count as sent) but not yet
    handed to SMTP. Checked from the mail server at every message of a batch of 35."""
    settings.FANHUB_DIGEST_BATCH = 35
    for n in range(35):
        make_follower(f"held{n}@example.com", artist)
    publish(artist, "Held")
    ids: list[int] = []
    delivery.plan(send=ids.extend)
    claimed_not_sent: list[int] = []

    def look() -> None:
        try:
            claimed = DigestDelivery.objects.filter(status="sending").count()
            claimed_not_sent.append(claimed - len(smtp.messages))
        finally:
            connection.close()

    smtp.on_data = look
    assert delivery.send_batch(ids) == []
    assert len(smtp.messages) == 35 and len(claimed_not_sent) == 35
    assert max(claimed_not_sent) == 10  # a group of 10 claimed at once, never more
