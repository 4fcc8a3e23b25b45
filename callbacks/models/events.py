"""What Exolve tells us about a placed callback's call: its "Callback Call Events", one row per
event and leg, stored as received (unknown types and fields included), and the outcome derived
from them (callbacks/outcomes.py), kept on the callback."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..dates import shown_datetime
from .attempts import CallbackAttempt
from .call_log import CALL_ID_MAX_LENGTH

# The event types Exolve documents, in words; a type it adds later is shown as sent.
EVENT_TYPES = {
    "o": pgettext_lazy("call event", "originated"),
    "s": pgettext_lazy("call event", "answered"),
    "h": pgettext_lazy("call event", "hung up"),
    "d": pgettext_lazy("call event", "final"),
    "e": pgettext_lazy("call event", "ended"),
}


class CallEvent(models.Model):
    """One event as Exolve sent it. The same call, leg, type and time twice is one row."""

    call_sid = models.CharField(_("call id"), max_length=CALL_ID_MAX_LENGTH)
    event_side = models.CharField(_("leg"), max_length=16, help_text=_("A = line_1, B = line_2."))
    type = models.CharField(
        _("type"), max_length=16, help_text=_("o originate, s answered, h hung up, d final, e end.")
    )
    date_time = models.CharField(_("event time, as sent"), max_length=64)
    occurred_at = models.DateTimeField(_("event time"))
    payload = models.JSONField(_("event as received"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    attempt = models.ForeignKey(
        CallbackAttempt,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("callback attempt"),
        db_index=False,
        help_text=_("The attempt whose call id this is; empty until that call id is known."),
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        constraints = [
            models.UniqueConstraint(
                fields=["call_sid", "event_side", "type", "date_time"], name="callevent_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["attempt", "occurred_at"], name="callevent_attempt"),
            models.Index(fields=["received_at"], name="callevent_received"),
            # Events that came before their call id was recorded: linked by the sweeper.
            models.Index(
                fields=["call_sid"],
                name="callevent_unlinked",
                condition=models.Q(attempt__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        """«abc123, плечо B: конец, 07.12.2026 06:05», not Exolve's codes and timestamp."""
        return gettext("%(call)s, leg %(leg)s: %(event)s, %(time)s") % {
            "call": self.call_sid,
            "leg": self.event_side,
            "event": EVENT_TYPES.get(self.type, self.type),
            "time": shown_datetime(self.occurred_at),
        }


class CallLeg(models.Model):
    """One leg of a call as its events so far tell it: what the outcome needs, kept up to date as
    each event comes, so an event costs the same however many came before it."""

    call_sid = models.CharField(_("call id"), max_length=CALL_ID_MAX_LENGTH)
    side = models.CharField(_("leg"), max_length=16)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    final_event = models.ForeignKey(
        CallEvent,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("final event"),
        help_text=_("The earliest final (“d”) event of the leg."),
    )
    final_at = models.DateTimeField(_("final event time"), null=True, blank=True)

    class Meta:
        verbose_name = _("call leg")
        verbose_name_plural = _("call legs")
        constraints = [
            models.UniqueConstraint(fields=["call_sid", "side"], name="callleg_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.call_sid} {self.side}"
