"""The words of a callback's life: its status, why it was refused, what a support manager decided,
what its call's events say, how it ended, and why it was not redialled."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting for its time or a worker (first try or a retry)
    SENDING = "sending", _("Sending")  # claimed by a worker, MakeCallback in flight
    PLACED = "placed", _("Placed")  # Exolve accepted it and returned a call_id
    FAILED = "failed", _("Failed")  # nothing was placed: refused by Exolve, or out of retries
    UNKNOWN = "unknown", _("Result unknown")  # may have been placed; only a person places it again
    CANCELLED = "cancelled", _("Cancelled")  # cancelled by staff before it was sent
    REFUSED = "refused", _("Refused")  # stopped by our own limits; never sent


class Refusal(models.TextChoices):
    NUMBER_POLICY = "number_policy", _("Number not allowed")
    DO_NOT_CALL = "do_not_call", _("Do-not-call list")
    COOLDOWN = "cooldown", _("Number called recently")
    HOURLY_LIMIT = "hourly_limit", _("Hourly limit of the user")
    NO_OPENING = "no_opening", _("No working hours ahead")
    GROUP_INACTIVE = "group_inactive", _("Agent group not active")


class ManagerReview(models.TextChoices):
    """A cooldown refusal staff handed over to a support manager, and what the manager decided."""

    NONE = "", _("Not asked")
    WAITING = "waiting", _("Waiting for a manager")
    PLACED = "placed", _("Placed anyway")
    DECLINED = "declined", _("Declined")


class CallOutcome(models.TextChoices):
    """What happened on a placed call, from Exolve's call events (callbacks/outcomes.py)."""

    CONNECTED = "connected", _("Connected")
    AGENTS_NO_ANSWER = "agents_no_answer", _("Agents did not answer")
    CONTACT_NO_ANSWER = "contact_no_answer", _("Contact did not answer")
    FAILED = "failed", _("Call failed")


class FinalState(models.TextChoices):
    """How a callback ended once nothing more will be placed by itself (redials included)."""

    CONNECTED = "connected", _("Connected")
    NOT_REACHED = "not_reached", _("Not reached")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class RedialStop(models.TextChoices):
    """Why a callback placed and not connected is not placed again (callbacks/redial.py)."""

    NOT_IN_POLICY = "not_in_policy", _("The group does not redial after this outcome")
    ATTEMPTS_USED = "attempts_used", _("All connection attempts used")
    EXPIRED = "expired", _("The expiry passed")
    GROUP_CLOSED = "group_closed", _("The group was closed at the next try")
    QUIET_HOURS = "quiet_hours", _("The contact's quiet hours leave no time before the expiry")
    CANCELLED = "cancelled", _("Cancelled by staff")
    DO_NOT_CALL = "do_not_call", _("The number is on the do-not-call list")
    GROUP_INACTIVE = "group_inactive", _("The agent group is not active")
    NUMBER_CHANGED = "number_changed", _("The contact's numbers changed")
    TEST_CALL = "test_call", _("A test call is never redialled")
    ANOTHER_OPEN = "another_open", _("Another callback to the contact is on its way")
    EXOLVE_REFUSED = "exolve_refused", _("Exolve did not place it again")


class ContactLeg(models.TextChoices):
    """Which line of the MakeCallback body dials the contact (leg A is line_1, leg B line_2)."""

    A = "A", _("Line 1")
    B = "B", _("Line 2")
