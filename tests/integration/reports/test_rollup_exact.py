"""The reports' rollup stays equal to the callbacks it counts, on PostgreSQL (where it is kept),
after any sequence of what happens to callbacks: presses, changes of one or many rows in one
statement, call events arriving late or twice, retention runs that delete attempts and events,
a group's service level minutes changed, a row deleted or moved to another hour, and refreshes
at any point between them."""

import io
import json
import random
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks import call_events, retention
from callbacks.models import (
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    FinalState,
    ReportDirtyHour,
    ReportHour,
)
from callbacks.models.reports import WAIT_COLUMNS
from callbacks.reports import figures, rollup, series
from tests.helpers import make_callbacks
from tests.integration.call_event_data import connected_events, final

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the rollup is kept on PostgreSQL only"
    ),
]

FIELDS = {
    "status": st.sampled_from(list(CallbackStatus.values)),
    "call_outcome": st.sampled_from(["", *CallOutcome.values]),
    "final_state": st.sampled_from(["", *FinalState.values]),
    "first_placed_at": st.sampled_from([None, 10, 400]),
    "connected_at": st.sampled_from([None, 30, 200, 4000]),
    "scheduled_for": st.sampled_from([None, 0]),
    "is_test": st.booleans(),
}
OPERATIONS = st.one_of(
    st.tuples(st.just("press"), st.integers(1, 3), st.integers(0, 72)),
    st.tuples(st.just("change"), st.sampled_from(sorted(FIELDS)), st.data()),
    st.tuples(st.just("events"), st.booleans(), st.booleans()),
    st.tuples(st.just("retention")),
    st.tuples(st.just("minutes"), st.integers(1, 30)),
    st.tuples(st.just("move"), st.integers(-48, 48)),
    st.tuples(st.just("delete")),
    st.tuples(st.just("refresh")),
)


def run(operation, agent_group, user, rng, now):
    kind = operation[0]
    callbacks = list(CallbackRequest.objects.order_by("pk"))
    if kind == "press":
        _kind, count, hours_ago = operation
        make_callbacks(count, agent_group, user, requested_at=now - timedelta(hours=hours_ago))
    elif kind == "refresh":
        rollup.refresh()
    elif kind == "retention":
        retention.purge(older_than_days=0, batch_size=2, now=now + timedelta(days=1))
    elif kind == "minutes":
        agent_group.service_level_minutes = operation[1]
        agent_group.save()
        rollup.recount_group(agent_group)
    elif not callbacks:
        return
    elif kind == "change":
        _kind, name, data = operation
        value = data.draw(FIELDS[name])
        if name in ("first_placed_at", "connected_at", "scheduled_for") and value is not None:
            value = now - timedelta(days=1) + timedelta(seconds=value)
        chosen = rng.sample(callbacks, rng.randint(1, len(callbacks)))
        CallbackRequest.objects.filter(pk__in=[c.pk for c in chosen]).update(**{name: value})
    elif kind == "events":
        _kind, twice, only_first_leg = operation
        late_events(rng.choice(callbacks), twice, only_first_leg)
    elif kind == "move":
        callback = rng.choice(callbacks)
        callback.requested_at += timedelta(hours=operation[1])
        callback.save(update_fields=["requested_at"])
    elif kind == "delete":
        callback = rng.choice(callbacks)
        if not callback.attempts.exists():
            callback.numbers.all().delete()
            callback.delete()


def late_events(callback, twice, only_first_leg):
    """The callback placed with a call of its own, then its call's events (some or all, maybe
    twice) arriving as Exolve sends them."""
    call_id = f"cal-{callback.pk:08d}-0000"
    sequence = callback.attempt_count + 1
    CallbackAttempt.objects.create(
        callback=callback,
        sequence=sequence,
        request_description=f"{callback.request_description}-{sequence}",
        request_body={},
        result="placed",
        call_id=call_id,
    )
    CallbackRequest.objects.filter(pk=callback.pk).update(
        status=CallbackStatus.PLACED,
        call_id=call_id,
        attempt_count=sequence,
        final_state="",
        call_outcome="",
        first_placed_at=callback.requested_at + timedelta(seconds=20),
    )
    events = [final(call_id, "A", 30, cause="19")] if only_first_leg else connected_events(call_id)
    for event in events * (2 if twice else 1):
        call_events.receive_event(call_events.parse_event(json.dumps(event).encode()))


