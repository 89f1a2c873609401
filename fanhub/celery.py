"""Celery for Fanhub: settings come from Django's under the CELERY_ namespace;
tasks live in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanhub.settings")

app = Celery("fanhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
