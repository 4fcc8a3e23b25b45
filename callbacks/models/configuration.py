"""What support managers configure: agent groups, their destinations, working hours and holidays,
and how each side of the call is dialled (what it hears is in audio.py)."""

import functools
import zoneinfo
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import schedule
from ..numbers import DIAL_NUMBER_REGEX, PHONE_DIGITS_REGEX, readable_number
from .audio import MediaResource, TtsPreset
from .constraints import dial_number_check, range_check, range_validators
from .fields import DialNumberField, PhoneNumberField
from .quiet_hours import ContactQuietHours
from .redial_policy import RedialPolicy, redial_policy_checks
from .service_level import ServiceLevelTarget, service_level_checks

MAX_DESTINATIONS_PER_LINE = 10
RING_TIMEOUT_RANGE = _(
    "A ring timeout must be from {low} to {high} seconds: Exolve takes no other."
)


class RingLogic(models.IntegerChoices):
    SEQUENTIAL = 1, _("One after another")
    PARALLEL = 2, _("All at once")


# Each side of the call (the agents', the contact's) has the same four settings.
SIDES = ("agent", "contact")


class SideSettings(NamedTuple):
    ring_logic: int
    display_number: str
    media_resource: "MediaResource | None"
    tts_preset: "TtsPreset | None"


def ring_logic_field(verbose_name: Any) -> "models.PositiveSmallIntegerField[int, int]":
    return models.PositiveSmallIntegerField(
        verbose_name, choices=RingLogic.choices, default=RingLogic.SEQUENTIAL
    )


def display_number_field(verbose_name: Any, help_text: Any) -> PhoneNumberField:
    return PhoneNumberField(verbose_name, blank=True, help_text=help_text)


