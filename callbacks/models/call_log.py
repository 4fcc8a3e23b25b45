"""The call log: what happened. A callback (CallbackRequest) per "Call back" press, an attempt
(CallbackAttempt) per MakeCallback sent to Exolve, and the customer numbers each callback rings
(CallbackNumber, for the cooldown). Exolve's call events are in events.py.

Only the delivery package writes them (callbacks/delivery/); nobody edits them in the admin.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..dates import shown_datetime
from .configuration import AgentGroup
from .contacts import Contact


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


OPEN_STATUSES = [CallbackStatus.PENDING, CallbackStatus.SENDING]
# Callbacks that did or may have rung the customer: what the cooldown counts.
RINGING_STATUSES = [
    CallbackStatus.PENDING,
    CallbackStatus.SENDING,
    CallbackStatus.PLACED,
    CallbackStatus.UNKNOWN,
]
CALL_ID_MAX_LENGTH = 100  # Exolve's call ids are about 40 characters


class CallbackRequest(models.Model):
    """A callback: one "Call back" press and everything that follows from it. (The table keeps its
    first name, so the permissions stay callbacks.view_callbackrequest and the like.)"""

    contact = models.ForeignKey(
        Contact,
        models.PROTECT,
        related_name="callbacks",
        verbose_name=_("contact"),
        db_index=False,
    )
    agent_group = models.ForeignKey(
        AgentGroup,
        models.PROTECT,
        related_name="callbacks",
        verbose_name=_("agent group"),
        db_index=False,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="callbacks",
        verbose_name=_("requested by"),
        db_index=False,
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    scheduled_for = models.DateTimeField(
        _("asked for"),
        null=True,
        blank=True,
        help_text=_("The time staff asked the call to be placed at, if any."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.PENDING
    )
    refusal = models.CharField(_("refusal"), max_length=16, choices=Refusal.choices, blank=True)
    limits_overridden = models.BooleanField(
        _("cooldown overridden"),
        default=False,
        help_text=_("Ticked if a support manager placed it despite the number's cooldown."),
    )
    manager_review = models.CharField(
        _("support manager's decision"),
        max_length=16,
        choices=ManagerReview.choices,
        blank=True,
        default=ManagerReview.NONE,
        help_text=_(
            "For a cooldown refusal: whether staff asked a support manager, and the answer."
        ),
    )
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager asked by"),
    )
    handed_over_at = models.DateTimeField(_("manager asked at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cooldown decided by"),
        help_text=_("The support manager who placed it anyway or declined it, if one did."),
    )
    reviewed_at = models.DateTimeField(_("cooldown decided at"), null=True, blank=True)
    request_description = models.CharField(
        _("request description"),
        max_length=64,
        unique=True,
        help_text=_("Our id for the callback, sent to Exolve."),
    )
    request_body = models.JSONField(
        _("request body"), help_text=_("The MakeCallback body, fixed when staff confirmed.")
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Attempts of the current round: a person's "place again" starts a new one.
    round_first_attempt = models.PositiveSmallIntegerField(
        _("first attempt of the round"), default=1
    )
    round_started_at = models.DateTimeField(_("round started at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    queued_at = models.DateTimeField(
        _("queued at"),
        null=True,
        blank=True,
        help_text=_("When it was last handed to the queue; empty if it failed."),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    call_id = models.CharField(_("call id"), max_length=CALL_ID_MAX_LENGTH, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # What Exolve's call events say happened on the call (callbacks/call_events.py).
    call_outcome = models.CharField(
        _("call outcome"),
        max_length=24,
        choices=CallOutcome.choices,
        blank=True,
        help_text=_("From Exolve's call events."),
    )
    final_event_at = models.DateTimeField(_("final event received at"), null=True, blank=True)
    outcome_expected_by = models.DateTimeField(
        _("outcome expected by"),
        null=True,
        blank=True,
        help_text=_(
            "A placed call whose final event has not come by then is flagged: no outcome received."
        ),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
        help_text=_(
            "Who last cancelled it, placed it again or placed it despite the cooldown, if anyone."
        ),
    )

    # The foreign keys have no index of their own: each one leads a composite index below.
    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        permissions = [
            ("place_callback", _("Can place, cancel and place again a callback")),
            ("override_cooldown", _("Can place a callback despite the number's cooldown")),
        ]
        constraints = [
            # One callback on its way per contact and group: a double click, or two staff
            # pressing at once, cannot ring the customer twice.
            models.UniqueConstraint(
                fields=["contact", "agent_group"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="callbackrequest_one_open_per_contact_and_group",
            ),
        ]
        indexes = [
            models.Index(fields=["-requested_at", "-id"], name="callbackrequest_recent"),
            models.Index(fields=["contact", "-requested_at"], name="callbackrequest_contact"),
            models.Index(fields=["status", "-requested_at"], name="callbackrequest_status"),
            models.Index(fields=["agent_group", "-requested_at"], name="callbackrequest_group"),
            models.Index(fields=["requested_by", "-requested_at"], name="callbackrequest_user"),
            models.Index(fields=["call_id"], name="callbackrequest_call_id"),
            models.Index(
                fields=["requested_at"],
                name="callbackrequest_open",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # The sweeper's two queries: due pending callbacks, and sends that lost their worker.
            models.Index(
                fields=["next_attempt_at"],
                name="callbackrequest_due",
                condition=models.Q(status=CallbackStatus.PENDING),
            ),
            models.Index(
                fields=["claimed_at"],
                name="callbackrequest_sending",
                condition=models.Q(status=CallbackStatus.SENDING),
            ),
            models.Index(
                fields=["call_outcome", "-requested_at"], name="callbackrequest_call_outcome"
            ),
            models.Index(
                fields=["refusal", "-requested_at"],
                name="callbackrequest_refusal",
                condition=~models.Q(refusal=""),
            ),
            models.Index(
                fields=["handed_over_at"],
                name="callbackrequest_needs_manager",
                condition=models.Q(manager_review=ManagerReview.WAITING),
            ),
            models.Index(
                fields=["outcome_expected_by"],
                name="callbackrequest_no_outcome",
                condition=models.Q(status=CallbackStatus.PLACED, final_event_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return _("Callback to %(contact)s at %(time)s") % {
            "contact": self.contact,
            "time": shown_datetime(self.requested_at),
        }

    @property
    def status_text(self) -> str:
        """The status in words, with why it was refused and what a support manager decided about
        the cooldown: what every page shows in place of the bare status and refusal."""
        status = self.get_status_display()
        if self.status != CallbackStatus.REFUSED:
            if not self.limits_overridden:
                return str(status)
            return _("%(status)s despite the cooldown (allowed by %(manager)s)") % {
                "status": status,
                "manager": person_name(self.reviewed_by or self.decided_by),
            }
        reason = lower_first(str(self.get_refusal_display()))
        refused = _("%(status)s: %(reason)s") % {"status": status, "reason": reason}
        if self.refusal != Refusal.COOLDOWN or self.manager_review in ("", ManagerReview.PLACED):
            return str(refused)
        if self.manager_review == ManagerReview.WAITING:
            return _("%(refused)s; waiting for a support manager (asked by %(person)s)") % {
                "refused": refused,
                "person": person_name(self.handed_over_by),
            }
        return _("%(refused)s; a support manager declined it (%(manager)s)") % {
            "refused": refused,
            "manager": person_name(self.reviewed_by),
        }

    @property
    def still_changing(self) -> bool:
        """Whether its status or outcome may still change with nobody acting: it waits, is being
        sent, or was placed and its outcome is still to come (live pages follow it till then)."""
        if self.status in (CallbackStatus.PENDING, CallbackStatus.SENDING):
            return True
        return (
            self.status == CallbackStatus.PLACED
            and self.final_event_at is None
            and (self.outcome_expected_by is None or self.outcome_expected_by > timezone.now())
        )

    @property
    def outcome_text(self) -> str:
        """The call's outcome for lists: what its events say, or whether they are still to come."""
        return self.describe_outcome(dict(CallOutcome.choices), timezone.now())

    def describe_outcome(self, labels: Mapping[str, Any], now: datetime) -> str:
        if self.call_outcome:
            return str(labels[self.call_outcome])
        if (
            self.status == CallbackStatus.PLACED
            and self.final_event_at is None
            and self.outcome_expected_by
        ):
            return str(
                _("No outcome received") if self.outcome_expected_by < now else _("In progress")
            )
        return ""

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == CallbackStatus.PENDING
            and self.next_attempt_at is not None
            and self.next_attempt_at > timezone.now()
        )


