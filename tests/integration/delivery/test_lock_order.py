"""One lock order (docs/architecture.md): an answer recorded at the very moment the sweeper gives
its send up as lost waits for it, or it for the answer, and neither is rolled back as a deadlock.

PostgreSQL only: SQLite runs one writing transaction at a time."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from callbacks import exolve
from callbacks.delivery import recording, sending, sweeper
from callbacks.models import AttemptResult, CallbackRequest, CallbackStatus
from tests.helpers import wait_for

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks that wait are PostgreSQL's"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def waiting_for_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def in_thread(work, failures):
    def run():
        try:
            work()
        except Exception as exc:  # the test's assertion names it
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_an_answer_and_the_sweepers_give_up_at_once_do_not_deadlock(
    callback, settings, monkeypatch
):
    (attempt,) = sending.claim([callback.pk], timezone.now())
    lost_since = timezone.now() - timedelta(seconds=settings.CALLBACK_LOST_AFTER + 1)
    CallbackRequest.objects.filter(pk=callback.pk).update(claimed_at=lost_since)
    saved, go = threading.Event(), threading.Event()
    update_callbacks = recording._update_callbacks

    def update_then_wait(recordings):
        update_callbacks(recordings)  # the recording transaction holds its row locks now
        saved.set()
        go.wait(10)

    monkeypatch.setattr(recording, "_update_callbacks", update_then_wait)
    failures: list[Exception] = []
    answer = exolve.Answer(AttemptResult.PLACED, http_status=200, call_id="cal-late")
    recorder = in_thread(lambda: recording.record(attempt, answer), failures)
    assert saved.wait(10)
    giver_up = in_thread(lambda: sweeper.give_up_lost_sends(timezone.now()), failures)
    assert wait_for(waiting_for_a_lock, 10)  # the sweeper waits for the recording's lock
    go.set()
    recorder.join(15)
    giver_up.join(15)
    assert failures == []  # a deadlock rolls one of them back
    callback.refresh_from_db()
    attempt.refresh_from_db()
    assert (callback.status, callback.call_id) == (CallbackStatus.PLACED, "cal-late")
    assert attempt.result == AttemptResult.PLACED
