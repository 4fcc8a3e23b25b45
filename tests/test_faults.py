"""Faults with real processes on PostgreSQL and Redis: a worker SIGKILLed while Exolve holds its
request, or before it claims; the broker down when staff press "Call back"; 1,000 callbacks
against an Exolve failing 20 % of the calls; two staff pressing at once.

Every test runs real `celery worker` processes (tests/worker_process.py) on a queue of its own,
against the test database, posting to the in-process sandbox. The sandbox logs a MakeCallback
only once it has answered (after any delay), so the `arrivals` fixture also taps every body the
moment the sandbox has read it: a request it is still holding counts too.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import redis
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu import Connection

from callbacks.delivery import create
from callbacks.models import (
    OPEN_STATUSES,
    AttemptResult,
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    Contact,
    ContactNumber,
)
from callbacks_project.celery import app as celery_app
from exolve_sandbox.server import SandboxHandler
from tests.helpers import free_port, wait_for
from tests.worker_process import own_queue, running_worker

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Small enough for the sweeper to act within seconds, and consistent with the settings' rules:
# CALLBACK_REQUEUE_AFTER > CALLBACK_MAX_COUNTDOWN, CALLBACK_LOST_AFTER >= connect + read timeout.
FAST = {
    "EXOLVE_CONNECT_TIMEOUT": "0.5",
    "EXOLVE_READ_TIMEOUT": "3",
    "CALLBACK_LOST_AFTER": "4",
    "EXOLVE_RETRY_BASE_DELAY": "0.05",
    "EXOLVE_RETRY_MAX_DELAY": "0.5",
    "CALLBACK_SWEEP_INTERVAL": "1",
    "CALLBACK_REQUEUE_AFTER": "3",
    "CALLBACK_MAX_COUNTDOWN": "2",
}
HOLD_MS = 6000  # longer than the worker's read timeout: only a kill keeps it from timing out first
LOST_MESSAGE = "No answer was recorded within 4 s of sending: the worker most likely stopped"
QUEUE_DOWN_MESSAGE = "it will be placed as soon as the queue is back"
ALREADY_ON_ITS_WAY = "is already on its way"


def require_postgresql_and_redis():
    """These faults only mean something on PostgreSQL and Redis: skip elsewhere, but fail in the
    run that says it is the PostgreSQL one (.ci/run's second pass), so they never skip silently."""
    from django.conf import settings

    problems = []
    scheme = urlsplit(
        settings.CELERY_BROKER_URL
    ).scheme  # never the URL itself: it may hold a password
    if scheme != "redis":
        problems.append(f"CELERY_BROKER_URL is a {scheme}:// URL, not redis://")
    if connection.vendor != "postgresql":
        problems.append(f"the database is {connection.vendor}, not PostgreSQL")
    if problems:
        message = (
            "The fault tests need PostgreSQL and Redis (set DATABASE_URL=postgres://… and "
            f"CELERY_BROKER_URL=redis://…): {'; '.join(problems)}."
        )
        if os.environ.get("EXPECT_DATABASE_VENDOR") == "postgresql":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


# --- the web side's broker -------------------------------------------------------------------


@dataclass
class Broker:
    url: str
    queue: str

    def worker(self, sandbox, **options):
        """running_worker() arguments for a worker on this broker and queue, with the fast timings."""
        env = {**FAST, **options.pop("env", {})}
        return {
            "queue": self.queue,
            "broker_url": self.url,
            "sandbox_url": sandbox.url,
            "env": env,
            **options,
        }


def forget_broker_connections():
    """Drop the app's cached connection pool (Celery.pool) and producer pool
    (app.amqp.producer_pool), as Celery itself does after a fork (Celery._after_fork in
    celery/app/base.py): the next publish builds both again from the current broker URL."""
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def publishing_to(url, queue, settings):
    """Point this process's Celery app (the web side's publisher) at `url` and `queue`.

    The app read Django's settings once (config_from_object), so changing settings alone changes
    nothing; and celery.app.utils.Settings.broker_url returns os.environ["CELERY_BROKER_URL"]
    before any configuration (broker_write_url: CELERY_BROKER_WRITE_URL, then broker_write_url,
    then broker_url), so the environment variable must change too."""
    conf = celery_app.conf
    saved_conf = {
        key: conf.get(key) for key in ("broker_url", "broker_write_url", "task_default_queue")
    }
    saved_env = {
        key: os.environ.get(key) for key in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL")
    }
    saved_settings = settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    os.environ["CELERY_BROKER_URL"] = url
    os.environ.pop("CELERY_BROKER_WRITE_URL", None)
    conf.update(broker_url=url, broker_write_url=None, task_default_queue=queue)
    forget_broker_connections()
    try:
        expected = Connection(url).as_uri(include_password=True)
        assert celery_app.connection_for_write().as_uri(include_password=True) == expected
        yield
    finally:
        conf.update(saved_conf)
        settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE = saved_settings
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        forget_broker_connections()


@pytest.fixture
def broker(settings):
    """The configured broker with a queue of this test's own, cleaned out of it afterwards."""
    url = settings.CELERY_BROKER_URL
    queue = f"callbacks-faults-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with own_queue(url, queue), publishing_to(url, queue, settings):
        yield Broker(url, queue)


class PrivateRedis:
    """A redis-server of this test's own on `port`, started and stopped by the test."""

    def __init__(self, port, directory):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.directory = directory
        self.process = None

    def start(self):
        command = ["redis-server", "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]
        command += ["--port", str(self.port), "--daemonize", "no", "--dir", str(self.directory)]
        with open(self.directory / "redis.log", "a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        assert (
            wait_for(lambda: self.answers() or self.process.poll() is not None, 10)
            and self.answers()
        ), (self.directory / "redis.log").read_text()

    def answers(self):
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.5)
        try:
            return client.ping()
        except redis.RedisError:
            return False
        finally:
            client.close()

    def client_count(self):
        with redis.Redis(port=self.port, socket_timeout=1) as client:
            return len(client.client_list()) - 1  # not counting this one

    def freeze(self):
        """SIGSTOP: connections are still accepted (by the kernel) but nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.thaw()
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


@contextmanager
def private_redis(directory):
    server = PrivateRedis(free_port(), directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- what reached the sandbox ----------------------------------------------------------------


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


def description(body):
    return body.get("request_description", "") if isinstance(body, dict) else ""


def request_description_of(attempt_description):
    """callback-<uuid>-<n> (an attempt's) -> callback-<uuid> (its request's)."""
    return attempt_description.rsplit("-", 1)[0]


def sent_for(bodies, callback):
    """How many of these MakeCallback bodies were attempts of `callback`."""
    return sum(
        1
        for body in bodies
        if request_description_of(description(body)) == callback.request_description
    )


def logged_for(sandbox, callback):
    return [entry for entry in sandbox.received() if sent_for([entry["body"]], callback)]


# --- data and helpers ------------------------------------------------------------------------


def make_contacts(count, first_number=79120000000):
    """`count` contacts with one distinct mobile number each (no cooldown between them)."""
    contacts = Contact.objects.bulk_create([Contact(name=f"Клиент {n}") for n in range(count)])
    ContactNumber.objects.bulk_create(
        ContactNumber(contact=person, position=0, number=str(first_number + n))
        for n, person in enumerate(contacts)
    )
    return contacts


def ask(contact, agent_group, user):
    """The real path: rows committed (no test transaction around it), the task published on commit."""
    return create.create_callback(contact=contact, agent_group=agent_group, requested_by=user)


def fresh(callback):
    callback.refresh_from_db()
    return callback


def status_is(callback, *statuses):
    return lambda: fresh(callback).status in statuses


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
        held = ask(held_contact, agent_group, staff_user)
        assert wait_for(lambda: sent_for(arrivals, held) == 1, 20), first.log()
        behind = ask(
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
        callback = ask(contact, agent_group, staff_user)
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
            private.stop() if outage == "stopped" else private.freeze()  # ... and the broker goes away

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

        private.start() if outage == "stopped" else private.thaw()  # the same port: the queue is back
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
        assert all(ask(person, agent_group, staff_user).queued_at for person in contacts)
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
    print(f"{count} callbacks queued after {published:.1f} s, all placed after {elapsed:.1f} s")
    print(f"{len(received)} MakeCallbacks, {failures[503]} of them answered 503")


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
