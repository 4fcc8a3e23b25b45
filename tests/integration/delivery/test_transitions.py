"""Every status a callback may be in, put through every step that changes a status, by the real
services: the status it ends in is the one the transitions table gives (the target when the table
has the move, else unchanged). A step that moved a status the table does not list, or refused a
move the table lists, fails here; so does a table that says more than the code does."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from callbacks.delivery import recording, sending, staff_actions, sweeper
from callbacks.delivery.transitions import TRANSITIONS, Step, allows, state_diagram
from callbacks.exolve import Answer
from callbacks.models import (
    AttemptResult,
    CallbackRequest,
    CallbackStatus,
    DoNotCallNumber,
    ManagerReview,
    Refusal,
)
from tests.helpers import ask_for_callback

pytestmark = pytest.mark.django_db

STATUSES = list(CallbackStatus)
# An answer of each kind, and the status the table may move a callback to on it.
ANSWERS = {
    CallbackStatus.PLACED: Answer(AttemptResult.PLACED, 200, call_id="cal-walk"),
    CallbackStatus.FAILED: Answer(AttemptResult.REJECTED, 400, error="HTTP 400: refused"),
    CallbackStatus.PENDING: Answer(AttemptResult.TRANSIENT, 503, error="HTTP 503: later"),
    CallbackStatus.UNKNOWN: Answer(AttemptResult.UNKNOWN, 500, error="HTTP 500: maybe"),
}


def expected(step, source, target, **fields):
    rule = TRANSITIONS[step]
    met = all(fields.get(name, value) == value for name, value in rule.only_if.items())
    return target if met and (source, target) in rule.moves else source


def in_status(callback, status, **fields):
    CallbackRequest.objects.filter(pk=callback.pk).update(status=status, **fields)
    return CallbackRequest.objects.get(pk=callback.pk)


def status_of(callback):
    return CallbackRequest.objects.get(pk=callback.pk).status


@pytest.fixture
def fresh(contact, agent_group, staff_user, queued):
    """A new pending callback, due now."""
    return ask_for_callback(contact, agent_group, staff_user)


@pytest.mark.parametrize("source", STATUSES)
def test_claim(fresh, source):
    in_status(fresh, source)
    sending.claim([fresh.pk], timezone.now())
    assert status_of(fresh) == expected(Step.CLAIM, source, CallbackStatus.SENDING)


@pytest.mark.parametrize("target", list(ANSWERS))
@pytest.mark.parametrize("source", STATUSES)
def test_answer(fresh, source, target):
    """The answer to the callback's latest attempt, recorded whatever has become of it since."""
    [attempt] = sending.claim([fresh.pk], timezone.now())
    in_status(fresh, source)
    recording.record(attempt, ANSWERS[target])
    assert status_of(fresh) == expected(Step.ANSWER, source, target)


@pytest.mark.parametrize("source", STATUSES)
def test_give_up(fresh, source, settings):
    in_status(fresh, source, claimed_at=timezone.now() - timedelta(hours=1))
    sweeper.give_up_lost_sends(timezone.now())
    assert status_of(fresh) == expected(Step.GIVE_UP, source, CallbackStatus.UNKNOWN)


@pytest.mark.parametrize("source", STATUSES)
def test_refuse(fresh, source):
    """A number went onto the do-not-call list; the task settles what its claim did not take."""
    DoNotCallNumber.objects.create(number=fresh.numbers.first().number)
    in_status(fresh, source)
    sending.settle_unclaimed({fresh.pk}, timezone.now())
    assert status_of(fresh) == expected(Step.REFUSE, source, CallbackStatus.REFUSED)


@pytest.mark.parametrize(
    ("step", "service", "target"),
    [
        (Step.CANCEL, staff_actions.cancel_callback, CallbackStatus.CANCELLED),
        (Step.PLACE_AGAIN, staff_actions.place_again, CallbackStatus.PENDING),
    ],
    ids=["cancel", "place again"],
)
@pytest.mark.parametrize("source", STATUSES)
def test_staff_action(fresh, source, step, service, target, staff_user):
    callback = in_status(fresh, source)
    moved = expected(step, source, target) != source
    assert allows(step, callback) == moved  # what the admin offers
    if moved:
        service(callback, staff_user)
    else:
        with pytest.raises(ValidationError):
            service(callback, staff_user)
    assert status_of(fresh) == expected(step, source, target)


@pytest.mark.parametrize("refusal", [Refusal.COOLDOWN, Refusal.DO_NOT_CALL])
@pytest.mark.parametrize("source", STATUSES)
def test_place_anyway(fresh, source, refusal, manager, staff_user):
    callback = in_status(fresh, source, refusal=refusal)
    target = expected(Step.PLACE_ANYWAY, source, CallbackStatus.PENDING, refusal=refusal)
    assert allows(Step.PLACE_ANYWAY, callback) == (target != source)
    with pytest.raises(PermissionDenied):  # staff may not, whatever the status
        staff_actions.place_despite_cooldown(callback, staff_user)
    if target != source:
        staff_actions.place_despite_cooldown(callback, manager)
    else:
        with pytest.raises(ValidationError):
            staff_actions.place_despite_cooldown(callback, manager)
    assert status_of(fresh) == target


@pytest.mark.parametrize(
    ("step", "service", "user", "review"),
    [
        (Step.HAND_OVER, staff_actions.hand_over, "staff_user", ManagerReview.WAITING),
        (Step.DECLINE, staff_actions.decline_override, "manager", ManagerReview.DECLINED),
    ],
    ids=["hand over", "decline"],
)
@pytest.mark.parametrize("before", list(ManagerReview))
@pytest.mark.parametrize("refusal", [Refusal.COOLDOWN, Refusal.DO_NOT_CALL])
@pytest.mark.parametrize("source", STATUSES)
def test_a_step_that_keeps_it_refused(
    fresh, source, refusal, before, step, service, user, review, request
):
    """Hand over and decline change who is asked and what they said, never the status."""
    callback = in_status(fresh, source, refusal=refusal, manager_review=before)
    rule, fields = TRANSITIONS[step], {"refusal": refusal, "manager_review": before}
    allowed = (source, CallbackStatus.REFUSED) in rule.moves and all(
        fields[name] == value for name, value in rule.only_if.items()
    )
    assert allows(step, callback) == allowed
    if allowed:
        service(callback, request.getfixturevalue(user))
    else:
        with pytest.raises(ValidationError):
            service(callback, request.getfixturevalue(user))
    after = CallbackRequest.objects.get(pk=fresh.pk)
    assert (after.status, after.manager_review) == (source, review if allowed else before)


def test_the_architecture_page_draws_the_table():
    """docs/architecture.md shows the life of a callback as the table says it, not as it was."""
    from tests.helpers import PROJECT

    page = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    diagram = f"```mermaid\n{state_diagram()}```"
    assert diagram in page, f"docs/architecture.md should draw the table as it is now:\n{diagram}"
