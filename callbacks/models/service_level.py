"""What the supervisor's board measures service by: the group's targets (a share of callbacks
connected within so many minutes of the press, and scheduled callbacks placed within so many
minutes of the time asked), the two moments of a callback they are measured with, and a person's
"checked, no action" that takes a callback off the board's work list (callbacks/work_list.py)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .callback_states import CallbackStatus, CallOutcome, FinalState
from .constraints import range_check, range_validators

SERVICE_MINUTES_RANGE = (1, 1440)
# What the service level measures, on the board and in reports: callbacks asked for at once (a
# scheduled one is measured by its punctuality), not refused (never sent) nor cancelled (not
# wanted any more), and not connected at a moment nobody knows (Exolve sent no answer times).
AT_ONCE = models.Q(scheduled_for__isnull=True)
SERVED = ~models.Q(status__in=[CallbackStatus.REFUSED, CallbackStatus.CANCELLED])
SERVICE_MEASURED = (
    AT_ONCE & SERVED & ~models.Q(call_outcome=CallOutcome.CONNECTED, connected_at__isnull=True)
)
TARGET_PERCENT_RANGE = (1, 100)


def _minutes_field(
    label: Any, default: int, help_text: Any
) -> "models.PositiveSmallIntegerField[int, int]":
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=range_validators(
            *SERVICE_MINUTES_RANGE, _("From {low} to {high} minutes (a day).")
        ),
        help_text=help_text,
    )


class ServiceLevelTarget(models.Model):
    """The agent group's targets, on its own table (AgentGroup inherits them)."""

    service_level_minutes = _minutes_field(
        _("connected within, minutes"),
        5,
        _("A callback counts toward the service level if it connects this soon after the press."),
    )
    service_level_target = models.PositiveSmallIntegerField(
        _("service level target, %"),
        default=80,
        validators=range_validators(*TARGET_PERCENT_RANGE, _("From {low} to {high} per cent.")),
        help_text=_(
            "The share of callbacks to connect in time. The board shows it green at the target, "
            "amber up to 10 points below it, red further below."
        ),
    )
    punctuality_minutes = _minutes_field(
        _("scheduled callbacks placed within, minutes"),
        5,
        _("A scheduled callback is on time if it is placed this soon after the time asked."),
    )

    class Meta:
        abstract = True


def service_level_checks(model_name: str) -> list[models.CheckConstraint]:
    return [
        range_check(model_name, "service_level_minutes", *SERVICE_MINUTES_RANGE),
        range_check(model_name, "service_level_target", *TARGET_PERCENT_RANGE),
        range_check(model_name, "punctuality_minutes", *SERVICE_MINUTES_RANGE),
    ]


class ServiceMoments(models.Model):
    """When a callback was first placed and when its call connected (the later of the two legs'
    answers), on the callback's own table: the board's times and service level read them."""

    first_placed_at = models.DateTimeField(
        _("first placed at"),
        null=True,
        blank=True,
        help_text=_("When Exolve first accepted a call for it."),
    )
    connected_at = models.DateTimeField(
        _("connected at"),
        null=True,
        blank=True,
        help_text=_("When the agent and the contact were both on the line."),
    )

    class Meta:
        abstract = True


class NoActionCheck(models.Model):
    """The work list a person last took the callback off (its CallbackCheck rows say who, when
    and why). It keeps the callback off that list only: on another list (an unknown result after
    a late redial, say) it needs a person again. Cleared when a call is placed for it again."""

    checked_on = models.CharField(_("checked on the list"), max_length=16, blank=True)

    class Meta:
        abstract = True


class CallbackCheck(models.Model):
    """ "Checked, no action": a person looked at a callback on the work list and decided nothing
    more is to be done. Kept for good, as the call log's other records; auditors read them."""

    callback = models.ForeignKey(
        "callbacks.CallbackRequest",
        models.PROTECT,
        related_name="checks",
        verbose_name=_("callback"),
        db_index=False,
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"))
    list_name = models.CharField(_("on the list"), max_length=16)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("check, no action")
        verbose_name_plural = _("checks, no action")
        indexes = [models.Index(fields=["callback", "-checked_at"], name="callbackcheck_callback")]

    def __str__(self) -> str:
        return f"{self.callback_id} {self.checked_at.isoformat()}"


def _unchecked(list_name: str) -> models.Q:
    """Customers' callbacks nobody took off this list of the board's work list."""
    return models.Q(is_test=False) & ~models.Q(checked_on=list_name)


def work_list_indexes() -> list[models.Index]:
    """One partial index per list of the work list that may grow long (callbacks/work_list.py):
    each list and its count read only the rows still on it."""
    return [
        models.Index(
            fields=["-requested_at"],
            name="callbackrequest_unknown_todo",
            condition=_unchecked("unknown") & models.Q(status=CallbackStatus.UNKNOWN),
        ),
        models.Index(
            fields=["-requested_at"],
            name="callbackrequest_unheard_todo",
            condition=_unchecked("no_outcome")
            & models.Q(status=CallbackStatus.PLACED, final_state="", final_event_at__isnull=True),
        ),
        models.Index(
            fields=["-finished_at"],
            name="callbackrequest_failed_todo",
            condition=_unchecked("failed") & models.Q(status=CallbackStatus.FAILED, final_state=""),
        ),
        models.Index(
            fields=["-requested_at"],
            name="callbackrequest_unreached_todo",
            condition=_unchecked("not_reached")
            & models.Q(final_state__in=[FinalState.NOT_REACHED, FinalState.EXPIRED]),
        ),
    ]
