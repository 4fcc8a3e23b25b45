"""The call log: what happened. A callback (CallbackRequest) per "Call back" press, and the
customer numbers each callback rings (CallbackNumber, for the cooldown). Its attempts, one per
MakeCallback sent, are in attempts.py, Exolve's call events in events.py, its words in
callback_states.py.

Only the delivery package writes them (callbacks/delivery/); nobody edits them in the admin.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..dates import shown_datetime
from .callback_states import (
    CallbackStatus,
    CallOutcome,
    ContactLeg,
    FinalState,
    ManagerReview,
    RedialStop,
    Refusal,
)
from .configuration import AgentGroup
from .contacts import Contact
from .service_level import NoActionCheck, ServiceMoments, work_list_indexes

OPEN_STATUSES = [CallbackStatus.PENDING, CallbackStatus.SENDING]
# Callbacks that did or may have rung the customer: what the cooldown counts.
RINGING_STATUSES = [
    CallbackStatus.PENDING,
    CallbackStatus.SENDING,
    CallbackStatus.PLACED,
    CallbackStatus.UNKNOWN,
]
CALL_ID_MAX_LENGTH = 100  # Exolve's call ids are about 40 characters


class CallbackRequest(ServiceMoments, NoActionCheck, models.Model):
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
    contact_leg = models.CharField(
        _("contact's line"),
        max_length=1,
        choices=ContactLeg.choices,
        default=ContactLeg.B,
        help_text=_("Which leg of the call is the contact, fixed when the callback is made."),
    )
    is_test = models.BooleanField(
        _("test call"),
        default=False,
        help_text=_(
            "Ticked: a support manager's test of the group, not a customer (never redialled)."
        ),
    )
    placement_count = models.PositiveSmallIntegerField(
        _("connection attempts"),
        default=0,
        help_text=_("Calls Exolve placed since the press, or since a person placed it again."),
    )
    final_state = models.CharField(
        _("final state"), max_length=16, choices=FinalState.choices, blank=True
    )
    redial_stop = models.CharField(
        _("why not redialled"), max_length=16, choices=RedialStop.choices, blank=True
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
            # A group's callbacks by status, outcome or final state (the admin's filters, the call
            # log page's, the board's counts) read the index alone, not a row per callback.
            models.Index(
                fields=["agent_group", "-requested_at"],
                name="callbackrequest_group",
                include=["status", "call_outcome", "final_state"],
            ),
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
                fields=["final_state", "-requested_at"],
                name="callbackrequest_final_state",
                condition=~models.Q(final_state=""),
            ),
            models.Index(
                fields=["-requested_at"],
                name="callbackrequest_test",
                condition=models.Q(is_test=True),
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
            *work_list_indexes(),
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
    def final_state_text(self) -> str:
        """How a callback not connected ended, once nothing more is placed by itself: «Не
        дозвонились после 3 попыток»; "" otherwise (connected and cancelled say it already)."""
        count = self.placement_count
        if self.final_state == FinalState.NOT_REACHED:
            return ngettext(
                "Not reached after %(count)d connection attempt",
                "Not reached after %(count)d connection attempts",
                count,
            ) % {"count": count}
        if self.final_state == FinalState.EXPIRED:
            return ngettext(
                "Expired after %(count)d connection attempt",
                "Expired after %(count)d connection attempts",
                count,
            ) % {"count": count}
        return ""

    @property
    def waits_for_redial(self) -> bool:
        """Waiting to be placed again by the redial policy."""
        return self.status == CallbackStatus.PENDING and self.placement_count > 0

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
