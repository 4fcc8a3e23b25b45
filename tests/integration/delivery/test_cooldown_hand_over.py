"""A cooldown refusal handed over to a support manager: once, only a cooldown refusal; the manager
places it anyway or declines it; who and when are kept; two people at once, one wins."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from callbacks.admin.list_filters import NeedsManagerFilter
from callbacks.delivery import staff_actions
from callbacks.models import CallbackRequest, CallbackStatus, ManagerReview, Refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(callback):
    """A callback the number's cooldown refused."""
    CallbackRequest.objects.filter(pk=callback.pk).update(
        status=CallbackStatus.REFUSED, refusal=Refusal.COOLDOWN, error="called recently"
    )
    return CallbackRequest.objects.get(pk=callback.pk)


def needs_manager():
    """The callbacks in the managers' "Needs a manager" list (?needs_manager=1)."""
    chosen = NeedsManagerFilter(None, {"needs_manager": ["1"]}, CallbackRequest, None)
    return chosen.queryset(None, CallbackRequest.objects.all())


def reloaded(callback):
    return CallbackRequest.objects.get(pk=callback.pk)


def test_staff_hand_a_cooldown_refusal_over_once_and_it_waits_for_a_manager(refused, staff_user):
    staff_actions.hand_over(refused, staff_user)
    waiting = reloaded(refused)
    assert (waiting.status, waiting.manager_review, waiting.handed_over_by) == (
        CallbackStatus.REFUSED,
        ManagerReview.WAITING,
        staff_user,
    )
    assert waiting.handed_over_at is not None
    assert list(needs_manager()) == [waiting]
    assert waiting.status_text == (
        "Refused: number called recently; waiting for a support manager (asked by staff)"
    )
    with pytest.raises(ValidationError, match="not yet handed to a support manager"):
        staff_actions.hand_over(waiting, staff_user)


@pytest.mark.parametrize("refusal", [Refusal.DO_NOT_CALL, Refusal.HOURLY_LIMIT])
def test_only_a_cooldown_refusal_can_be_handed_over(refused, staff_user, refusal):
    CallbackRequest.objects.filter(pk=refused.pk).update(refusal=refusal)
    with pytest.raises(ValidationError):
        staff_actions.hand_over(reloaded(refused), staff_user)
    assert reloaded(refused).manager_review == ManagerReview.NONE


def test_a_callback_on_its_way_cannot_be_handed_over(callback, staff_user):
    with pytest.raises(ValidationError):
        staff_actions.hand_over(callback, staff_user)
    assert reloaded(callback).status == CallbackStatus.PENDING


def test_a_manager_declines_it_stays_refused_and_leaves_the_list(refused, staff_user, manager):
    staff_actions.hand_over(refused, staff_user)
    with pytest.raises(PermissionDenied):
        staff_actions.decline_override(refused, staff_user)
    staff_actions.decline_override(refused, manager)
    declined = reloaded(refused)
    assert (declined.status, declined.manager_review, declined.reviewed_by) == (
        CallbackStatus.REFUSED,
        ManagerReview.DECLINED,
        manager,
    )
    assert declined.reviewed_at is not None
    assert not needs_manager().exists()
    assert declined.status_text == (
        "Refused: number called recently; a support manager declined it (manager)"
    )
    with pytest.raises(ValidationError, match="Only a callback waiting for a support manager"):
        staff_actions.decline_override(declined, manager)
    with pytest.raises(ValidationError):  # asked once: not again
        staff_actions.hand_over(declined, staff_user)


def test_a_callback_nobody_handed_over_cannot_be_declined(refused, manager):
    with pytest.raises(ValidationError):
        staff_actions.decline_override(refused, manager)
    assert reloaded(refused).manager_review == ManagerReview.NONE


def test_placed_anyway_it_leaves_the_list_and_says_who_allowed_it(
    refused, staff_user, manager, sandbox
):
    staff_actions.hand_over(refused, staff_user)
    staff_actions.place_despite_cooldown(refused, manager)
    placed = reloaded(refused)
    assert (placed.status, placed.manager_review, placed.reviewed_by) == (
        CallbackStatus.PENDING,
        ManagerReview.PLACED,
        manager,
    )
    assert not needs_manager().exists()
    assert placed.status_text == "Pending despite the cooldown (allowed by manager)"
    CallbackRequest.objects.filter(pk=placed.pk).update(status=CallbackStatus.PLACED)
    assert reloaded(placed).status_text == "Placed despite the cooldown (allowed by manager)"


def test_a_manager_may_place_anyway_what_another_declined(refused, staff_user, manager, make_user):
    staff_actions.hand_over(refused, staff_user)
    staff_actions.decline_override(refused, manager)
    other = make_user("manager2", "Support managers")
    other.first_name, other.last_name = "Анна", "Смирнова"
    other.save()
    staff_actions.place_despite_cooldown(reloaded(refused), other)
    placed = reloaded(refused)
    assert (placed.manager_review, placed.reviewed_by) == (ManagerReview.PLACED, other)
    assert placed.status_text == "Pending despite the cooldown (allowed by Анна Смирнова)"


def test_a_refusal_other_than_the_cooldown_reads_as_before(refused):
    CallbackRequest.objects.filter(pk=refused.pk).update(refusal=Refusal.DO_NOT_CALL)
    assert reloaded(refused).status_text == "Refused: do-not-call list"


def test_the_list_without_the_filter_keeps_every_callback(refused, staff_user):
    staff_actions.hand_over(refused, staff_user)
    unfiltered = NeedsManagerFilter(None, {}, CallbackRequest, None)
    CallbackRequest.objects.filter(pk=refused.pk).update(manager_review=ManagerReview.DECLINED)
    assert list(unfiltered.queryset(None, CallbackRequest.objects.all())) == [refused]
    assert not needs_manager().exists()


def at_once(*calls):
    """Each call from its own connection, all released together; what each one raised."""
    start = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            start.wait(10)
            call()
            outcomes[index] = "done"
        except (ValidationError, PermissionDenied) as exc:
            outcomes[index] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits, two connections
def test_two_staff_handing_it_over_at_once_hand_it_over_once(refused, staff_user, make_user):
    colleague = make_user("staff2", "Staff")
    outcomes = at_once(
        lambda: staff_actions.hand_over(refused, staff_user),
        lambda: staff_actions.hand_over(refused, colleague),
    )
    assert outcomes == ["ValidationError", "done"]
    assert reloaded(refused).handed_over_by in (staff_user, colleague)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_declining_at_once_decline_it_once(refused, staff_user, manager, make_user):
    other = make_user("manager2", "Support managers")
    staff_actions.hand_over(refused, staff_user)
    outcomes = at_once(
        lambda: staff_actions.decline_override(refused, manager),
        lambda: staff_actions.decline_override(refused, other),
    )
    assert outcomes == ["ValidationError", "done"]
    declined = reloaded(refused)
    assert declined.manager_review == ManagerReview.DECLINED
    assert declined.reviewed_by in (manager, other)
