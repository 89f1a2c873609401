"""Test-only overrides on top of the real settings module."""

import os

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

# Serve static files straight from static/ in tests (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ROOT_URLCONF = "tests.urls"

# A real worker runs inside the test process (celery.contrib.testing): against Redis
# when REDIS_URL is set (CI), else kombu's in-memory transport.
CELERY_BROKER_URL = os.environ.get("REDIS_URL") or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# A queue of this run's own, so no message left in a shared Redis is consumed here.
CELERY_TASK_DEFAULT_QUEUE = f"fanhub-tests-{os.getpid()}"
# Federation: this run's own queue too, and remote servers on loopback are allowed.
FEDERATION_QUEUE = f"federation-tests-{os.getpid()}"
CELERY_TASK_ROUTES = {"federation.tasks.*": {"queue": FEDERATION_QUEUE}}
FEDERATION_ALLOW_LOOPBACK = True
