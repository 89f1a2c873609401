"""Fanhub settings: one file, driven by environment variables (see README).

Defaults are safe for production; `make run` turns DEBUG on for a local demo.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from fanhub.cache import redis_cache
from fanhub.env import env_bool, env_int, env_list, env_str, parse_email_url, served_site_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FANHUB_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# Required when DEBUG is off, but only by what signs things: the web and worker
# processes refuse to start without it (require_secret_key), while commands that
# need none (makemigrations, collectstatic) still run.
SECRET_KEY = env_str("SECRET_KEY") or (
    "insecure-local-development-key-only-used-when-DEBUG-is-on" if DEBUG else ""
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Absolute links in feeds and emails when there is no request to ask. In development,
# commands run by hand (send_digests) link to the site `make run` serves: it writes its
# address to var/site_url.
SITE_URL = (
    env_str("SITE_URL") or (served_site_url(VAR_DIR) if DEBUG else "") or "http://127.0.0.1:8000"
).rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Fanhub")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "fans",
    "posts",
]

MIDDLEWARE = [
    "fanhub.logs.RequestLogMiddleware",  # outermost: one line for every request
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous visitors' pages from Redis, before the session, CSRF, auth and
    # messages middleware (posts/pagecache.py), stored gzipped when the browser takes
    # it; only pages without a secret are compressed (fanhub/compression.py: BREACH);
    # ETags and 304s for every GET, computed before compression.
    "posts.pagecache.AnonymousPageCacheMiddleware",
    "fanhub.compression.SecretFreeGZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "fans.middleware.LastSeenMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "fanhub.urls"
WSGI_APPLICATION = "fanhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanhub.context_processors.site",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fanhub.sqlite3'}"),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {error}") from None

REDIS_URL = env_str("REDIS_URL")
# The cache holds rate-limit counters only; with Redis gone it fails open to each
# process's memory (fanhub/cache.py), so log-in, sign-up and comments keep working.
CACHES = {
    "default": (
        redis_cache(REDIS_URL)
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions in the database, never in the cache: Redis going away logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "fans.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Accounts: email only, verified before a fan may take part.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password was changed", and the like
ACCOUNT_CHANGE_EMAIL = True  # one address per account: changing it replaces it
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# allauth limits failed logins, sign-ups and resets per client IP. Behind nginx every
# request comes from nginx, so one visitor could lock everyone out: with N proxies
# of ours in front, the client is the Nth address from the right of X-Forwarded-For.
# Leave 0 (REMOTE_ADDR) when nothing sits in front: the header could be forged.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0, minimum=0)
# Account email is sent by the worker, retried with backoff (fans/adapter.py); the
# request never waits on SMTP. Inline only when the broker is unreachable.
ACCOUNT_ADAPTER = "fans.adapter.AccountAdapter"
FANHUB_ACCOUNT_EMAIL_BY_WORKER = True
FANHUB_EMAIL_RETRY_SECONDS = env_int("FANHUB_EMAIL_RETRY_SECONDS", 30, minimum=0)
FANHUB_EMAIL_MAX_RETRIES = env_int("FANHUB_EMAIL_MAX_RETRIES", 8, minimum=0)  # ~2 h in all
# Following the confirmation link (in the browser that signed up) signs the fan in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "fans.forms.SignupForm"  # adds the optional display name
ACCOUNT_FORMS = {"login": "fans.forms.LoginForm"}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Mix audio (posts/storage.py): FANHUB_AUDIO_ROOT, or a private bucket below.
    "audio": {"BACKEND": "posts.storage.LocalAudioStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


# Object storage (django-storages, any S3-compatible service), for hubs that run
# on more than one machine: with a bucket named, covers, avatars and waveforms go
# to it under media/ (publicly readable: give that prefix a public-read policy),
# and mix audio under audio/ (or its own bucket), private, reached only through a
# presigned URL that expires after FANHUB_AUDIO_URL_SECONDS.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
FANHUB_AUDIO_URL_SECONDS = env_int("FANHUB_AUDIO_URL_SECONDS", 300, minimum=10)
if AWS_STORAGE_BUCKET_NAME:
    AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID") or None  # else boto3's own lookup
    AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY") or None
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None  # MinIO, R2, Garage…
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE") or None  # "path" for MinIO
    AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN") or None  # a CDN for media/
    AWS_S3_SIGNATURE_VERSION = "s3v4"  # presigned URLs that say when they expire
    AWS_S3_FILE_OVERWRITE = False
    AWS_DEFAULT_ACL = None  # the bucket's policy decides; many services have no ACLs
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "media", "querystring_auth": False},
    }
    STORAGES["audio"] = {
        "BACKEND": "posts.s3.PrivateAudioS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("FANHUB_AUDIO_BUCKET_NAME") or AWS_STORAGE_BUCKET_NAME,
            "location": "audio",
            "querystring_auth": True,
            "querystring_expire": FANHUB_AUDIO_URL_SECONDS,
            "custom_domain": None,  # presigned URLs must name the service itself
        },
    }
    STORAGE_ORIGINS = [
        origin
        for origin in (
            AWS_S3_ENDPOINT_URL or "https://*.amazonaws.com",
            AWS_S3_CUSTOM_DOMAIN and f"https://{AWS_S3_CUSTOM_DOMAIN}",
        )
        if origin
    ]
else:
    STORAGE_ORIGINS = []

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Email: SMTP in production; in development every message is a file under var/mail/.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <hello@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = env_str("EMAIL_URL")
# Seconds. Well under gunicorn's 30 s request timeout, for anything still sent inline.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
if EMAIL_URL:
    globals().update(parse_email_url(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Uploads: refuse big files before they fill the disk.
FANHUB_MAX_IMAGE_BYTES = env_int("FANHUB_MAX_IMAGE_BYTES", 10 * 1024 * 1024, minimum=1)
FANHUB_MAX_IMAGE_PIXELS = env_int("FANHUB_MAX_IMAGE_PIXELS", 40_000_000, minimum=1)
# Avatars come from any account, not only the artist's: a lower cap (a 24 MP phone
# photo passes), and a limit on profile saves, since each decodes an image.
FANHUB_MAX_AVATAR_PIXELS = env_int("FANHUB_MAX_AVATAR_PIXELS", 25_000_000, minimum=1)
FANHUB_PROFILE_SAVES_PER_HOUR = env_int("FANHUB_PROFILE_SAVES_PER_HOUR", 10, minimum=1)
FANHUB_MAX_AUDIO_BYTES = env_int("FANHUB_MAX_AUDIO_BYTES", 200 * 1024 * 1024, minimum=1)
# Each uploaded file stops being written at its limit (posts/uploads.py): a huge upload
# never fills the disk, and the form says why it was refused.
DATA_UPLOAD_MAX_NUMBER_FILES = 10  # a post takes one audio file and one cover
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "posts.uploads.CappedTemporaryFileUploadHandler",
]
# Mix audio lives outside MEDIA_ROOT: nothing serves it by URL. posts.views.mix_audio
# checks who asks, then streams it (with Range) or, when this names nginx's internal
# location, hands it to nginx with X-Accel-Redirect.
FANHUB_AUDIO_ROOT = Path(env_str("FANHUB_AUDIO_ROOT", str(VAR_DIR / "audio")))
FANHUB_AUDIO_ACCEL_REDIRECT = env_str("FANHUB_AUDIO_ACCEL_REDIRECT")

# A strict Content-Security-Policy: scripts and styles only from our own files
# (static/js, static/css), no inline <script>, no on…= handlers, no style=
# attributes. Images may come from https (a post's Markdown may link one). The
# Django admin keeps its own inline scripts, so it is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:", *STORAGE_ORIGINS],
        "media-src": ["'self'", *STORAGE_ORIGINS],  # audio redirects to the bucket
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Powerful browser features no page of ours uses are switched off for every
# response (pages, static files, the admin), so injected or embedded content
# cannot ask for a camera, a microphone or a location.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "browsing-topics",
    ]
}

# Production safety: behind nginx with TLS. `manage.py check --deploy` stays quiet.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers may probe over plain HTTP
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# One JSON line per record, email addresses blanked (fanhub/logs.py); one record per
# request and per task, so Celery's own "received"/"succeeded" lines are left out.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "fanhub.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
    },
}

# Whole pages for anonymous visitors, kept in the cache above (posts/pagecache.py).
# On by default with Redis only: a local-memory cache is one per process, and a
# change made by another process (a worker drawing a waveform) would not reach it.
FANHUB_PAGE_CACHE = env_bool("FANHUB_PAGE_CACHE", bool(REDIS_URL))

# Comments: a fan may post this many per minute and per day.
FANHUB_COMMENTS_PER_MINUTE = env_int("FANHUB_COMMENTS_PER_MINUTE", 5, minimum=1)
FANHUB_COMMENTS_PER_DAY = env_int("FANHUB_COMMENTS_PER_DAY", 50, minimum=1)

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport under
# var/broker/, which the web process, the worker and beat all share without a server.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
REDIS_BROKER_OPTIONS = {
    # Longer than the longest task, so a lost worker's task is redelivered, not doubled.
    "visibility_timeout": 2 * 60 * 60,
    # A hung Redis must not hang a request that queues a task (kombu waits forever
    # by default); the worker's own polls take 1 s.
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
# One retry, not three: a request that queues a task gives up within a few seconds.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_max": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    REDIS_BROKER_OPTIONS
    if REDIS_URL
    else {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING above
# One queue per kind of work, so a long digest batch never delays a waveform, and
# account email never waits behind either. A worker started without -Q consumes all.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "fans.tasks.*": {"queue": "digests"},
    "posts.tasks.*": {"queue": "waveforms"},  # and share cards
    "fans.mail_tasks.*": {"queue": "email"},
}
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name)
    for name in [CELERY_TASK_DEFAULT_QUEUE, *(r["queue"] for r in CELERY_TASK_ROUTES.values())]
]
CELERY_TASK_IGNORE_RESULT = True  # no result backend: nothing ever reads results
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
FANHUB_DORMANT_DAYS = env_int("FANHUB_DORMANT_DAYS", 180, minimum=1)
# Digests: how often beat runs the scheduling pass, fans per task (one SMTP
# connection each), and the retry backoff for temporary SMTP failures.
FANHUB_DIGEST_PASS_SECONDS = env_int("FANHUB_DIGEST_PASS_SECONDS", 3600, minimum=60)
FANHUB_DIGEST_BATCH = env_int("FANHUB_DIGEST_BATCH", 200, minimum=1)
FANHUB_DIGEST_RETRY_SECONDS = env_int("FANHUB_DIGEST_RETRY_SECONDS", 60, minimum=0)
FANHUB_DIGEST_MAX_RETRIES = env_int("FANHUB_DIGEST_MAX_RETRIES", 5, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "plan-digests": {
        "task": "fans.tasks.plan_digests",
        "schedule": FANHUB_DIGEST_PASS_SECONDS,
    },
    # Waveforms whose task was lost while the broker was down.
    "draw-missing-waveforms": {
        "task": "posts.tasks.draw_missing_waveforms",
        "schedule": 10 * 60,
    },
}
