"""Browser tests: Playwright driving Debian's Chromium against a live server.

Skipped with a reason where no Chromium is installed; under CI=true a missing
Chromium is a failure, so CI can never pass without running them.
"""

import os
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from playwright.sync_api import BrowserContext

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between page actions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _ServerActivity:
    """Requests the live server is answering, and when it last finished one: counted
    from Django's request signals, which fire in the server's threads."""

    def __init__(self):
        self.active = 0
        self.last = 0.0
        request_started.connect(self.started, weak=False)
        request_finished.connect(self.finished, weak=False)

    def started(self, **kwargs):
        self.active += 1
        self.last = time.monotonic()

    def finished(self, **kwargs):
        self.active -= 1
        self.last = time.monotonic()

    def wait_until_quiet(self, quiet: float = 0.5, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.active <= 0 and time.monotonic() - self.last >= quiet:
                return
            time.sleep(0.05)


def _settle_before_close(close, server: _ServerActivity):
    """The player's listening report leaves with sendBeacon when its page goes away
    (Playwright does not see it), and a report the server is still writing when the
    test's database is flushed deadlocks the flush. So a context whose pages loaded
    the reporter leaves them first and waits for the server to go quiet."""

    def settled_close(context, *args, **kwargs):
        if getattr(context, "reports_listening", False):
            for page in context.pages:
                try:
                    page.goto("about:blank", timeout=5_000)
                except Exception:  # a page that cannot leave has nothing more to send
                    continue
            server.wait_until_quiet()
        return close(context, *args, **kwargs)

    return settled_close


def _watch_for_reporter(context):
    context.on(
        "request",
        lambda r: r.url.endswith("/listening.js") and setattr(context, "reports_listening", True),
    )
    return context


class _FormRuns:
    """Which forms' browser tests (`@pytest.mark.form(name)`) passed with JavaScript on,
    seen at run time from the contexts each test made. tests/e2e/test_form_coverage.py
    checks every form has such a test; this checks one of them really ran with it."""

    current: pytest.Item | None = None
    javascript: dict[str, set[bool]] = {}

    @classmethod
    def context_made(cls, javascript: bool) -> None:
        if cls.current is not None:
            cls.current.javascript_runs.add(javascript)


@pytest.fixture(autouse=True)
def _record_javascript(request):
    _FormRuns.current = request.node
    request.node.javascript_runs = set()
    yield
    _FormRuns.current = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.when == "call" and report.passed:
        for mark in item.iter_markers("form"):
            for name in mark.args:
                runs = _FormRuns.javascript.setdefault(name, set())
                runs.update(getattr(item, "javascript_runs", set()))


def pytest_sessionfinish(session):
    """When every form's tests ran (the whole suite, as CI runs it), fail the run for
    a form none of whose passing tests had JavaScript on."""
    from tests.e2e.test_form_coverage import FORMS, NOT_POSTED

    forms = set(FORMS) - NOT_POSTED
    if not forms <= set(_FormRuns.javascript):
        return  # a part of the suite: not every form's tests ran
    without = sorted(name for name in forms if True not in _FormRuns.javascript[name])
    if without:
        session.config.get_terminal_writer().line(
            "Forms with no passing browser test run with JavaScript on: " + ", ".join(without),
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but no Chromium at {CHROMIUM}; .ci/run installs it.")
        pytest.skip(f"No Chromium at {CHROMIUM} (apt-get install chromium to run browser tests).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # Every context, however a test makes it, settles before it closes.
        new_context = browser.new_context

        def watched_context(*args, **kwargs):
            _FormRuns.context_made(kwargs.get("java_script_enabled", True))
            return _watch_for_reporter(new_context(*args, **kwargs))

        browser.new_context = watched_context
        BrowserContext.close = _settle_before_close(BrowserContext.close, _ServerActivity())
        yield browser
        browser.close()


class Problems(list):
    """Console errors, page errors, failed requests and HTTP errors seen by a page."""

    def watch(self, page):
        page.on("console", lambda m: m.type == "error" and self.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.append(f"{r.status}: {r.url}"))
        return page

    def _failed(self, request):
        # A request the browser itself abandons (a favicon when the page moves on, a
        # media range it no longer needs after a seek) is ERR_ABORTED: that is the
        # browser's choice, not a fault of the site. Errors from the server still count.
        if request.failure != "net::ERR_ABORTED":
            self.append(f"failed: {request.url} {request.failure}")


def sign_in(page, user, base_url: str) -> None:
    """Give the page's browser context a session of `user` (no login form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


@pytest.fixture
def open_page(browser, live_server, transactional_db):
    """Fresh browser contexts, each signed in as `user` when given, recording what
    goes wrong in `page.problems`; all closed after the test."""
    contexts = []

    def make(user=None, js: bool = True, viewport=DESKTOP, scheme: str = "light"):
        context = browser.new_context(
            viewport=viewport,
            base_url=live_server.url,
            java_script_enabled=js,
            color_scheme=scheme,
            accept_downloads=True,
        )
        contexts.append(context)
        problems = Problems()
        page = problems.watch(context.new_page())
        page.problems = problems
        if user is not None:
            sign_in(page, user, live_server.url)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request):
    return request.param


@pytest.fixture
def page(browser, viewport, live_server, transactional_db):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    problems = Problems()
    page = problems.watch(context.new_page())
    page.problems = problems
    yield page
    context.close()


def wait_for_js(page, expression: str, timeout: float = 10.0) -> None:
    """Wait until a JavaScript expression is true. Polls with page.evaluate, which
    the site's strict CSP allows; Playwright's wait_for_function evaluates strings
    in the page with eval(), which that CSP rightly refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


# The real SMTP server of the digest tests, for journeys that read their email.
from tests.fans.conftest import smtp  # noqa: E402,F401
