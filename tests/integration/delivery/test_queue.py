"""The outbox: a callback committed first and handed to the broker after, never waiting long on
it; what the broker did not take stays pending for the sweeper."""

import threading
import time as clock

import pytest

from callbacks.delivery import (
    queue,
)
from callbacks.models import (
    CallbackStatus,
)
from tests.helpers import ask_for_callback

pytestmark = pytest.mark.django_db


def test_a_broker_failure_at_the_press_leaves_the_callback_pending_for_the_sweeper(
    contact, agent_group, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("callbacks.delivery.queue.hand_to_broker", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        callback = ask_for_callback(contact, agent_group, staff_user)
    assert callback.queued_at is None
    callback.refresh_from_db()
    assert (callback.status, callback.queued_at) == (CallbackStatus.PENDING, None)


def test_a_hung_broker_cannot_hold_the_caller_past_the_publish_deadline(
    callback, monkeypatch, settings
):
    """A broker that accepts the connection and never answers (Redis' socket timeout is 5 s)."""
    release = threading.Event()
    monkeypatch.setattr("callbacks.delivery.queue.hand_to_broker", lambda *a, **k: release.wait(10))
    settings.CALLBACK_PUBLISH_TIMEOUT = 0.3
    started = clock.monotonic()
    try:
        assert queue.publish([callback.pk]) is False
        waited = clock.monotonic() - started
    finally:
        release.set()
    assert waited < 2  # the contract: the page answers within 2 s
    callback.refresh_from_db()
    assert (callback.status, callback.queued_at) == (CallbackStatus.PENDING, None)
