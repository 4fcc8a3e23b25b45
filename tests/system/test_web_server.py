"""The web tier as deployed: gunicorn with callbacks_project/gunicorn.py. A long CSV export
streams to its last row however long the client takes to read it, and three exports at once
leave Exolve's events answered."""

import csv
import io
import json
import os
import sys
import threading
import time
from contextlib import contextmanager

import pytest
import requests
from django.test import Client
from django.utils import timezone

from callbacks.models import CallbackRequest, CallbackStatus
from tests.helpers import free_port, wait_for
from tests.integration.call_event_data import SECRET, basic_credentials, event, events_url
from tests.system.worker_process import database_url, start_logged

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = 30_000
METRICS_TOKEN = "metrics-token-0123456789"
EXPORT = "/call-log/export.csv"


@contextmanager
def running_gunicorn(log_path, timeout):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "EXOLVE_EVENTS_SECRET": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "METRICS_TOKEN": METRICS_TOKEN,
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_PROCESSES": "1",
        "WEB_THREADS": "8",
        "WEB_TIMEOUT": str(timeout),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:callbacks_project.gunicorn"]
    process = start_logged([*command, "callbacks_project.wsgi:application"], log_path, env)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _answers(url), 30), log_path.read_text()
        yield url
    finally:
        process.terminate()
        process.wait(30)


def _answers(url):
    try:
        requests.get(f"{url}/admin/login/", timeout=2)
    except requests.ConnectionError:
        return False
    return True


@pytest.fixture
def call_log(agent_group, contact, staff_user):
    now = timezone.now()
    CallbackRequest.objects.bulk_create(
        (
            CallbackRequest(
                contact=contact, agent_group=agent_group, requested_by=staff_user,
                requested_at=now, status=CallbackStatus.PLACED, request_description=f"bulk-{i}",
                request_body={}, call_id=f"cal-{i:06d}", finished_at=now,
            )
            for i in range(ROWS)
        ),
        batch_size=5000,
    )  # fmt: skip


@pytest.fixture
def auditor_cookies(auditor):
    client = Client()
    client.force_login(auditor)
    return {"sessionid": client.cookies["sessionid"].value}


def read_slowly(url, cookies, chunk=16_384, pause=0.05):
    """The export as a slow client reads it: far slower than the server writes."""
    with requests.get(f"{url}{EXPORT}", cookies=cookies, stream=True, timeout=60) as response:
        assert response.status_code == 200
        parts = []
        for part in response.iter_content(chunk):
            parts.append(part)
            time.sleep(pause * len(part) / chunk)  # `pause` per `chunk` bytes, however they come
    body = b"".join(parts).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_a_long_export_read_slowly_arrives_whole(call_log, auditor_cookies, tmp_path):
    # A process silent for 2 s is stopped. Reading this export takes far longer: 0.05 s per
    # 16 KB of some 3 MB is over 9 s of pauses alone.
    log_path = tmp_path / "gunicorn.log"
    with running_gunicorn(log_path, timeout=2) as url:
        rows = read_slowly(url, auditor_cookies)
    assert "WORKER TIMEOUT" not in log_path.read_text()
    header, *lines = rows
    assert len(lines) == ROWS
    assert sorted(line[header.index("Call id")] for line in lines)[-1] == f"cal-{ROWS - 1:06d}"


def test_three_exports_at_once_leave_the_events_endpoint_answering(
    call_log, auditor_cookies, tmp_path
):
    with running_gunicorn(tmp_path / "gunicorn.log", timeout=30) as url:
        finished = []

        def export():
            read_slowly(url, auditor_cookies)
            finished.append(time.monotonic())

        exports = [threading.Thread(target=export) for _ in range(3)]
        for thread in exports:
            thread.start()
        time.sleep(1)  # the three are streaming
        response = requests.post(
            f"{url}{events_url()}",
            data=json.dumps(event("cal-1", "A", "o", 0)),
            headers={"Authorization": basic_credentials()},
            timeout=30,
        )
        answered = time.monotonic()
        for thread in exports:
            thread.join(120)
        scraped = requests.get(
            f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
        ).text
    assert response.status_code == 200
    assert len(finished) == 3
    assert answered < min(finished)  # answered while every export was still streaming
    # The event was counted by one of gunicorn's processes; /metrics adds up all of them.
    assert 'callbacks_call_events_total{answer="stored"} 1.0' in scraped
