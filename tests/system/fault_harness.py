"""The fault tests' harness: PostgreSQL and Redis required, the web side's publisher pointed at a
queue of the test's own, a Redis of the test's own to stop and freeze, and reading which
MakeCallbacks reached the sandbox for which callback."""

import os
import signal
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import redis
from django.db import connection
from kombu import Connection

from callbacks.models import Contact, ContactNumber
from callbacks_project.celery import app as celery_app
from tests.helpers import free_port, wait_for

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


@dataclass
class Broker:
    url: str
    queue: str

    def worker(self, sandbox, **options):
        """running_worker() arguments for a worker on this broker and queue, with the fast
        timings."""
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
        wait_for(lambda: self.answers() or self.process.poll() is not None, 10)
        assert self.answers(), (self.directory / "redis.log").read_text()

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


def make_contacts(count, first_number=79120000000):
    """`count` contacts with one distinct mobile number each (no cooldown between them)."""
    contacts = Contact.objects.bulk_create([Contact(name=f"Клиент {n}") for n in range(count)])
    ContactNumber.objects.bulk_create(
        ContactNumber(contact=person, position=0, number=str(first_number + n))
        for n, person in enumerate(contacts)
    )
    return contacts


def fresh(callback):
    callback.refresh_from_db()
    return callback


def status_is(callback, *statuses):
    return lambda: fresh(callback).status in statuses
