"""Faults with real processes on PostgreSQL and Redis: a worker SIGKILLed while Exolve holds its
request, or before it claims; the broker down when staff press "Call back"; 1,000 callbacks
against an Exolve failing 20 % of the calls; two staff pressing at once.

Every test runs real `celery worker` processes (worker_process.py) on a queue of its own,
against the test database, posting to the in-process sandbox. The sandbox logs a MakeCallback
only once it has answered (after any delay), so the `arrivals` fixture also taps every body the
moment the sandbox has read it: a request it is still holding counts too.
"""

import logging
import re
import threading
import time
from collections import Counter

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callbacks.delivery import create
from callbacks.models import (
    OPEN_STATUSES,
    AttemptResult,
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
)
from callbacks_project.celery import app as celery_app
from tests.helpers import ask_for_callback, wait_for
from tests.system.fault_harness import (
    FAST,
    description,
    fresh,
    logged_for,
    make_contacts,
    private_redis,
    publishing_to,
    request_description_of,
    require_postgresql_and_redis,
    sent_for,
    status_is,
)
from tests.system.worker_process import running_worker

logger = logging.getLogger(__name__)
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOLD_MS = 6000  # longer than the worker's read timeout: only a kill keeps it from timing out first
LOST_MESSAGE = "No answer was recorded within 4 s of sending: the worker most likely stopped"
QUEUE_DOWN_MESSAGE = "it will be placed as soon as the queue is back"
ALREADY_ON_ITS_WAY = "is already on its way"


# --- the web side's broker -------------------------------------------------------------------


# --- what reached the sandbox ----------------------------------------------------------------


# --- data and helpers ------------------------------------------------------------------------


def callback_url(contact):
    return reverse("admin:callbacks_contact_callback", args=[contact.pk])


# --- the tests -------------------------------------------------------------------------------


def test_a_worker_killed_while_exolve_holds_the_request_never_sends_it_again(
    tmp_path, broker, sandbox, arrivals, staff_user, agent_group
):
    require_postgresql_and_redis()
    held_contact, behind_contact = make_contacts(2)
    sandbox.script({"status": 200, "delay_ms": HOLD_MS})  # the next MakeCallback is held open

    with running_worker(tmp_path / "first.log", **broker.worker(sandbox, concurrency=1)) as first:
        held = ask_for_callback(held_contact, agent_group, staff_user)
        assert wait_for(lambda: sent_for(arrivals, held) == 1, 20), first.log()
        behind = ask_for_callback(
            behind_contact, agent_group, staff_user
        )  # queued behind it: the only thread is busy
        assert fresh(held).status == CallbackStatus.SENDING
        (attempt,) = held.attempts.all()
        assert attempt.result == AttemptResult.SENDING
        first.kill()
        assert sandbox.received() == []  # still held: the sandbox has not answered yet
    assert fresh(held).status == CallbackStatus.SENDING, (
        "the worker recorded an answer before it was killed"
    )
    fresh(behind)  # queued, not claimed
    assert (behind.status, behind.attempt_count, behind.queued_at is not None) == (
        CallbackStatus.PENDING,
        0,
        True,
    )

    with running_worker(tmp_path / "second.log", **broker.worker(sandbox, beat=True)) as second:
        assert wait_for(status_is(behind, CallbackStatus.PLACED), 30), second.log()
        assert wait_for(status_is(held, CallbackStatus.UNKNOWN), 30), second.log()
        # The held request is logged by the sandbox once its delay is over (it answered 200 to a
        # dead connection: the call exists, which is why it must never be sent again).
        assert wait_for(lambda: len(logged_for(sandbox, held)) == 1, HOLD_MS / 1000 + 10)
        assert second.wait_for_sweeps(3), (
            second.log()
        )  # the sweeper keeps running: still nothing resent

    assert sent_for(arrivals, held) == 1
    assert sent_for(arrivals, behind) == 1
    assert len(arrivals) == 2
    received = sandbox.received()
    assert len(received) == 2
    assert [entry["status"] for entry in logged_for(sandbox, held)] == [200]

    assert held.attempt_count == 1
    (attempt,) = held.attempts.all()
    assert attempt.result == AttemptResult.UNKNOWN
    assert attempt.error.startswith(LOST_MESSAGE)
    assert held.error.startswith(LOST_MESSAGE)
    assert attempt.call_id == held.call_id == ""

    assert fresh(behind).attempt_count == 1
    (placed,) = behind.attempts.all()
    assert placed.result == AttemptResult.PLACED
    (entry,) = logged_for(sandbox, behind)
    assert entry["status"] == 200
    assert placed.call_id == behind.call_id == entry["call_id"]
    assert entry["body"] == placed.request_body


