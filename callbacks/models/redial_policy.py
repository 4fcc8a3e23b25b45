"""An agent group's redial policy: after which outcomes a callback is placed again by itself, how
long it waits first, how many placements a callback may have, and when it gives up. The fields
live on the agent group's table (AgentGroup inherits them); callbacks/redial.py applies them."""

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .constraints import range_check, range_validators

MAX_ATTEMPTS_RANGE = (1, 10)
DELAY_MINUTES_RANGE = (0, 1440)
EXPIRY_HOURS_RANGE = (1, 720)


class WhenClosed(models.TextChoices):
    WAIT = "wait", _("Wait for the next opening")
    GIVE_UP = "give_up", _("Give up")


# The outcome kinds a group may redial after, each with its two fields (redial_<kind>,
# redial_<kind>_delay): contact no answer, agents no answer, and failed (busy, rejected, …).
REDIAL_KINDS = ("contact_no_answer", "agents_no_answer", "failed")


def _redial_field(label: Any) -> "models.BooleanField[bool, bool]":
    return models.BooleanField(label, default=False)


def _delay_field(label: Any, default: int) -> "models.PositiveIntegerField[int, int]":
    low, high = DELAY_MINUTES_RANGE
    return models.PositiveIntegerField(
        label,
        default=default,
        validators=range_validators(
            low,
            high,
            _("The delay must be from {low} to {high} minutes (0: at once; a day at most)."),
        ),
        help_text=_("Minutes after the outcome is known."),
    )


class RedialPolicy(models.Model):
    redial_contact_no_answer = _redial_field(_("redial when the contact did not answer"))
    redial_contact_no_answer_delay = _delay_field(_("delay after the contact did not answer"), 15)
    redial_agents_no_answer = _redial_field(_("redial when the agents did not answer"))
    redial_agents_no_answer_delay = _delay_field(_("delay after the agents did not answer"), 5)
    redial_failed = _redial_field(_("redial when the call failed"))
    redial_failed_delay = _delay_field(_("delay after a failed call"), 30)
    max_attempts = models.PositiveSmallIntegerField(
        _("most connection attempts"),
        default=1,
        validators=range_validators(
            *MAX_ATTEMPTS_RANGE, _("A callback may have from {low} to {high} connection attempts.")
        ),
        help_text=_(
            "Placed calls per callback, the first one included: 1 means never redial. A person's "
            "“Place again” starts the count anew."
        ),
    )
    expiry_hours = models.PositiveSmallIntegerField(
        _("give up after, hours"),
        default=24,
        validators=range_validators(
            *EXPIRY_HOURS_RANGE, _("The expiry must be from {low} to {high} hours (30 days).")
        ),
        help_text=_("No redial later than this many hours after the press."),
    )
    when_closed = models.CharField(
        _("if the group is closed at the next try"),
        max_length=8,
        choices=WhenClosed.choices,
        default=WhenClosed.WAIT,
    )

    class Meta:
        abstract = True

    def redials_after(self, kind: str) -> bool:
        return kind in REDIAL_KINDS and bool(getattr(self, f"redial_{kind}"))

    def redial_delay(self, kind: str) -> timedelta:
        return timedelta(minutes=getattr(self, f"redial_{kind}_delay"))

    @property
    def expiry(self) -> timedelta:
        return timedelta(hours=self.expiry_hours)


def redial_policy_checks(model_name: str) -> list[models.CheckConstraint]:
    return [
        range_check(model_name, "max_attempts", *MAX_ATTEMPTS_RANGE),
        range_check(model_name, "expiry_hours", *EXPIRY_HOURS_RANGE),
        *[
            range_check(model_name, f"redial_{kind}_delay", *DELAY_MINUTES_RANGE)
            for kind in REDIAL_KINDS
        ],
    ]