def lower_first(text: str) -> str:
    """A sentence continued after a colon: «Отказано: номеру недавно звонили»."""
    return text[:1].lower() + text[1:]


def person_name(user: Any) -> str:
    """A user as pages name them: the full name, else the login ("—" for nobody)."""
    if user is None:
        return "—"
    return str(user.get_full_name() or user.get_username())


class CallbackNumber(models.Model):
    """A customer number a callback rings: the cooldown looks callbacks up by number."""

    callback = models.ForeignKey(
        CallbackRequest,
        models.CASCADE,
        related_name="numbers",
        verbose_name=_("callback"),
        db_index=False,
    )
    number = models.CharField(_("number"), max_length=255)

    class Meta:
        verbose_name = _("called number")
        verbose_name_plural = _("called numbers")
        constraints = [
            models.UniqueConstraint(fields=["callback", "number"], name="callbacknumber_unique")
        ]
        indexes = [models.Index(fields=["number", "callback"], name="callbacknumber_number")]

    def __str__(self) -> str:
        return self.number


class AttemptResult(models.TextChoices):
    """What Exolve's answer to one attempt means (callbacks/exolve.py reads it)."""

    SENDING = "sending", _("Sending")  # no answer yet
    PLACED = "placed", _("Placed")
    REJECTED = "rejected", _("Rejected")  # a final answer (400, 401, 403, 404): nothing was placed
    TRANSIENT = (
        "transient",
        _("Transient error"),
    )  # nothing placed (429, 503, no connection): retried
    UNKNOWN = "unknown", _("Result unknown")  # the body may have been acted on: never retried alone


