"""A callback with a story to tell, made through the services as it happens: a first attempt
Exolve answers 503, a second it accepts, and the call's events (the agents answer, the contact
does not)."""

from django.utils import timezone

from tests.integration.call_event_data import event, final

AGENTS_ANSWER_CONTACT_DOES_NOT = [
    event("{call}", "A", "o", 0),
    event("{call}", "A", "s", 4),
    final("{call}", "A", 40, talk_ms=0, cause="16"),
    event("{call}", "B", "o", 5),
    final("{call}", "B", 35, cause="19", hangup="NO_ANSWER"),
]


def send_first_attempt_busy(callback, sandbox):
    """Attempt 1: Exolve answers 503 (nothing placed); the callback waits for its retry."""
    from callbacks.delivery import sending

    sandbox.script({"status": 503})
    sending.send_callback(callback.pk)
    callback.refresh_from_db()


def send_second_attempt_placed(callback):
    """Attempt 2, due now: Exolve accepts it and gives a call id."""
    from callbacks.delivery import sending
    from callbacks.models import CallbackRequest

    CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())
    sending.send_callback(callback.pk)
    callback.refresh_from_db()


def receive_call_events(callback, events=AGENTS_ANSWER_CONTACT_DOES_NOT):
    from callbacks import call_events

    for sent in events:
        call_events.receive_event({**sent, "call_sid": callback.call_id})
    callback.refresh_from_db()


def two_attempts_and_an_outcome(callback, sandbox):
    send_first_attempt_busy(callback, sandbox)
    send_second_attempt_placed(callback)
    receive_call_events(callback)
