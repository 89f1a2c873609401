"""Test-only overrides on top of the real settings module."""

import os

from kombu import Queue

os.environ.setdefault(
    "SECRET_KEY", "test-only-secret-key-that-is-long-and-random-enough-0123456789"
)

from fanhub.settings import *  # noqa: E402,F403

# Tests talk plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Account email inline, so tests read it from the outbox at once; the worker's way
# (production's) is tested in tests/reliability/test_account_email.py.
FANHUB_ACCOUNT_EMAIL_BY_WORKER = False

# Serve static files straight from static/ in tests (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ROOT_URLCONF = "tests.urls"

# A real worker runs inside the test process (celery.contrib.testing): against Redis
# when REDIS_URL is set (CI), else kombu's in-memory transport.
CELERY_BROKER_URL = os.environ.get("REDIS_URL") or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_OPTIONS  # noqa: F405
# Queues of this run's own, so no message left in a shared Redis is consumed here.
# Same routes as production, each queue suffixed; the test worker consumes them all.
QUEUE_SUFFIX = f"-tests-{os.getpid()}"
CELERY_TASK_DEFAULT_QUEUE = f"fanhub{QUEUE_SUFFIX}"
CELERY_TASK_ROUTES = {
    pattern: {"queue": route["queue"] + QUEUE_SUFFIX}
    for pattern, route in CELERY_TASK_ROUTES.items()  # noqa: F405
}
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name)
    for name in [CELERY_TASK_DEFAULT_QUEUE, *(r["queue"] for r in CELERY_TASK_ROUTES.values())]
]

# The page cache is part of what the tests check, with Redis (CI) or without: the
# test process and its in-process worker share one local-memory cache.
FANHUB_PAGE_CACHE = True
