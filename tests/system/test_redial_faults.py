"""Redials under faults, with real workers on PostgreSQL and Redis: Exolve's events duplicated and
out of order give one redial; a worker killed between the outcome and the redial leaves it to be
placed once; a cancel racing a due redial means no call.

The sandbox posts each call's events to this test's live server (the URL set in Exolve's cabinet,
with the events secret), where the redial is decided; the worker's sweeper queues it and a worker
sends it. What reached the sandbox is counted per callback (fault_harness.sent_for)."""

import logging
import random
import threading
import time

import pytest
import requests
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from callbacks import call_events
from callbacks.delivery import sending, staff_actions
from callbacks.models import (
    AgentGroup,
    AttemptResult,
    CallbackRequest,
    CallbackStatus,
    CallEvent,
    CallOutcome,
    FinalState,
    RedialStop,
)
from tests.callback_stories import AGENTS_ANSWER_CONTACT_DOES_NOT
from tests.helpers import ask_for_callback, wait_for
from tests.integration.call_event_data import events_secret, live_events_url  # noqa: F401
from tests.system.fault_harness import (
    fresh,
    make_contacts,
    require_postgresql_and_redis,
    sent_for,
)
from tests.system.worker_process import running_worker

logger = logging.getLogger(__name__)
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def redial_after_contact_no_answer(agent_group, delay=0, max_attempts=3):
    AgentGroup.objects.filter(pk=agent_group.pk).update(
        redial_contact_no_answer=True,
        redial_contact_no_answer_delay=delay,
        max_attempts=max_attempts,
    )


def exolve_posting_events(sandbox, live_server, **options):
    """The sandbox posting every call's events to this test's server, as Exolve does."""
    sandbox.configure(
        **{"events_url": live_events_url(live_server), "events_delay_ms": 100, **options}
    )


def events_all_posted(sandbox):
    """Wait until the sandbox has posted all it will (the test's database goes when it ends)."""
    counts = []

    def settled():
        report = requests.get(f"{sandbox.url}/_sandbox/events", timeout=5).json()
        counts.append(len(report["events"]))
        return len(counts) > 5 and len(set(counts[-5:])) == 1

    return wait_for(settled, 20, interval=0.2)


def final_state_is(callback, state):
    return lambda: fresh(callback).final_state == state


def assert_placed_twice_and_connected(callback, arrivals):
    assert sent_for(arrivals, callback) == 2
    fresh(callback)
    assert (callback.status, callback.final_state, callback.call_outcome) == (
        CallbackStatus.PLACED,
        FinalState.CONNECTED,
        CallOutcome.CONNECTED,
    )
    assert callback.placement_count == 2
    first, second = callback.attempts.order_by("sequence")
    assert [first.result, second.result] == [AttemptResult.PLACED, AttemptResult.PLACED]
    assert second.request_description == f"{callback.request_description}-2"
    assert first.call_id != second.call_id == callback.call_id


# --- the tests ---------------------------------------------------------------------------------


def test_duplicated_and_reordered_events_of_an_unanswered_call_give_exactly_one_redial(
    tmp_path, broker, sandbox, arrivals, live_server, staff_user, contact, agent_group
):
    require_postgresql_and_redis()
    redial_after_contact_no_answer(agent_group, delay=0, max_attempts=3)
    exolve_posting_events(
        sandbox, live_server, contact_misses=1, duplicate_events=True, shuffle_events=True
    )
    with running_worker(tmp_path / "worker.log", **broker.worker(sandbox, beat=True)) as worker:
        callback = ask_for_callback(contact, agent_group, staff_user)
        assert wait_for(final_state_is(callback, FinalState.CONNECTED), 40), worker.log()
        assert events_all_posted(sandbox)
        assert worker.wait_for_sweeps(3), worker.log()  # and nothing more is placed

    assert_placed_twice_and_connected(callback, arrivals)
    assert len(arrivals) == len(sandbox.received()) == 2
    # The first call's events, duplicated and reordered, all stayed on its attempt.
    first, _second = callback.attempts.order_by("sequence")
    assert set(
        CallEvent.objects.filter(call_sid=first.call_id).values_list("attempt", flat=True)
    ) == {first.pk}


