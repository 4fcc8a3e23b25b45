"""The redial tests' story, told through the services: the call events of each outcome, a group's
redial policy, the events received, the redial made due and sent, and how it stands."""

from django.utils import timezone

from callbacks import call_events
from callbacks.delivery import sending
from callbacks.models import (
    AgentGroup,
    CallbackRequest,
    CallbackStatus,
)
from tests.callback_stories import AGENTS_ANSWER_CONTACT_DOES_NOT
from tests.integration.call_event_data import event, final

CONTACT_NO_ANSWER = AGENTS_ANSWER_CONTACT_DOES_NOT  # the agents (leg A) answer, the contact not
AGENTS_NO_ANSWER = [
    event("{call}", "A", "o", 0),
    final("{call}", "A", 30, cause="19", hangup="NO_ANSWER"),
]
FAILED = [final("{call}", "A", 1, cause="38", hangup="NETWORK_OUT_OF_ORDER")]
KINDS = ("contact_no_answer", "agents_no_answer", "failed")


def policy(callback, **fields):
    """The callback's group with these redial policy fields."""
    AgentGroup.objects.filter(pk=callback.agent_group_id).update(**fields)
    callback.agent_group.refresh_from_db()
    return callback.agent_group


def redial_contact(callback, delay=15, **more):
    return policy(
        callback,
        redial_contact_no_answer=True,
        redial_contact_no_answer_delay=delay,
        max_attempts=more.pop("max_attempts", 3),
        **more,
    )


def receive(callback, events):
    """Events as Exolve posts them; those of "{call}" are the callback's current call's."""
    for sent in events:
        call_id = callback.call_id if sent["call_sid"] == "{call}" else sent["call_sid"]
        call_events.receive_event({**sent, "call_sid": call_id})
    callback.refresh_from_db()


def make_due(callback):
    CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())


def send(callback):
    attempt = sending.send_callback(callback.pk)
    callback.refresh_from_db()
    return attempt


def assert_ended(callback, final_state, stop, placements=1):
    callback.refresh_from_db()
    assert (callback.status, callback.final_state, callback.redial_stop) == (
        CallbackStatus.PLACED,
        final_state,
        stop,
    )
    assert callback.placement_count == placements
    assert callback.attempts.count() == placements


def assert_redial_waiting(callback):
    callback.refresh_from_db()
    assert (callback.status, callback.final_state, callback.redial_stop) == (
        CallbackStatus.PENDING,
        "",
        "",
    )
    assert callback.queued_at is None  # the sweeper queues it (the outbox)
