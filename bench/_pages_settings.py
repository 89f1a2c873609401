"""Settings for the server `bench/pages.py` starts: the real ones, with a "hello"
view added to the URLs and a cache prefix of the run's own."""

import os

from fanhub.settings import *  # noqa: F403

ROOT_URLCONF = "bench._pages_urls"
# Nothing in a shared Redis is read, or left to anyone else.
CACHES["default"]["KEY_PREFIX"] = os.environ["BENCH_CACHE_PREFIX"]  # noqa: F405
