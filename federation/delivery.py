"""Outgoing activities: one Delivery row per (activity, inbox), each sent by a Celery
task, signed as the artist, retried with exponential backoff for up to two days;
a server that keeps failing is paused rather than hammered."""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from federation import activities, fetch
from federation.models import ActorKey, Delivery, InstanceHealth, RemoteActor, host_of
from posts.models import Artist

log = logging.getLogger(__name__)


def follower_inboxes(artist: Artist) -> set[str]:
    """Where the artist's remote followers read: each shared inbox once."""
    actors = RemoteActor.objects.not_blocked().filter(follows__artist=artist)
    return {actor.delivery_inbox for actor in actors}


def queue(artist: Artist, activity: dict, inboxes: set[str]) -> list[int]:
    """Record a delivery per inbox and send each once the transaction commits."""
    from federation.tasks import deliver_activity  # tasks import this module

    created = []
    for inbox in sorted(inboxes):
        delivery, is_new = Delivery.objects.get_or_create(
            activity_id=activity["id"],
            inbox=inbox,
            defaults={"artist": artist, "activity": activity},
        )
        if is_new:
            created.append(delivery.pk)
    for pk in created:
        transaction.on_commit(lambda pk=pk: deliver_activity.delay(pk))
    return created


def to_followers(artist: Artist, activity: dict, also: set[str] = frozenset()) -> list[int]:
    return queue(artist, activity, follower_inboxes(artist) | set(also))


def _backoff(attempts: int) -> float:
    return settings.FEDERATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)


def deliver(delivery_id: int) -> float | None:
    """Try one delivery. Returns seconds to wait before the next try, or None when
    it is finished (delivered, refused for good, or given up after two days)."""
    delivery = Delivery.objects.select_related("artist").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return None
    give_up_at = delivery.created_at + timedelta(seconds=settings.FEDERATION_RETRY_FOR_SECONDS)
    now = timezone.now()
    health, _ = InstanceHealth.objects.get_or_create(host=host_of(delivery.inbox))
    if health.is_paused:
        if health.paused_until >= give_up_at:
            return _give_up(delivery, f"{health.host} is paused past the two days")
        return (health.paused_until - now).total_seconds()
    if now >= give_up_at:
        return _give_up(delivery, "Retried for two days")
    key = ActorKey.for_artist(delivery.artist)
    body = json.dumps(delivery.activity).encode()
    Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    try:
        status, _, _ = fetch.request(
            "POST",
            delivery.inbox,
            key=key.private_key(),
            key_id=activities.key_id(delivery.artist),
            body=body,
        )
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except fetch.FetchError as failure:
        status, error = 0, str(failure)[:300]
    if not error:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DELIVERED, delivered_at=timezone.now(), last_error=""
        )
        InstanceHealth.objects.filter(pk=health.pk).update(failures=0, paused_until=None)
        return None
    if 400 <= status < 500 and status not in (408, 429):
        # The server understood and refused: trying again would change nothing.
        return _give_up(delivery, error)
    Delivery.objects.filter(pk=delivery.pk).update(last_error=error)
    InstanceHealth.objects.filter(pk=health.pk).update(failures=F("failures") + 1)
    health.refresh_from_db()
    if health.failures >= settings.FEDERATION_PAUSE_AFTER_FAILURES:
        pause = timedelta(seconds=settings.FEDERATION_PAUSE_SECONDS)
        InstanceHealth.objects.filter(pk=health.pk).update(paused_until=timezone.now() + pause)
        log.warning("Pausing deliveries to %s after %d failures", health.host, health.failures)
    wait = _backoff(delivery.attempts + 1)
    if now + timedelta(seconds=wait) > give_up_at:
        wait = max((give_up_at - now).total_seconds(), 0)
    return wait


def _give_up(delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error=error)
    log.warning("Gave up delivering %s to %s: %s", delivery.activity_id, delivery.inbox, error)
    return None
