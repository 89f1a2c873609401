"""Page benchmarks B1, B2, B3 and B7 (issue 11), in one run:

- B1: requests per second for the anonymous post page with 300 comments, rendered
  (nothing cached for it) ÷ a bare "hello" view on the same server.
- B2: the same page with 300 comments ÷ with 3 comments, both rendered; and the SQL
  queries each costs (they must be equal).
- B3: the anonymous post page with 300 comments from the page cache ÷ hello.
- B7: bytes of HTML on the wire (what a browser asking for gzip gets) for the
  300-comment page and for the mix page (two versions, 1,000 measured peaks each).

The server is production-like: gunicorn with 2 sync workers, DEBUG off, the real
settings and middleware (plus the hello view), PostgreSQL and Redis. The load comes
from `wrk -t1 -c4` (Debian's wrk; `apt-get install wrk`), every target measured in
turn, round after round. Each ratio is the median of the rounds' ratios of the
workers' CPU time per request (read from /proc: user + system time of the gunicorn
workers ÷ requests wrk made), inverted so that cheaper is closer to 1. On a shared
machine CPU time per request holds steady where requests per second follow whatever
else is running; those are printed too.

"Rendered" requests carry an extra query parameter: any parameter the page cache
does not know bypasses it (posts/pagecache.py), so the page is rendered in full,
compressed, and not stored.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanhub REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/pages.py [--seconds 4] [--rounds 5]

It seeds its own throwaway database (`bench_pages_…`, see common.py), keeps its
cache entries under a prefix of its own, and removes everything afterwards.
"""

import argparse
import http.client
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, note, row, throwaway_database  # noqa: E402

TEXT = """
the bridge lands harder than the chorus and that snare sounds like rain on a tin roof I
played this twice on the night bus vocals sit right now keep the hiss please second verse
guitar is lovely but the ending comes too soon more bass less reverb this is my favourite
version so far can't wait to hear it live in spring
"""
WORDS = TEXT.split()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))).capitalize() + "."


def seed() -> dict[str, str]:
    """An artist, a post with 300 comments (200 threads, 100 replies), one with 3,
    and a mix post in two versions. Returns their addresses."""
    from django.utils import timezone

    from fans.models import User
    from posts.markup import COMMENT, render_markdown
    from posts.models import Artist, Comment, HubSettings, Mix, Post

    rng = random.Random(11)
    HubSettings.load()
    fans = User.objects.bulk_create(
        User(email=f"fan{n}@example.com", display_name=f"Fan {n}", password="!") for n in range(40)
    )
    artist = Artist.objects.create(name="Juniper Lane", slug="juniper-lane", bio="Night songs.")
    posts = {}
    for name, kind in (("many", "note"), ("few", "note"), ("mix", "mix")):
        posts[name] = Post.objects.create(
            artist=artist,
            title=f"Night drive ({name})",
            kind=kind,
            body="\n\n".join(sentence(rng) for _ in range(4)),
            status=Post.Status.PUBLISHED,
            published_at=timezone.now(),
        )

    def comments(post, threads: int, replies: int) -> None:
        def make(parent=None):
            body = sentence(rng)
            if rng.random() < 0.2:
                body += f" [demo](https://example.com/{rng.randint(1, 999)})"
            return Comment(
                post=post,
                author=rng.choice(fans),
                parent=parent,
                body=body,
                body_html=render_markdown(body, COMMENT),
                status=Comment.Status.APPROVED,
            )

        tops = Comment.objects.bulk_create(make() for _ in range(threads))
        made = tops + Comment.objects.bulk_create(make(tops[n * 2]) for n in range(replies))
        # Written over three weeks, not all in the same second.
        start = timezone.now() - timedelta(days=21)
        for n, comment in enumerate(made):
            comment.created_at = start + timedelta(minutes=100 * n + rng.randint(0, 99))
        Comment.objects.bulk_update(made, ["created_at"])

    comments(posts["many"], 200, 100)
    comments(posts["few"], 2, 1)
    for n in (1, 2):
        Mix.objects.create(
            post=posts["mix"],
            version=f"v{n}",
            notes="Louder vocals." if n == 2 else "",
            order=n,
            audio=f"mixes/{secrets.token_hex(16)}.mp3",
            format="mp3",
            size=6_000_000,
            duration=214.0,
            peaks=[round(rng.random(), 3) for _ in range(1000)],
        )
    return {name: post.get_absolute_url() for name, post in posts.items()}


def queries(url: str) -> int:
    """SQL statements for one anonymous, rendered request (in this process)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(FANHUB_PAGE_CACHE=False):
        client.get(url)  # the hub settings row, connections
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
    return len(captured)


def fetch(port: int, url: str, encoding: str = "gzip, deflate, br") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", url, headers={"Accept-Encoding": encoding})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def forget_cache_entries() -> None:
    """Delete this run's cache entries (cache.clear() would flush the whole Redis db)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(match=f"{os.environ['BENCH_CACHE_PREFIX']}:*"):
        client.delete(key)


