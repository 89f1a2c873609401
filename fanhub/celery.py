"""Celery for Fanhub: settings come from Django's under the CELERY_ namespace;
tasks live in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import worker_init

from fanhub.env import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanhub.settings")

app = Celery("fanhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _check_settings(**kwargs) -> None:
    require_secret_key()  # digests sign their unsubscribe links