def test_a_worker_killed_before_it_claims_leaves_the_request_to_be_placed_once(
    tmp_path, broker, sandbox, arrivals, staff_user, contact, agent_group
):
    require_postgresql_and_redis()
    hold_file = tmp_path / "hold"
    hold_file.touch()

    with running_worker(
        tmp_path / "first.log", hold_file=hold_file, **broker.worker(sandbox)
    ) as first:
        callback = ask_for_callback(contact, agent_group, staff_user)
        assert wait_for(
            lambda: f"holding callback request {callback.pk} before its claim" in first.log(), 20
        ), first.log()
        first.kill()
    hold_file.unlink()
    assert (fresh(callback).status, callback.attempt_count) == (CallbackStatus.PENDING, 0)
    assert callback.attempts.count() == 0
    assert arrivals == []

    with running_worker(tmp_path / "second.log", **broker.worker(sandbox, beat=True)) as second:
        assert wait_for(status_is(callback, CallbackStatus.PLACED), 30), second.log()
        assert second.wait_for_sweeps(3), second.log()
        # Redis gives an unacknowledged task back only after the visibility timeout (an hour):
        # the sweeper queued it again, CALLBACK_REQUEUE_AFTER after it was first queued.
        assert "Sweeper queued 1 callback(s)" in second.log()

    assert sent_for(arrivals, callback) == 1
    assert len(arrivals) == 1
    assert len(sandbox.received()) == 1
    assert fresh(callback).attempt_count == 1
    (attempt,) = callback.attempts.all()
    assert attempt.result == AttemptResult.PLACED
    assert attempt.call_id == callback.call_id == sandbox.received()[0]["call_id"]


