"""Fixtures of the tests that run real processes."""

import json
import os
import threading
import uuid
from pathlib import Path

import pytest

from exolve_sandbox.server import SandboxHandler
from tests.system.browser import PASSWORD, VIEWPORT
from tests.system.fault_harness import Broker, publishing_to
from tests.system.worker_process import own_queue


@pytest.fixture
def broker(settings):
    """The configured broker with a queue of this test's own, cleaned out of it afterwards."""
    url = settings.CELERY_BROKER_URL
    queue = f"callbacks-faults-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with own_queue(url, queue), publishing_to(url, queue, settings):
        yield Broker(url, queue)


@pytest.fixture
def arrivals(monkeypatch):
    """Every MakeCallback body the sandbox has read, in order, also while it still holds the
    request open (its own log, GET /_sandbox/requests, records it only after answering)."""
    bodies = []
    lock = threading.Lock()
    answer = SandboxHandler._make_callback

    def tapped(handler, raw):
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        with lock:
            bodies.append(body)
        return answer(handler, raw)

    monkeypatch.setattr(SandboxHandler, "_make_callback", tapped)
    return bodies


@pytest.fixture(scope="session", autouse=True)
def run_sweeper_queue():
    """This run's sweeper queue (tests/settings.py), which the workers started with the embedded
    beat consume, cleaned out of a shared Redis after the run."""
    from django.conf import settings

    with own_queue(settings.CELERY_BROKER_URL, settings.CALLBACK_SWEEPER_QUEUE):
        yield


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium(monkeypatch):
    """Debian's chromium through Playwright. Playwright's sync API keeps an event loop in this
    thread; the test's own ORM calls are ordinary blocking ones, as Django's docs allow for tests
    with DJANGO_ALLOW_ASYNC_UNSAFE."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (.ci/run installs it with apt-get)"
        if os.environ.get("CI"):
            pytest.fail(
                message
            )  # in CI a missing browser is a broken install, not a reason to skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium, live_server, tmp_path):
    """Log in (the password may be wrong) in a new page at 1366 × 900; each page's screenshot at
    the end."""
    pages = []

    def open_as(username, password=PASSWORD, locale="ru-RU"):
        page = chromium.new_page(locale=locale, viewport=VIEWPORT)
        pages.append(page)
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        return page

    yield open_as
    for index, page in enumerate(pages):
        page.screenshot(path=str(tmp_path / f"page-{index}.png"), full_page=True)
