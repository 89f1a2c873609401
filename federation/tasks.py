"""Celery tasks (on the `federation` queue): thin shells taking ids."""

from celery import shared_task

from federation import delivery, publishing


@shared_task(soft_time_limit=60, time_limit=90)
def deliver_activity(delivery_id: int) -> None:
    wait = delivery.deliver(delivery_id)
    if wait is not None:
        deliver_activity.apply_async(args=[delivery_id], countdown=wait)


@shared_task
def federate_due_posts() -> int:
    """Scheduled public posts whose time has come (nothing saves them then)."""
    return publishing.due_posts()