def test_a_scheduled_callback_waits_in_the_database_and_is_placed_once_at_its_time(
    tmp_path, broker, sandbox, arrivals, staff_user, contact, agent_group, settings
):
    require_postgresql_and_redis()
    settings.CALLBACK_MAX_COUNTDOWN = float(FAST["CALLBACK_MAX_COUNTDOWN"])  # the web side's too
    sweep_interval = float(FAST["CALLBACK_SWEEP_INTERVAL"])
    with running_worker(tmp_path / "worker.log", **broker.worker(sandbox, beat=True)) as worker:
        at = timezone.now() + timezone.timedelta(seconds=8)
        callback = create.create_callback(
            contact=contact, agent_group=agent_group, requested_by=staff_user, scheduled_for=at
        )
        assert (
            callback.queued_at is None
        )  # longer than a countdown may be: the row waits, not the broker
        assert wait_for(status_is(callback, CallbackStatus.PLACED), 30), worker.log()
        assert worker.wait_for_sweeps(3), worker.log()  # and nothing more happens
    (attempt,) = callback.attempts.all()
    assert at <= attempt.started_at  # never early
    assert attempt.started_at <= at + timezone.timedelta(
        seconds=sweep_interval + 3
    )  # within the sweeper's period
    assert sent_for(arrivals, callback) == 1
    assert len(arrivals) == 1


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_the_broker_down_at_the_press_keeps_the_requests_for_the_sweeper(
    outage, tmp_path, broker, settings, client, sandbox, arrivals, staff_user, agent_group
):
    """stopped: the server is gone (connection refused); frozen: SIGSTOP, so the connection the
    web side holds, and new ones, are accepted by the kernel and never answered (a hang)."""
    require_postgresql_and_redis()
    contacts = make_contacts(3)
    client.force_login(staff_user)

    with private_redis(tmp_path) as private:
        with publishing_to(private.url, broker.queue, settings):
            with celery_app.producer_or_acquire() as producer:  # the web side is connected ...
                producer.connection.ensure_connection(max_retries=1)
                producer.channel.client.ping()
            assert private.client_count() >= 1
            # ... and the broker goes away
            private.stop() if outage == "stopped" else private.freeze()

            for person in contacts:
                started = time.monotonic()
                response = client.post(callback_url(person), {"agent_group": agent_group.pk})
                elapsed = time.monotonic() - started
                assert elapsed < 2.0, f"the press took {elapsed:.1f} s with the broker {outage}"
                assert response.status_code == 302
                assert response.url == reverse("admin:callbacks_contact_change", args=[person.pk])
                (message,) = get_messages(response.wsgi_request)
                assert QUEUE_DOWN_MESSAGE in message.message
                assert message.level_tag == "warning"
                page = client.get(response.url).content.decode()
                assert QUEUE_DOWN_MESSAGE in page

        callbacks = [CallbackRequest.objects.get(contact=person) for person in contacts]
        assert [(c.status, c.queued_at, c.attempt_count) for c in callbacks] == [
            (CallbackStatus.PENDING, None, 0)
        ] * 3
        assert arrivals == []

        # the same port: the queue is back
        private.start() if outage == "stopped" else private.thaw()
        worker_options = broker.worker(sandbox, beat=True)
        worker_options["broker_url"] = private.url
        with running_worker(tmp_path / "worker.log", **worker_options) as worker:
            assert wait_for(
                lambda: all(status_is(c, CallbackStatus.PLACED)() for c in callbacks), 30
            ), worker.log()
            assert worker.wait_for_sweeps(3), worker.log()

    assert [sent_for(arrivals, c) for c in callbacks] == [1, 1, 1]
    assert len(arrivals) == len(sandbox.received()) == 3
    for callback in callbacks:
        assert fresh(callback).attempt_count == 1
        (attempt,) = callback.attempts.all()
        assert attempt.result == AttemptResult.PLACED
        assert attempt.call_id == callback.call_id


def test_a_thousand_callbacks_against_an_exolve_failing_a_fifth_of_the_calls(
    tmp_path, broker, sandbox, arrivals, staff_user, agent_group, settings
):
    require_postgresql_and_redis()
    settings.CALLBACK_USER_HOURLY_LIMIT = 10_000  # one user presses for everybody here
    count = 1000
    contacts = make_contacts(count)
    sandbox.configure(fail_rate=0.2, fail_status=503, seed=20240601)
    started = time.monotonic()
    # 20 attempts at a 20 % failure rate: a request fails all of them with odds of 1e-14.
    env = {"EXOLVE_MAX_ATTEMPTS": "20", "EXOLVE_READ_TIMEOUT": "15", "CALLBACK_LOST_AFTER": "60"}
    with running_worker(
        tmp_path / "worker.log", **broker.worker(sandbox, concurrency=20, env=env)
    ) as worker:
        # The service's own path: each row committed, then published to Redis on commit.
        assert all(
            ask_for_callback(person, agent_group, staff_user).queued_at for person in contacts
        )
        published = time.monotonic() - started
        open_requests = CallbackRequest.objects.filter(status__in=OPEN_STATUSES)
        assert wait_for(lambda: not open_requests.exists(), 100, interval=0.5), (
            f"{open_requests.count()} requests still open\n{worker.log()[-5000:]}"
        )
    elapsed = time.monotonic() - started

    requests = {c.request_description: c for c in CallbackRequest.objects.all()}
    assert len(requests) == count
    assert Counter(c.status for c in requests.values()) == {CallbackStatus.PLACED: count}
    attempts = list(CallbackAttempt.objects.all())
    received = sandbox.received()
    assert len(received) == len(arrivals)

    # Each attempt went out exactly once, and nothing went out that is not an attempt.
    sent = Counter(description(entry["body"]) for entry in received)
    assert sent == Counter({attempt.request_description: 1 for attempt in attempts})
    assert sum(c.attempt_count for c in requests.values()) == len(attempts) == len(received)
    answers = {description(entry["body"]): entry for entry in received}
    assert all(
        attempt.http_status == answers[attempt.request_description]["status"]
        for attempt in attempts
    )

    # Exactly one accepted MakeCallback per placed request, and it is the call the request records.
    accepted = [entry for entry in received if entry["status"] == 200]
    assert Counter(
        request_description_of(description(entry["body"])) for entry in accepted
    ) == Counter({key: 1 for key, c in requests.items() if c.status == CallbackStatus.PLACED})
    for entry in accepted:
        callback = requests[request_description_of(description(entry["body"]))]
        assert callback.call_id == entry["call_id"]

    failures = Counter(entry["status"] for entry in received if entry["status"] != 200)
    assert set(failures) == {503}
    assert len(received) == count + failures[503]
    assert failures[503] > 100  # the transient failures really were retried
    logger.info(
        "%d callbacks queued after %.1f s, all placed after %.1f s; %d MakeCallbacks, %d of them "
        "answered 503",
        count,
        published,
        elapsed,
        len(received),
        failures[503],
    )


