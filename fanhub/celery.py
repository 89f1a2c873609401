"""Celery for Fanhub: settings come from Django's under the CELERY_ namespace;
tasks live in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init
from django.core.exceptions import ImproperlyConfigured

from fanhub import logs  # noqa: F401 - connects the one-line-per-task log
from fanhub.env import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanhub.settings")

app = Celery("fanhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _check_settings(**kwargs) -> None:
    # Digests sign their unsubscribe links. Celery logs and ignores a signal
    # handler's exceptions, so stop the worker outright.
    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        raise SystemExit(f"Not starting: {error}") from None


@beat_init.connect
def _first_pass(sender, **kwargs) -> None:
    # Beat's first interval only ends an hour after it starts; a pass now tells
    # /healthz at once that beat runs. Harmless: the ledger decides who is due.
    sender.app.send_task("fans.tasks.plan_digests")
