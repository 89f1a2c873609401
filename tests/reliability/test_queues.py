"""Each kind of work has its own Celery queue: a digest batch never delays a
waveform, and account email never waits behind either."""

from pathlib import Path

import pytest
from django.conf import settings

from fanhub import settings as production
from fanhub.celery import app
from tests.settings import QUEUE_SUFFIX

EXPECTED = {
    "fans.tasks.plan_digests": "digests",
    "fans.tasks.send_digests": "digests",
    "posts.tasks.make_waveform": "waveforms",
    "posts.tasks.draw_missing_waveforms": "waveforms",
    "fans.mail_tasks.send_account_email": "email",
    "federation.tasks.deliver_activity": "federation",
    "federation.tasks.federate_due_posts": "federation",
}


def routed(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(("task_name", "queue"), EXPECTED.items())
def test_each_task_goes_to_its_own_queue(task_name, queue):
    assert task_name in app.tasks  # a renamed task must not slip to the default queue
    assert routed(task_name) == queue + QUEUE_SUFFIX


def test_production_routes_name_the_plain_queues():
    for task_name, queue in EXPECTED.items():
        [route] = [
            r["queue"]
            for pattern, r in production.CELERY_TASK_ROUTES.items()
            if task_name.startswith(pattern.rstrip("*"))
        ]
        assert route == queue
    # A worker started without -Q consumes every one of them.
    assert {q.name for q in production.CELERY_TASK_QUEUES} == {"celery", *EXPECTED.values()}
    # Each bound by its own key: a message for one queue is never copied to another.
    assert all(q.routing_key == q.name for q in production.CELERY_TASK_QUEUES)


def test_the_test_worker_consumes_every_queue(celery_worker):
    consumed = {q.name for q in celery_worker.consumer.task_consumer.queues}
    assert consumed == {q.name for q in settings.CELERY_TASK_QUEUES}
    assert {routed(name) for name in EXPECTED} < consumed


def worker_queues(command: str) -> set[str]:
    words = command.split()
    return set(words[words.index("-Q") + 1].split(",")) if "-Q" in words else set()


def test_make_run_consumes_every_queue_and_digests_have_a_worker_of_their_own():
    procfile = (Path(settings.BASE_DIR) / "Procfile.dev").read_text().splitlines()
    workers = [line for line in procfile if " worker " in line]
    consumed = [worker_queues(line) for line in workers]
    assert set().union(*consumed) == {q.name for q in production.CELERY_TASK_QUEUES}
    # Waveforms and account email never share a worker with digest batches.
    assert all(not ({"waveforms", "email"} & q and "digests" in q) for q in consumed)


def drain(channel, queue: str) -> int:
    count = 0
    while channel.basic_get(queue, no_ack=True) is not None:
        count += 1
    return count


def test_a_task_lands_in_its_own_queue_only(transactional_db):
    from posts.tasks import draw_missing_waveforms

    names = [q.name for q in settings.CELERY_TASK_QUEUES]
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for name in names:  # declared and bound, and empty to start with
            app.amqp.queues[name](channel).declare()
            drain(channel, name)
        draw_missing_waveforms.delay()
        counts = {name: drain(channel, name) for name in names}
    assert counts == {name: int(name.startswith("waveforms-")) for name in names}
