"""End to end with real processes: the admin queues, a real Celery worker consumes from the
configured broker (the filesystem broker by default, Redis in CI) and posts to the sandbox."""

import pytest
import requests
from django.conf import settings
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from callbacks.models import CallbackRequest, CallbackStatus
from tests.helpers import free_port, wait_for
from tests.system.worker_process import worker_on_own_queue

METRICS_PORT = free_port()
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module")
def worker(sandbox_server, django_db_setup, tmp_path_factory):
    """A real worker on this test run's own queue (tests/settings.py), as the fault tests run
    theirs: another run on this machine, or a demo, never takes its tasks."""
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with worker_on_own_queue(
        log_path,
        queue=queue,
        sandbox_url=sandbox_server.url,
        env={"EXOLVE_RETRY_BASE_DELAY": "0.2", "WORKER_METRICS_PORT": str(METRICS_PORT)},
    ) as worker:
        yield worker
    assert settings.EXOLVE_API_KEY not in worker.log(), "the API key reached the worker's log"


def press_call_back(client, user, contact, agent_group):
    client.force_login(user)
    url = reverse("admin:callbacks_contact_callback", args=[contact.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"agent_group": agent_group.pk})
    assert response.status_code == 302
    return CallbackRequest.objects.get(contact=contact)


def finished(callback):
    def check():
        callback.refresh_from_db()
        return callback.status in (CallbackStatus.PLACED, CallbackStatus.FAILED)

    return check


def test_staff_press_call_back_and_the_worker_places_it(
    worker, client, sandbox, staff_user, auditor, contact, agent_group
):
    callback = press_call_back(client, staff_user, contact, agent_group)
    assert wait_for(finished(callback), 30), worker.log()
    assert callback.status == CallbackStatus.PLACED
    (attempt,) = callback.attempts.all()
    (received,) = sandbox.received()
    assert attempt.call_id == callback.call_id == received["call_id"]
    assert received["body"] == attempt.request_body

    client.force_login(auditor)
    page = client.get(reverse("admin:callbacks_contact_change", args=[contact.pk])).content.decode()
    assert callback.call_id in page
    assert reverse("admin:callbacks_contact_callback", args=[contact.pk]) not in page


def test_a_400_ends_in_one_failed_attempt(
    worker, client, sandbox, staff_user, contact, agent_group
):
    sandbox.script(
        {"status": 400, "body": {"code": 3, "message": "invalid MakeCallbackRequest.Line_1"}}
    )
    callback = press_call_back(client, staff_user, contact, agent_group)
    assert wait_for(finished(callback), 30), worker.log()
    assert callback.status == CallbackStatus.FAILED
    assert callback.error == "HTTP 400: invalid MakeCallbackRequest.Line_1"
    assert callback.attempts.count() == 1
    # Every task the worker took has run: a retry wrongly queued would have been taken by now.
    assert worker.wait_until_idle(), worker.log()
    assert len(sandbox.received()) == 1


def test_a_503_and_a_429_then_a_200_end_in_three_attempts_and_a_placed_callback(
    worker, client, sandbox, staff_user, contact, agent_group
):
    sandbox.script({"status": 503}, {"status": 429}, {"status": 200})
    callback = press_call_back(client, staff_user, contact, agent_group)
    assert wait_for(finished(callback), 30), worker.log()
    assert callback.status == CallbackStatus.PLACED
    assert list(callback.attempts.order_by("sequence").values_list("http_status", flat=True)) == [
        503,
        429,
        200,
    ]
    assert len(sandbox.received()) == 3


def worker_metrics():
    text = requests.get(f"http://127.0.0.1:{METRICS_PORT}/metrics", timeout=5).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_worker_serves_its_metrics_on_its_own_port(
    worker, client, sandbox, staff_user, contact, agent_group
):
    callback = press_call_back(client, staff_user, contact, agent_group)
    assert wait_for(finished(callback), 30), worker.log()
    found = worker_metrics()
    assert found[("callbacks_attempts_total", (("result", "placed"),))] >= 1
    assert found[("callbacks_exolve_request_seconds_count", ())] >= 1


def test_the_worker_says_it_is_alive_and_the_board_counts_it(worker, client, staff_user):
    """Its heartbeat names the queue it takes; the board counts a worker on the callbacks' queue
    (one heard from in the last three intervals: it beats every 10 s)."""
    from callbacks.models import WorkerHeartbeat

    def beating():
        return WorkerHeartbeat.objects.filter(
            queues__contains=settings.CELERY_TASK_DEFAULT_QUEUE
        ).exists()

    assert wait_for(beating, 30), worker.log()
    client.force_login(staff_user)
    board = client.get(reverse("admin:board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "worker alive" in board
    assert "No worker takes the callbacks" not in board