def start_server(port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "fanhub.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            if fetch(port, "/hello/").status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def worker_cpu(server: subprocess.Popen) -> float:
    """CPU seconds the gunicorn workers (the master's children) have used."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(port: int, url: str, seconds: int) -> tuple[float, int]:
    """Requests per second and requests made, from `wrk -t1 -c4`."""
    output = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout=60s"]
        + ["-H", "Accept-Encoding: gzip, deflate, br"]
        + [f"http://127.0.0.1:{port}{url}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"wrk saw errors on {url}:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    count = int(re.search(r"(\d+) requests in", output).group(1))
    return rate, count


def measure(server: subprocess.Popen, port: int, urls: dict, args) -> tuple:
    """wrk on each target in turn, round after round; then the bytes on the wire."""
    targets = {
        "hello": "/hello/",
        "many, rendered": urls["many"] + "?bench=rendered",
        "few, rendered": urls["few"] + "?bench=rendered",
        "many, cached": urls["many"],
    }
    for url in targets.values():
        for _ in range(5):
            fetch(port, url)
    assert fetch(port, urls["many"]).getheader("X-Page-Cache") == "hit", "no cache hit"
    assert fetch(port, targets["many, rendered"]).getheader("X-Page-Cache") is None
    rates = {name: [] for name in targets}
    cpu = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, url in targets.items():
            before = worker_cpu(server)
            rate, count = wrk(port, url, args.seconds)
            rates[name].append(rate)
            cpu[name].append((worker_cpu(server) - before) / count)
    sizes = (
        len(fetch(port, urls["many"]).body),
        len(fetch(port, urls["mix"]).body),
        len(fetch(port, urls["many"], encoding="identity").body),
    )
    return rates, cpu, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=4, help="per target and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("The page benchmarks need Redis: set REDIS_URL=redis://…")
    if not shutil.which("wrk"):
        sys.exit("The page benchmarks need wrk: apt-get install wrk")
    var = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench._pages_settings",
        BENCH_CACHE_PREFIX=f"bench-pages-{os.getpid()}-{secrets.token_hex(3)}",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        FANHUB_VAR_DIR=str(var),
        LOG_LEVEL="WARNING",
    )
    try:
        with throwaway_database("pages"):
            from django.core.management import call_command

            urls = seed()
            call_command("collectstatic", interactive=False, verbosity=0)
            few_queries, many_queries = queries(urls["few"]), queries(urls["many"])
            port = free_port()
            server = start_server(port, dict(os.environ))
            try:  # the server stops before its database is dropped
                rates, cpu, sizes = measure(server, port, urls, args)
            finally:
                server.terminate()
                server.wait()
                forget_cache_entries()
    finally:
        shutil.rmtree(var, ignore_errors=True)
    many_bytes, mix_bytes, plain_bytes = sizes

    def ratio(top: str, bottom: str, source=rates) -> float:
        return statistics.median(t / b for t, b in zip(source[top], source[bottom], strict=True))

    def cpu_ratio(top: str, bottom: str) -> float:
        # CPU per request, inverted: the cheaper the page, the closer to 1.
        return statistics.median(b / t for t, b in zip(cpu[top], cpu[bottom], strict=True))

    note(f"{os.cpu_count()} cores, Python {platform.python_version()}, gunicorn 2 sync workers")
    note(f"load average while measuring: {os.getloadavg()[0]:.1f}")
    for name in rates:
        per_request = statistics.median(cpu[name]) * 1000
        note(f"{name}: {statistics.median(rates[name]):.0f} requests/s, {per_request:.2f} ms CPU")
    for label, top, bottom in (
        ("B1", "many, rendered", "hello"),
        ("B2", "many, rendered", "few, rendered"),
        ("B3", "many, cached", "hello"),
    ):
        note(f"{label} by requests/s (wrk): {ratio(top, bottom):.3f}")
    note(f"300-comment page: {plain_bytes:,} bytes uncompressed")
    b1 = cpu_ratio("many, rendered", "hello")
    row("B1", "post page, 300 comments, rendered ÷ hello", ">= 0.1", f"{b1:.3f}", b1 >= 0.1)
    b2 = cpu_ratio("many, rendered", "few, rendered")
    row(
        "B2",
        "post page rendered, 300 ÷ 3 comments; SQL queries",
        ">= 0.8; equal",
        f"{b2:.3f}; {many_queries} = {few_queries}",
        b2 >= 0.8 and many_queries == few_queries,
    )
    b3 = cpu_ratio("many, cached", "hello")
    row(
        "B3",
        "post page, 300 comments, from the page cache ÷ hello",
        ">= 0.7",
        f"{b3:.3f}",
        b3 >= 0.7,
    )
    row(
        "B7",
        "HTML bytes on the wire (gzip): 300-comment page / mix page",
        "<= 5,000 / <= 4,000",
        f"{many_bytes:,} / {mix_bytes:,}",
        many_bytes <= 5000 and mix_bytes <= 4000,
    )


if __name__ == "__main__":
    main()