def test_a_worker_killed_between_the_outcome_and_the_redial_still_redials_once(
    tmp_path, broker, sandbox, arrivals, live_server, staff_user, contact, agent_group
):
    require_postgresql_and_redis()
    redial_after_contact_no_answer(agent_group, delay=0)
    exolve_posting_events(sandbox, live_server, contact_misses=1, events_delay_ms=500)
    hold_file = tmp_path / "hold"  # made once the first call is on its way: the redial's task waits
    worker_options = broker.worker(sandbox, beat=True)

    with running_worker(tmp_path / "first.log", hold_file=hold_file, **worker_options) as first:
        callback = ask_for_callback(contact, agent_group, staff_user)
        assert wait_for(lambda: sent_for(arrivals, callback) == 1, 20), first.log()
        hold_file.touch()
        # The hook says so for every task; the first one's went on (the file was not there yet).
        holding = f"holding callback request {callback.pk} before its claim"
        assert wait_for(lambda: first.log().count(holding) == 2, 30), first.log()
        # The outcome is recorded and the redial decided; its task is held before the claim.
        fresh(callback)
        assert (callback.status, callback.call_outcome, callback.placement_count) == (
            CallbackStatus.PENDING,
            CallOutcome.CONTACT_NO_ANSWER,
            1,
        )
        first.kill()
    hold_file.unlink()
    assert (fresh(callback).status, callback.attempts.count()) == (CallbackStatus.PENDING, 1)

    with running_worker(tmp_path / "second.log", **worker_options) as second:
        assert wait_for(final_state_is(callback, FinalState.CONNECTED), 40), second.log()
        assert events_all_posted(sandbox)
        assert second.wait_for_sweeps(3), second.log()

    assert_placed_twice_and_connected(callback, arrivals)
    assert len(arrivals) == len(sandbox.received()) == 2


CALLBACKS_RACING = 20
CANCELS_WITHIN = 2.5  # seconds: before, during and after the sweeper's next queueing (every 1 s)


def redials_waiting(count, agent_group, staff_user):
    """`count` callbacks placed once (to the sandbox), their contact not answering: each a redial
    waiting an hour."""
    redial_after_contact_no_answer(agent_group, delay=60)
    callbacks = [
        ask_for_callback(person, agent_group, staff_user) for person in make_contacts(count)
    ]
    assert len(sending.send_callbacks([callback.pk for callback in callbacks])) == count
    for callback in callbacks:
        call_id = fresh(callback).call_id
        for sent in AGENTS_ANSWER_CONTACT_DOES_NOT:
            call_events.receive_event({**sent, "call_sid": call_id})
        assert fresh(callback).status == CallbackStatus.PENDING
    return callbacks


def cancel_at_random_moments(callbacks, user, seed):
    """Cancel each callback from a thread of its own, at a random moment within CANCELS_WITHIN
    (the first few at once); {callback id: cancelled}."""
    moments = random.Random(seed).sample(range(len(callbacks) * 10), len(callbacks))
    delays = [0.0] * 3 + [CANCELS_WITHIN * m / (len(callbacks) * 10) for m in moments[3:]]
    cancelled, errors = {}, []

    def cancel(callback, delay):
        try:
            time.sleep(delay)
            staff_actions.cancel_callback(callback, user)
            cancelled[callback.pk] = True
        except ValidationError:
            cancelled[callback.pk] = False
        except Exception as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own database connection

    threads = [
        threading.Thread(target=cancel, args=(callback, delay))
        for callback, delay in zip(callbacks, delays, strict=True)
    ]
    return threads, cancelled, errors


def test_a_cancel_racing_a_due_redial_means_no_call(
    tmp_path, broker, sandbox, arrivals, queued, staff_user, agent_group
):
    require_postgresql_and_redis()
    callbacks = redials_waiting(CALLBACKS_RACING, agent_group, staff_user)
    threads, cancelled, errors = cancel_at_random_moments(callbacks, staff_user, seed=13)

    with running_worker(tmp_path / "worker.log", **broker.worker(sandbox, beat=True)) as worker:
        CallbackRequest.objects.filter(pk__in=[c.pk for c in callbacks]).update(
            next_attempt_at=timezone.now()
        )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        waiting = CallbackRequest.objects.filter(
            pk__in=[c.pk for c in callbacks],
            status__in=[CallbackStatus.PENDING, CallbackStatus.SENDING],
        )
        assert wait_for(lambda: not waiting.exists(), 30), worker.log()
        assert worker.wait_for_sweeps(3), worker.log()

    for callback in callbacks:
        fresh(callback)
        if cancelled[callback.pk]:
            assert (callback.status, callback.final_state, callback.redial_stop) == (
                CallbackStatus.CANCELLED,
                FinalState.CANCELLED,
                RedialStop.CANCELLED,
            )
            assert (sent_for(arrivals, callback), callback.attempts.count()) == (1, 1)
        else:
            assert (callback.status, callback.final_state, callback.placement_count) == (
                CallbackStatus.PLACED,
                "",
                2,
            )
            assert (sent_for(arrivals, callback), callback.attempts.count()) == (2, 2)
    logger.info(
        "%d of %d redials cancelled, the others placed",
        sum(cancelled.values()),
        CALLBACKS_RACING,
    )
    outcomes = set(cancelled.values())
    assert outcomes == {True, False}, "the cancels all came before, or all after, the redials"
    assert (
        len(arrivals)
        == len(sandbox.received())
        == CALLBACKS_RACING + sum(not was_cancelled for was_cancelled in cancelled.values())
    )