class CallbackAttempt(models.Model):
    """One MakeCallback HTTP request: saved before it is sent, completed when the answer comes."""

    callback = models.ForeignKey(
        CallbackRequest,
        models.PROTECT,
        related_name="attempts",
        verbose_name=_("callback"),
        db_index=False,
    )
    sequence = models.PositiveSmallIntegerField(
        _("attempt no."), help_text=_("1 for the callback's first attempt, 2 for the next …")
    )
    request_description = models.CharField(
        _("request description"),
        max_length=64,
        unique=True,
        help_text=_(
            "This attempt's own id, sent to Exolve: find the call in Exolve's records by it."
        ),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), null=True, blank=True)
    request_body = models.JSONField(_("request body"))
    result = models.CharField(
        _("result"), max_length=16, choices=AttemptResult.choices, default=AttemptResult.SENDING
    )
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    call_id = models.CharField(_("call id"), max_length=CALL_ID_MAX_LENGTH, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["callback", "sequence"], name="callbackattempt_unique_sequence"
            ),
        ]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="callbackattempt_recent"),
            models.Index(fields=["result", "-started_at"], name="callbackattempt_result"),
            models.Index(fields=["http_status", "-started_at"], name="callbackattempt_http_status"),
            models.Index(fields=["call_id"], name="callbackattempt_call_id"),
        ]

    def __str__(self) -> str:
        return _("Attempt %(sequence)d of callback %(callback)s") % {
            "sequence": self.sequence,
            "callback": self.callback_id,
        }
