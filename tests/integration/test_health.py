"""/healthz (the process answers, no database) and /readyz (the database, the broker and the
sweeper's heartbeat, each within HEALTH_CHECK_TIMEOUT; 503 naming the failing parts).

The readiness checks run in threads with connections of their own, so the tests that read rows
commit them (transaction=True)."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from callbacks import health
from callbacks.delivery import sweeper
from callbacks.models import SweeperHeartbeat
from tests.helpers import free_port
from tests.system.fault_harness import publishing_to

# A loaded 2-core machine may take this long beyond the promised deadline to start threads and
# write the answer.
MARGIN = 3.0


def ready(client):
    started = time.monotonic()
    response = client.get("/readyz")
    return response, time.monotonic() - started


# Rows the checks' own connections can read; and the roles of the data migrations restored after
# (as every test here that commits does).
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def swept():
    """A sweep just now (the tests asking for it are COMMITTED)."""
    health.record_sweep(timezone.now())


def test_healthz_answers_without_the_database(client):
    """No db fixture: pytest-django refuses any query, so a 200 is an answer without one."""
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@COMMITTED
def test_the_health_endpoints_answer_any_host_over_plain_http(client, settings, swept):
    """Docker's healthcheck and a load balancer ask by address, over HTTP inside the network."""
    settings.ALLOWED_HOSTS = ["callbacks.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="172.18.0.5:8000")
        assert response.status_code == 200, (path, response.content)
    assert client.get("/admin/login/", HTTP_HOST="172.18.0.5:8000").status_code == 400


@COMMITTED
def test_readyz_is_200_when_the_database_the_broker_and_the_sweeper_are_well(client, swept):
    response, _ = ready(client)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": {"database": "ok", "broker": "ok", "sweeper": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


@COMMITTED
def test_readyz_names_a_sweeper_that_never_ran(client):
    response, _ = ready(client)
    assert response.status_code == 503
    assert response.json()["failing"] == ["sweeper"]
    assert response.json()["checks"]["sweeper"] == "never"


@COMMITTED
def test_readyz_names_a_sweeper_whose_last_sweep_is_older_than_a_few_intervals(client, settings):
    assert settings.HEALTH_SWEEPER_MAX_AGE >= 2 * settings.CALLBACK_SWEEP_INTERVAL
    now = timezone.now()
    health.record_sweep(now - timedelta(seconds=settings.HEALTH_SWEEPER_MAX_AGE + 5))
    response, _ = ready(client)
    assert (response.status_code, response.json()["failing"]) == (503, ["sweeper"])
    assert response.json()["checks"]["sweeper"] == "stale"

    health.record_sweep(now - timedelta(seconds=settings.HEALTH_SWEEPER_MAX_AGE - 5))
    assert ready(client)[0].status_code == 200
    assert SweeperHeartbeat.objects.count() == 1  # one row, updated


@pytest.mark.django_db
def test_a_sweep_records_the_heartbeat(queued):
    before = timezone.now()
    sweeper.sweep()
    (heartbeat,) = SweeperHeartbeat.objects.all()
    assert before <= heartbeat.swept_at <= timezone.now()


@pytest.mark.django_db
def test_a_sweep_that_fails_records_nothing(queued, monkeypatch):
    def broken(now):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(sweeper, "give_up_lost_sends", broken)
    with pytest.raises(RuntimeError):
        sweeper.sweep()
    assert not SweeperHeartbeat.objects.exists()


@COMMITTED
def test_readyz_names_a_broker_that_refuses_at_once_not_after_kombus_retry(client, settings, swept):
    """A closed port: the check fails by itself ("error"), before the deadline, so it never
    waits out a retry."""
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0", "readyz-test", settings):
        response, seconds = ready(client)
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["checks"]["broker"] == "error"
    assert seconds < settings.HEALTH_CHECK_TIMEOUT + MARGIN


@COMMITTED
def test_readyz_answers_in_time_when_the_broker_accepts_and_never_answers(client, settings, swept):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel accepts connections; nothing ever reads or answers
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with publishing_to(url, "readyz-test", settings):
            response, seconds = ready(client)
    assert (response.status_code, response.json()["checks"]["broker"]) == (503, "timeout")
    assert seconds < settings.HEALTH_CHECK_TIMEOUT + MARGIN


@pytest.fixture
def stuck_database(monkeypatch):
    """The database check waits on a server that never answers (until the test ends)."""
    release = threading.Event()

    def stuck():
        release.wait(60)
        return health.OK

    monkeypatch.setitem(health.CHECKS, "database", stuck)
    yield
    release.set()


@COMMITTED
def test_readyz_answers_in_time_when_the_database_never_answers(
    client, settings, swept, stuck_database
):
    response, seconds = ready(client)
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["checks"]["database"] == "timeout"
    assert seconds < settings.HEALTH_CHECK_TIMEOUT + MARGIN


@COMMITTED
def test_readyz_says_which_part_failed_never_the_error_or_a_password(
    client, settings, swept, monkeypatch
):
    def failing():
        raise RuntimeError("could not connect as callbacks:hunter2-db@db")

    monkeypatch.setitem(health.CHECKS, "database", failing)
    broker_url = f"redis://:hunter2-redis@127.0.0.1:{free_port()}/0"
    with publishing_to(broker_url, "readyz-test", settings):
        response, _ = ready(client)
    body = response.content.decode()
    assert response.json()["failing"] == ["database", "broker"]
    assert "hunter2" not in body
    assert "127.0.0.1" not in body
