"""What needs a person: the board's work list. Each list is one condition on callbacks, read by
the board (its rows and count), by the call log page's "Needs a person" filter (the rows a
count links to) and by the "checked, no action" step (callbacks/delivery/no_action.py), which
takes a callback off the list. Customers' callbacks only: a test call is its manager's own
business."""

from datetime import datetime, timedelta

from django.db.models import Q, TextChoices
from django.utils.translation import gettext_lazy as _

from .models import CallbackRequest, CallbackStatus, FinalState, ManagerReview

RECENT_FAILURES = timedelta(hours=24)
# Not reached ones stay on the list for a week (the call log's "final state" filter finds older
# ones): a list nobody empties for months would hide today's among thousands.
RECENT_NOT_REACHED = timedelta(days=7)


class Need(TextChoices):
    UNKNOWN = "unknown", _("Result unknown")
    NO_OUTCOME = "no_outcome", _("No outcome received")
    FAILED = "failed", _("Not placed in the last 24 hours")
    COOLDOWN = "cooldown", _("Waiting for a support manager")
    NOT_REACHED = "not_reached", _("Not reached after all attempts, last 7 days")


# Lists a person may take a callback off with "checked, no action". A cooldown refusal has its
# own decision: a support manager places it anyway or declines it.
CHECKABLE = (Need.UNKNOWN, Need.NO_OUTCOME, Need.FAILED, Need.NOT_REACHED)


def condition(need: Need, now: datetime) -> Q:
    """The callbacks on one list at `now`."""
    customers = Q(is_test=False)
    if need == Need.COOLDOWN:
        return customers & Q(status=CallbackStatus.REFUSED, manager_review=ManagerReview.WAITING)
    return customers & ~Q(checked_on=need.value) & _unchecked_condition(need, now)


def _unchecked_condition(need: Need, now: datetime) -> Q:
    if need == Need.UNKNOWN:
        return Q(status=CallbackStatus.UNKNOWN)
    if need == Need.NO_OUTCOME:
        # Not one whose redial policy already ended it (its first leg ended unanswered).
        return Q(
            status=CallbackStatus.PLACED,
            final_state="",
            final_event_at__isnull=True,
            outcome_expected_by__lt=now,
        )
    if need == Need.FAILED:
        # Nothing was placed: Exolve refused it or the retries ran out. A redial Exolve refused
        # ends not reached (its placement before stands), on that list.
        return Q(
            status=CallbackStatus.FAILED, final_state="", finished_at__gte=now - RECENT_FAILURES
        )
    # Placed, or failed (Exolve refused its redial); an unknown result has its own list.
    return Q(
        final_state__in=[FinalState.NOT_REACHED, FinalState.EXPIRED],
        status__in=[CallbackStatus.PLACED, CallbackStatus.FAILED],
        requested_at__gte=now - RECENT_NOT_REACHED,
    )


def checkable(now: datetime) -> Q:
    """Callbacks a person may mark "checked, no action" now."""
    either = Q()
    for need in CHECKABLE:
        either |= condition(need, now)
    return either


def need_of(callback: CallbackRequest, now: datetime) -> Need | None:
    """The list a loaded callback is on at `now`, if any: `condition` read in Python (the lists
    do not overlap; a test holds the two the same)."""
    if callback.is_test:
        return None
    if (
        callback.status == CallbackStatus.REFUSED
        and callback.manager_review == ManagerReview.WAITING
    ):
        return Need.COOLDOWN
    need = _need_of_status(callback, now)
    return None if need is None or callback.checked_on == need else need


def _need_of_status(callback: CallbackRequest, now: datetime) -> Need | None:
    status, final_state = callback.status, callback.final_state
    if status == CallbackStatus.UNKNOWN:
        return Need.UNKNOWN
    if final_state in (FinalState.NOT_REACHED, FinalState.EXPIRED):
        ended = status in (CallbackStatus.PLACED, CallbackStatus.FAILED)
        recent = callback.requested_at >= now - RECENT_NOT_REACHED
        return Need.NOT_REACHED if ended and recent else None
    if final_state:
        return None
    if status == CallbackStatus.PLACED:
        expected = callback.outcome_expected_by
        no_outcome = callback.final_event_at is None and expected is not None and expected < now
        return Need.NO_OUTCOME if no_outcome else None
    finished = callback.finished_at
    if status == CallbackStatus.FAILED and finished and finished >= now - RECENT_FAILURES:
        return Need.FAILED
    return None
