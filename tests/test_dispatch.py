"""The dispatch service: requests, the claim, attempt rows and the retry policy, against the sandbox."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks import exolve
from callbacks.delivery import create, recording, sending
from callbacks.models import CallbackAttempt, CallbackRequest, CallbackStatus, ContactNumber

pytestmark = pytest.mark.django_db


@pytest.fixture
def callback(contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return create.create_callback(
            contact=contact, agent_group=agent_group, requested_by=staff_user
        )


def test_request_is_recorded_pending_and_queued_with_its_id_only(callback, queued):
    assert callback.status == CallbackStatus.PENDING
    assert queued == [((callback.pk,), None)]
    assert callback.request_description.startswith("callback-")
    assert callback.request_body["request_description"] == callback.request_description
    assert [d["number"] for d in callback.request_body["line_2"]["destinations"]] == [
        "79599999999",
        "79999999999",
    ]


def test_nothing_is_queued_before_commit(
    contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
        assert queued == []
    assert len(callbacks) == 1


def test_descriptions_are_unique(callback, contact, agent_group, staff_user, sandbox):
    sending.send_callback(callback.pk)
    second = create.create_callback(
        contact=contact, agent_group=agent_group, requested_by=staff_user
    )
    assert second.request_description != callback.request_description


def test_a_second_request_while_one_is_on_its_way_is_refused(
    callback, contact, agent_group, staff_user, sandbox
):
    with pytest.raises(ValidationError) as error:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    assert error.value.messages == [
        "A callback to Иван Петров (Ромашка) through “Sales” is already on its way."
    ]
    assert CallbackRequest.objects.count() == 1
    sending.send_callback(callback.pk)  # placed: the contact may be called back again
    create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    assert CallbackRequest.objects.count() == 2


def test_the_database_itself_allows_one_open_request_per_contact_and_group(callback):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CallbackRequest.objects.create(
            contact=callback.contact,
            agent_group=callback.agent_group,
            requested_by=callback.requested_by,
            request_description="another",
            request_body={},
        )


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda group, contact: group.destinations.all().delete(), "has 0 destinations"),
        (lambda group, contact: contact.numbers.all().delete(), "has 0 phone numbers"),
        (lambda group, contact: setattr(group, "is_active", False), "is not active"),
        (
            lambda group, contact: [
                ContactNumber.objects.create(contact=contact, number=f"7912000000{i}")
                for i in range(9)
            ],
            "has 11 phone numbers",
        ),
    ],
)
def test_a_callback_that_breaks_the_contract_is_refused_and_not_recorded(
    breakage, message, contact, agent_group, staff_user, queued
):
    breakage(agent_group, contact)
    with pytest.raises(ValidationError) as error:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    assert any(message in text for text in error.value.messages)
    assert not CallbackRequest.objects.exists()
    assert queued == []


def test_a_tts_text_made_too_long_behind_the_forms_is_refused(
    contact, agent_group, staff_user, tts_preset
):
    type(tts_preset).objects.filter(pk=tts_preset.pk).update(text="слово " * 200)
    agent_group.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        create.create_callback(contact=contact, agent_group=agent_group, requested_by=staff_user)
    (message,) = error.value.messages
    assert message.startswith("TTS preset “Website”, text: This text would take about")
    assert "Exolve allows 24" in message
    assert not CallbackRequest.objects.exists()


def test_200_places_the_callback(callback, sandbox):
    attempt = sending.send_callback(callback.pk)
    callback.refresh_from_db()
    attempt.refresh_from_db()
    (received,) = sandbox.received()
    assert callback.status == CallbackStatus.PLACED
    assert callback.call_id == attempt.call_id == received["call_id"]
    assert callback.finished_at is not None
    assert attempt.http_status == 200
    # The body fixed at the press, with the attempt's own id to find the call in Exolve's records.
    assert attempt.request_description == f"{callback.request_description}-1"
    assert attempt.request_body == {
        **callback.request_body,
        "request_description": attempt.request_description,
    }
    assert received["body"] == attempt.request_body
    assert attempt.finished_at >= attempt.started_at
    assert attempt.duration_ms is not None
    assert received["call_id"] in attempt.response_body


def test_400_ends_in_one_failed_attempt_with_exolves_message(callback, sandbox, queued):
    sandbox.script(
        {
            "status": 400,
            "body": {"code": 3, "message": "Application [1] does not own resource [1221]"},
        }
    )
    sending.send_callback(callback.pk)
    callback.refresh_from_db()
    (attempt,) = callback.attempts.all()
    assert callback.status == CallbackStatus.FAILED
    assert (
        callback.error == attempt.error == "HTTP 400: Application [1] does not own resource [1221]"
    )
    assert attempt.result == "rejected"
    assert queued == [((callback.pk,), None)]  # only the first queueing: no retry
    assert sending.send_callback(callback.pk) is None
    assert len(sandbox.received()) == 1


def test_a_429_and_a_503_then_200_make_three_attempts_and_a_placed_callback(
    callback, sandbox, queued, settings, django_capture_on_commit_callbacks
):
    settings.EXOLVE_RETRY_BASE_DELAY = 0
    sandbox.script({"status": 429}, {"status": 503}, {"status": 200})
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            sending.send_callback(callback.pk)
    callback.refresh_from_db()
    attempts = list(callback.attempts.order_by("sequence"))
    assert [a.sequence for a in attempts] == [1, 2, 3]
    assert [a.result for a in attempts] == ["transient", "transient", "placed"]
    assert [a.http_status for a in attempts] == [429, 503, 200]
    assert [a.request_description[-2:] for a in attempts] == ["-1", "-2", "-3"]
    assert callback.status == CallbackStatus.PLACED
    assert callback.attempt_count == 3
    assert callback.error == ""
    assert len(queued) == 3  # the first queueing and two retries


def test_backoff_is_full_jitter_under_a_bound_that_grows_and_is_capped(
    callback, sandbox, queued, django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.EXOLVE_RETRY_BASE_DELAY = 2
    settings.EXOLVE_RETRY_MAX_DELAY = 5
    drawn = []

    def uniform(low, high):
        drawn.append((low, high))
        return high * 0.75

    monkeypatch.setattr("callbacks.delivery.recording.random.uniform", uniform)
    sandbox.script(*[{"status": 503}] * 3)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            sending.send_callback(callback.pk)
        CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())
    assert drawn == [(0, 2), (0, 4), (0, 5)]
    assert [countdown for _, countdown in queued[1:]] == [1.5, 3, 3.75]


def test_jittered_delays_spread_out_and_stay_under_the_bound(settings):
    settings.EXOLVE_RETRY_BASE_DELAY = 2
    delays = [recording.retry_delay(3) for _ in range(200)]
    assert all(0 <= delay <= 8 for delay in delays)
    assert len(set(delays)) > 150
    assert min(delays) < 2
    assert max(delays) > 6


def test_retry_after_is_used_for_the_delay(
    callback, sandbox, queued, django_capture_on_commit_callbacks
):
    sandbox.script({"status": 429, "headers": {"Retry-After": "9"}})
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert queued[-1] == ((callback.pk,), 9)
    assert callback.status == CallbackStatus.PENDING
    assert callback.next_attempt_at > timezone.now() + timedelta(seconds=7)


def test_a_retry_that_is_not_due_yet_sends_nothing(callback, sandbox):
    sandbox.script({"status": 503})
    sending.send_callback(callback.pk)
    assert sending.send_callback(callback.pk) is None  # delivered early: next_attempt_at is ahead
    assert len(sandbox.received()) == 1


def test_out_of_attempts_fails_with_the_last_error(callback, sandbox, settings):
    settings.EXOLVE_RETRY_BASE_DELAY = 0
    settings.EXOLVE_MAX_ATTEMPTS = 3
    sandbox.script(*[{"status": 503, "body": "busy"}] * 3)
    for _ in range(4):
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.FAILED
    assert callback.error == "Gave up after 3 attempts. Last error: HTTP 503: busy"
    assert callback.attempts.count() == 3
    assert len(sandbox.received()) == 3


def test_network_error_is_retried(callback, settings, queued, django_capture_on_commit_callbacks):
    settings.EXOLVE_API_URL = "http://127.0.0.1:9"
    exolve.reset_client()
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_callback(callback.pk)
    exolve.reset_client()
    callback.refresh_from_db()
    (attempt,) = callback.attempts.all()
    assert attempt.result == "transient"
    assert attempt.http_status is None
    assert callback.status == CallbackStatus.PENDING
    assert len(queued) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_attempt_row_is_committed_before_the_request_is_sent(callback, sandbox):
    seen = {}
    real_send = exolve.ExolveClient.make_callback

    def spy(client, body):
        # By the time the request leaves, the attempt and the claim are committed: the sending
        # thread reads them through a database connection of its own.
        seen["attempts"] = list(
            CallbackAttempt.objects.filter(callback=callback).values_list("result", flat=True)
        )
        seen["status"] = CallbackRequest.objects.get(pk=callback.pk).status
        return real_send(client, body)

    with mock.patch.object(exolve.ExolveClient, "make_callback", spy):
        sending.send_callback(callback.pk)
    assert seen == {"attempts": ["sending"], "status": CallbackStatus.SENDING}


def test_a_second_delivery_of_the_task_sends_nothing(callback, sandbox):
    sending.send_callback(callback.pk)
    assert sending.send_callback(callback.pk) is None
    assert len(sandbox.received()) == 1
    assert CallbackAttempt.objects.count() == 1


def test_an_unexpected_error_while_sending_is_recorded_and_never_resent(callback, sandbox, queued):
    with mock.patch.object(exolve.ExolveClient, "make_callback", side_effect=RuntimeError("boom")):
        sending.send_callback(callback.pk)
    callback.refresh_from_db()
    (attempt,) = callback.attempts.all()
    assert callback.status == CallbackStatus.UNKNOWN
    assert attempt.result == "unknown"
    assert (
        attempt.error
        == "Internal error while sending (RuntimeError); the call may have been placed."
    )
    assert queued == [((callback.pk,), None)]  # no retry


def test_a_retry_delivered_early_is_queued_again_for_the_rest_of_its_wait(callback, queued):
    due_at = timezone.now() + timedelta(seconds=30)
    CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=due_at)
    assert sending.send_callback(callback.pk) is None
    (args, countdown) = queued[-1]
    assert args == (callback.pk,)
    assert 25 < countdown <= 30
    assert not callback.attempts.exists()


def test_the_task_only_calls_the_service(callback, sandbox):
    from callbacks.tasks import send_callback

    send_callback.run(callback.pk)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.PLACED
