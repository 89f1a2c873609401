"""gunicorn for Fanhub: `gunicorn -c deploy/gunicorn.conf.py fanhub.wsgi`.

Every value can be changed from the environment (deploy/env.example), so the
systemd unit and the CI test use this file as it is.
"""

import multiprocessing
import os

# nginx talks to us on the loopback (or a private address when web machines
# are separate: bind 0.0.0.0:8000 and list nginx's address below).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: each request is short (nginx buffers uploads and sends
# audio itself). Two per core plus one is gunicorn's own advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A request that takes longer loses its worker (README: "Queues, timeouts and
# outages"); an upload, decoded in full before it is stored, takes a few seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-Proto only from nginx; Django's SECURE_PROXY_SSL_HEADER reads it.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# One JSON line per request on stdout (journald keeps it). The client is the
# address nginx appended; the app's own line (fanhub.logs) adds the user id.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = (
    '{"time": "%(t)s", "client": "%({x-forwarded-for}i)s", "method": "%(m)s", '
    '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, '
    '"request_id": "%({x-request-id}i)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No temporary files on a slow disk for worker heartbeats.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
