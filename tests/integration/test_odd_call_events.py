"""Whatever a call event holds, the call id of an accepted call is kept: an odd event never turns
a placed callback into an unknown one that a person would place again (a second call)."""

import pytest

from callbacks import call_events
from callbacks.delivery import create, sending, sweeper
from callbacks.models import CallbackStatus, CallEvent, CallOutcome
from tests.integration import call_event_data
from tests.integration.call_event_data import connected_events, final, post

pytestmark = pytest.mark.django_db
events_secret = call_event_data.events_secret

HUGE = int("9" * 400)  # round(HUGE / 1000) raised OverflowError


@pytest.fixture
def callback(contact, agent_group, staff_user, queued):
    return create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)


def odd_connected_events(call_id):
    *usual, _a_final, b_final = connected_events(call_id)
    return [*usual, final(call_id, "A", 60, talk_ms=HUGE), b_final]


def test_an_early_event_with_an_unbelievable_duration_keeps_the_call_id(client, callback, sandbox):
    sandbox.script({"status": 200, "body": {"call_id": "cal-odd"}})
    for sent in odd_connected_events("cal-odd"):  # before the answer is recorded
        assert post(client, sent).json() == {"stored": True, "linked": False}
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert (callback.status, callback.call_id) == (CallbackStatus.PLACED, "cal-odd")
    assert callback.call_outcome == CallOutcome.CONNECTED
    first, _second = call_events.legs_of(callback)
    assert (first.answered, first.talk_seconds) == (True, None)  # the duration is not believed


def test_a_late_event_with_an_unbelievable_duration_is_stored_and_settles_the_outcome(
    client, callback, sandbox
):
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    for sent in odd_connected_events(callback.call_id):
        assert post(client, sent).status_code == 200
    callback.refresh_from_db()
    assert callback.call_outcome == CallOutcome.CONNECTED
    assert callback.final_event_at is not None
    assert CallEvent.objects.filter(attempt__callback=callback).count() == 6


def test_when_linking_the_early_events_fails_the_answer_is_kept_and_the_sweeper_links_them(
    client, callback, sandbox, monkeypatch
):
    sandbox.script({"status": 200, "body": {"call_id": "cal-early"}})
    for sent in connected_events("cal-early"):
        post(client, sent)

    def broken(attempt):
        raise RuntimeError("a bug in the outcome")

    with monkeypatch.context() as patched:
        patched.setattr(call_events, "_update_outcome", broken)
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert (callback.status, callback.call_id) == (CallbackStatus.PLACED, "cal-early")
    assert not CallEvent.objects.exclude(attempt=None).exists()  # the savepoint rolled back
    assert sweeper.sweep()["events_linked"] == 1
    callback.refresh_from_db()
    assert callback.call_outcome == CallOutcome.CONNECTED