def report_of(agent_group, now, naive=False):
    """Every hour of the days the operations touch, as a report reads them."""
    today = timezone.localdate(now)
    built = series.report(
        today - timedelta(days=6), today + timedelta(days=2), [agent_group], "hour", "UTC", naive
    )
    return [(bucket.start, bucket.counts, bucket.waits) for bucket in built.buckets]


def stored():
    return {
        (row["agent_group_id"], row["hour"]): {
            name: row[name] for name in (*figures.COUNTS, *WAIT_COLUMNS)
        }
        for row in ReportHour.objects.values()
    }


def counted(agent_group):
    return {
        (agent_group.pk, row["hour"]): {
            name: row[name] for name in (*figures.COUNTS, *WAIT_COLUMNS)
        }
        for row in figures.hourly(CallbackRequest.objects.all(), agent_group)
    }


@settings(
    max_examples=int(__import__("os").environ.get("ROLLUP_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=12), seed=st.integers(0, 2**16))
def test_the_rollup_equals_the_callbacks_after_any_operations(
    operations, seed, agent_group, staff_user, settings
):
    settings.EXOLVE_EVENTS_SECRET = "secret"
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        rollup.refresh()
        for operation in operations:
            run(operation, agent_group, staff_user, rng, now)
        # Before any refresh, a report already counts the hours still noted itself.
        assert report_of(agent_group, now) == report_of(agent_group, now, naive=True)
        rollup.refresh()
        assert stored() == counted(agent_group)
        transaction.set_rollback(True)  # the next example starts from nothing


def test_the_rollup_counts_a_change_made_before_a_refresh_started(agent_group, staff_user):
    """Sanity of the test above: without a refresh, a change is not yet in the rollup."""
    make_callbacks(2, agent_group, staff_user)
    rollup.refresh()
    CallbackRequest.objects.update(call_outcome=CallOutcome.CONNECTED)
    assert stored() != counted(agent_group)
    rollup.refresh()
    assert stored() == counted(agent_group)


def test_a_callback_moved_to_another_hour_leaves_the_hour_it_was_in(agent_group, staff_user):
    (callback,) = make_callbacks(1, agent_group, staff_user)
    rollup.refresh()
    callback.requested_at -= timedelta(hours=5)
    callback.save(update_fields=["requested_at"])
    rollup.refresh()
    assert stored() == counted(agent_group)
    assert len(stored()) == 1


def test_a_manager_changing_the_groups_minutes_has_the_reports_count_again(
    agent_group, staff_user, manager, as_user
):
    from tests.admin_pages import change_url, shown_change_form

    make_callbacks(2, agent_group, staff_user, connected_at=timezone.now() + timedelta(minutes=3))
    CallbackRequest.objects.update(connected_at=timezone.now() + timedelta(minutes=3))
    rollup.refresh()
    client = as_user(manager)
    data = shown_change_form(client, agent_group)
    data["service_level_minutes"] = "1"
    assert client.post(change_url(agent_group), data).status_code == 302
    rollup.refresh()
    agent_group.refresh_from_db()
    assert stored() == counted(agent_group)


def test_the_command_counts_everything_and_the_task_keeps_to_its_budget(
    agent_group, staff_user, monkeypatch, settings
):
    from django.core.management import call_command

    from callbacks import tasks

    monkeypatch.setattr(rollup, "NOTES_PER_BATCH", 1)
    for hours_ago in (1, 2, 3):
        make_callbacks(
            1, agent_group, staff_user, requested_at=timezone.now() - timedelta(hours=hours_ago)
        )
    settings.REPORTS_REFRESH_BATCHES = 2
    noted = ReportDirtyHour.objects.count()
    assert noted > 2
    tasks.refresh_reports()  # two batches of one note
    assert ReportDirtyHour.objects.count() == noted - 2
    call_command("refresh_reports", stdout=io.StringIO())
    assert not ReportDirtyHour.objects.exists()
    assert stored() == counted(agent_group)