def media_resource_field(
    verbose_name: Any,
) -> "models.ForeignKey[MediaResource | None, MediaResource | None]":
    return models.ForeignKey(
        MediaResource,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


def tts_preset_field(verbose_name: Any) -> "models.ForeignKey[TtsPreset | None, TtsPreset | None]":
    return models.ForeignKey(
        TtsPreset,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


def _side_display_number_check(side: str) -> models.CheckConstraint:
    field = f"{side}_display_number"
    return models.CheckConstraint(
        condition=models.Q(**{field: ""}) | models.Q(**{f"{field}__regex": PHONE_DIGITS_REGEX}),
        name=f"agentgroup_{field}_format",
        violation_error_message=_("The caller ID must be a phone number in international digits."),
    )


def _side_audio_check(side: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~models.Q(
            **{f"{side}_media_resource__isnull": False, f"{side}_tts_preset__isnull": False}
        ),
        name=f"agentgroup_{side}_one_audio",
        violation_error_message=_("Choose a media resource or a TTS preset, not both."),
    )


def default_time_zone() -> str:
    return str(settings.TIME_ZONE)


@functools.cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # reads the whole tz database: once


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone."),
            code="invalid_time_zone",
            params={"value": value},
        )


class AgentGroup(RedialPolicy, ContactQuietHours, ServiceLevelTarget, models.Model):
    """Who answers a callback and how each side of the call is dialled.

    The agents are dialled on line_1 and the contact on line_2, unless contact_first is set.
    """

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("An agent group with this name already exists.")},
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Ticked: staff may call back through this group. Unticked: it is kept, but not offered."
        ),
    )
    number_code = models.PositiveBigIntegerField(
        _("Exolve number"),
        validators=range_validators(
            1, 2**63 - 1, _("Enter your Exolve number in international digits, e.g. 74999999999.")
        ),
        help_text=_("Your Exolve number used for the callback service, e.g. 74999999999."),
    )
    callback_resource_id = models.PositiveBigIntegerField(
        _("callback resource id"),
        validators=range_validators(
            1, 2**63 - 1, _("Enter the id of the callback resource Exolve shows, e.g. 1221.")
        ),
        help_text=_("The callback resource created in your Exolve application."),
    )
    duration = models.PositiveIntegerField(
        _("maximum call length, seconds"),
        default=1800,
        validators=range_validators(
            300,
            3600,
            _(
                "The maximum call length must be from {low} to {high} seconds (5 to 60 minutes): "
                "Exolve takes no other."
            ),
        ),
        help_text=_("From 300 to 3600 (default 1800)."),
    )
    contact_first = models.BooleanField(
        _("dial the contact first"),
        default=False,
        help_text=_(
            "Ticked: the contact is dialled on line 1 and the agents on line 2. Unticked: the "
            "agents first."
        ),
    )

    agent_ring_logic = ring_logic_field(_("agents: ring logic"))
    agent_display_number = display_number_field(
        _("agents: caller ID"), _("The number the agents see.")
    )
    agent_media_resource = media_resource_field(_("agents: media resource"))
    agent_tts_preset = tts_preset_field(_("agents: TTS preset"))

    contact_ring_logic = ring_logic_field(_("contact: ring logic"))
    contact_display_number = display_number_field(
        _("contact: caller ID"), _("The number the contact sees.")
    )
    contact_media_resource = media_resource_field(_("contact: media resource"))
    contact_tts_preset = tts_preset_field(_("contact: TTS preset"))
    contact_timeout = models.PositiveSmallIntegerField(
        _("contact: ring timeout, seconds"),
        default=30,
        validators=range_validators(10, 600, RING_TIMEOUT_RANGE),
        help_text=_("How long each of the contact's numbers rings, from 10 to 600 seconds."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_(
            "The working hours below are in this time zone, e.g. Europe/Moscow or "
            "Asia/Yekaterinburg."
        ),
    )

    history = HistoricalRecords(
        verbose_name=_("agent group change"), verbose_name_plural=_("Change trail: agent groups")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("agent group")
        verbose_name_plural = _("agent groups")
        constraints = [
            range_check("agentgroup", "duration", 300, 3600),
            range_check("agentgroup", "agent_ring_logic", 1, 2),
            range_check("agentgroup", "contact_ring_logic", 1, 2),
            range_check("agentgroup", "contact_timeout", 10, 600),
            range_check("agentgroup", "number_code", 1, 2**63 - 1),
            range_check("agentgroup", "callback_resource_id", 1, 2**63 - 1),
            *[_side_audio_check(side) for side in SIDES],
            *[_side_display_number_check(side) for side in SIDES],
            *redial_policy_checks("agentgroup"),
            *service_level_checks("agentgroup"),
        ]

    def __str__(self) -> str:
        return self.name

    def next_opening(self, moment: datetime) -> datetime | None:
        """When a callback asked for at `moment` may be placed: `moment` itself if the group is
        working then (or has no working hours), the next opening otherwise, None if none is
        ahead."""
        openings = [hours.opening() for hours in self.working_hours.all()]
        holidays = {holiday.date for holiday in self.holidays.all()}
        return schedule.next_opening(moment, zoneinfo.ZoneInfo(self.time_zone), openings, holidays)

    def side(self, name: str) -> SideSettings:
        """The settings of one side of the call: "agent" or "contact"."""
        return SideSettings(
            *(getattr(self, f"{name}_{setting}") for setting in SideSettings._fields)
        )

    def clean(self) -> None:
        super().clean()
        errors = {}
        for side in SIDES:
            if getattr(self, f"{side}_media_resource_id") and getattr(
                self, f"{side}_tts_preset_id"
            ):
                errors[f"{side}_tts_preset"] = _(
                    "Choose a media resource or a TTS preset for this side, not both."
                )
        if errors:
            raise ValidationError(errors)


class Destination(models.Model):
    """One agent's number or SIP-URI in an agent group, dialled in position order (1…n, numbered
    by the group's page on each save)."""

    agent_group = models.ForeignKey(
        AgentGroup, models.CASCADE, related_name="destinations", verbose_name=_("agent group")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    number = DialNumberField(
        _("number or SIP-URI"), help_text=_("+7 912 123-45-67, 8 (912) 123-45-67 or sip:user@host")
    )
    timeout = models.PositiveSmallIntegerField(
        _("ring timeout, seconds"),
        default=30,
        validators=range_validators(10, 600, RING_TIMEOUT_RANGE),
        help_text=_("From 10 to 600."),
    )

    history = HistoricalRecords(
        verbose_name=_("destination change"), verbose_name_plural=_("Change trail: destinations")
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")
        constraints = [
            range_check("destination", "timeout", 10, 600),
            dial_number_check("destination", DIAL_NUMBER_REGEX),
            models.UniqueConstraint(
                fields=["agent_group", "number"],
                name="destination_unique_number_per_group",
                violation_error_message=_("This number is already in the group."),
            ),
        ]

    def __str__(self) -> str:
        return readable_number(self.number)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """One interval a group takes callbacks in, in the group's time zone.

    A closing time at or before the opening time runs past midnight (22:00–06:00 is a night
    shift that started on `weekday`). A group with no working hours takes callbacks at any time.
    """

    agent_group = models.ForeignKey(
        AgentGroup, models.CASCADE, related_name="working_hours", verbose_name=_("agent group")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(
        _("closes"), help_text=_("At or before the opening time: the next day.")
    )

    history = HistoricalRecords(
        verbose_name=_("working hours change"), verbose_name_plural=_("Change trail: working hours")
    )

    class Meta:
        ordering = ["agent_group", "weekday", "opens"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [range_check("workinghours", "weekday", 0, 6)]

    def __str__(self) -> str:
        opens, closes = (formats.time_format(at, "TIME_FORMAT") for at in (self.opens, self.closes))
        return f"{self.get_weekday_display()} {opens}–{closes}"

    def opening(self) -> schedule.Opening:
        return schedule.Opening(self.weekday, self.opens, self.closes)


class Holiday(models.Model):
    """A day (in the group's time zone) on which no working interval starts."""

    agent_group = models.ForeignKey(
        AgentGroup, models.CASCADE, related_name="holidays", verbose_name=_("agent group")
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    history = HistoricalRecords(
        verbose_name=_("holiday change"), verbose_name_plural=_("Change trail: holidays")
    )

    class Meta:
        ordering = ["agent_group", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(
                fields=["agent_group", "date"],
                name="holiday_unique_date_per_group",
                violation_error_message=_("This day is already a holiday of the group."),
            )
        ]

    def __str__(self) -> str:
        return f"{formats.date_format(self.date, 'DATE_FORMAT')} {self.name}".strip()