def press_at_once(user, contact, agent_group, presses=2):
    """POST "Call back" for `contact` from `presses` test clients in as many threads, released
    together by a barrier; the responses, in the clients' order."""
    clients = [Client() for _ in range(presses)]
    for each in clients:
        each.force_login(user)
    barrier = threading.Barrier(presses)
    responses = [None] * presses
    errors = []

    def press(index):
        try:
            barrier.wait(10)
            responses[index] = clients[index].post(
                callback_url(contact), {"agent_group": agent_group.pk}
            )
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own database connection

    threads = [threading.Thread(target=press, args=(index,)) for index in range(presses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return responses


def assert_one_callback_and_already_on_its_way(contact, responses):
    """One press made the callback; the other was told it is already on its way."""
    assert sorted(response.status_code for response in responses) == [200, 302]
    (refused,) = [response for response in responses if response.status_code == 200]
    errors = re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', refused.content.decode(), re.S)
    assert any(ALREADY_ON_ITS_WAY in error for error in errors), errors
    calls = CallbackRequest.objects.filter(contact=contact).exclude(
        status__in=[CallbackStatus.REFUSED, CallbackStatus.FAILED]
    )
    (callback,) = calls
    return callback


def test_two_staff_pressing_at_once_give_one_callback(
    tmp_path, broker, sandbox, arrivals, staff_user, contact, agent_group
):
    require_postgresql_and_redis()
    with running_worker(tmp_path / "worker.log", **broker.worker(sandbox, beat=True)) as worker:
        responses = press_at_once(staff_user, contact, agent_group)
        callback = assert_one_callback_and_already_on_its_way(contact, responses)
        assert wait_for(status_is(callback, CallbackStatus.PLACED), 30), worker.log()
        assert worker.wait_for_sweeps(2), worker.log()

    assert sent_for(arrivals, callback) == 1
    assert len(arrivals) == len(sandbox.received()) == 1
    assert fresh(callback).attempt_count == 1


def test_a_press_that_checked_before_the_other_committed_is_told_it_is_on_its_way(
    monkeypatch, broker, staff_user, contact, agent_group
):
    """The interleaving the race above hits now and then, every time: both presses find no open
    request, then the second goes on only once the first has committed its request."""
    require_postgresql_and_redis()
    open_request_exists = create.open_callback_exists
    both_checked, turns, local = threading.Barrier(2), iter(range(2)), threading.local()

    def second_waits_for_the_first(contact, agent_group):
        found = open_request_exists(contact, agent_group)
        if not getattr(
            local, "checked", False
        ):  # each press's first check, not the one after an IntegrityError
            local.checked = True
            both_checked.wait(10)
            if next(turns) == 1:
                committed = CallbackRequest.objects.filter(contact=contact, agent_group=agent_group)
                assert wait_for(committed.exists, 10)
        return found

    with monkeypatch.context() as patch:
        patch.setattr(create, "open_callback_exists", second_waits_for_the_first)
        responses = press_at_once(staff_user, contact, agent_group)
    assert_one_callback_and_already_on_its_way(contact, responses)
