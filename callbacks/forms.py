"""The Call back page's form: which agent group rings the contact, and when: now, at one of the
group's next openings, or at a time typed in the group's time zone."""

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import schedule
from .dates import plausible, shown_datetime
from .local_time import ContactZones, contact_zones, first_callable, has_quiet_hours, is_quiet
from .local_time_words import (
    never_meet,
    quiet_at_message,
    quiet_hours_words,
    typed_in_quiet_hours,
    utc_offset,
    whose_time,
)
from .models import AgentGroup, Contact
from .selectors import active_agent_groups

MAX_SCHEDULE_AHEAD = timedelta(days=30)
QUICK_CHOICES = 3  # the group's next openings offered as one-click times
NOW, AT_A_TIME = "now", "at"
PAST_TOLERANCE = timedelta(minutes=1)  # the minute it took to fill the form


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed (the picker sends 2026-12-08T09:00), without a zone: the form
    reads it in the chosen group's time zone, not the server's."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        try:
            typed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not plausible(typed):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return typed


@dataclass(frozen=True)
class QuickChoice:
    value: str  # the moment with its offset, so that it means the same whoever reads it
    label: str


@dataclass(frozen=True)
class GroupTimes:
    """What the page says about a group's time: its zone, whether it works now, its next
    openings."""

    group: AgentGroup
    zone_label: str
    works_now: bool
    next_opening: str  # "" when none is ahead in the window
    choices: list[QuickChoice]
    quiet_hours: str  # «calls contacts from 09:00 to 21:00 their time», "" when it keeps none


@dataclass(frozen=True)
class QuietAnswer:
    """A press of "now" the contact's quiet hours hold back: one click schedules the first time
    allowed (`value`, "" when there is none)."""

    group: AgentGroup
    value: str
    label: str


class CallbackForm(forms.Form):
    agent_group = forms.ModelChoiceField(
        queryset=AgentGroup.objects.none(),
        label=gettext_lazy("Agent group"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Choose an active agent group.")},
    )
    when = forms.CharField(label=gettext_lazy("When"), required=False)
    scheduled_for = LocalDateTimeField(
        label=gettext_lazy("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, contact: Contact | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.quiet_answer: QuietAnswer | None = None
        # With their destinations, working hours and holidays prefetched, for the page.
        self.agent_groups = active_agent_groups()
        self.fields["agent_group"].queryset = self.agent_groups  # type: ignore[attr-defined]

    def chosen_when(self) -> str:
        """The "when" choice to show checked: as posted, else as clean() reads it."""
        return str(self["when"].value() or (AT_A_TIME if self["scheduled_for"].value() else NOW))

    def group_times(self) -> list[GroupTimes]:
        now = timezone.now()
        return [times_of(group, now) for group in self.agent_groups]

    @functools.cached_property
    def contact_zones(self) -> ContactZones:
        return contact_zones(self.contact) if self.contact else ContactZones((), guessed=False)

    def clean_when(self) -> str:
        when: str = self.cleaned_data["when"]
        if when in ("", NOW, AT_A_TIME) or _aware(when):
            return when
        raise forms.ValidationError(_("Choose when to call back."))

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        group, typed = cleaned.get("agent_group"), cleaned.get("scheduled_for")
        when = cleaned.get("when") or (AT_A_TIME if typed else NOW)
        cleaned["scheduled_for"] = None
        if group is None or self.errors:
            return cleaned
        try:
            cleaned["scheduled_for"] = self._chosen_moment(group, when, typed)
        except forms.ValidationError as error:
            self.add_error("when" if _aware(when) else "scheduled_for", error)
        else:
            if when == NOW:
                self._hold_back_now(group)
        return cleaned

    def _hold_back_now(self, group: AgentGroup) -> None:
        """Refuse "now" when the contact's quiet hours would hold the call back beyond the group's
        opening, saying why, with the first time allowed to schedule in one click."""
        if self.contact is None or not has_quiet_hours(group):
            return
        now = timezone.now()
        opening = group.next_opening(now)
        first = first_callable(group, self.contact, now)
        if opening is None or first == opening:
            return  # no opening: the press is refused for the group's own reason
        zones = self.contact_zones
        message = quiet_at_message(group, zones, opening, now)
        if first is None:
            message = f"{message} {never_meet(group)}"
        label = whose_time(first, group, zones) if first else ""
        self.quiet_answer = QuietAnswer(group, first.isoformat() if first else "", label)
        self.add_error(None, message)

    def _quiet_problem(self, group: AgentGroup, moment: datetime) -> str | None:
        """Why `moment` is refused for the contact's quiet hours, naming the first time allowed."""
        if self.contact is None or not is_quiet(group, self.contact_zones.zones, moment):
            return None
        first = first_callable(group, self.contact, moment)
        return typed_in_quiet_hours(group, self.contact_zones, moment, first)

    def _chosen_moment(
        self, group: AgentGroup, when: str, typed: datetime | None
    ) -> datetime | None:
        """None for now, else the moment chosen: a quick choice, or the time typed read in the
        group's zone."""
        if when == NOW:
            if typed:  # a time typed and forgotten must not become a call right now
                raise forms.ValidationError(
                    _("You typed a time but chose “Now”: choose “At a time”, or clear the time.")
                )
            return None
        moment = _aware(when)
        if moment is None:
            if typed is None:
                raise forms.ValidationError(_("Type the date and time to call back at."))
            moment = _in_zone(typed, ZoneInfo(group.time_zone))
        problem = schedule_problem(group, moment, timezone.now()) or self._quiet_problem(
            group, moment
        )
        if problem:
            raise forms.ValidationError(problem)
        return moment


def schedule_problem(group: AgentGroup, moment: datetime, now: datetime) -> str | None:
    """Why a callback through `group` may not be scheduled at `moment`, saying what may be."""
    zone = ZoneInfo(group.time_zone)
    latest = now + MAX_SCHEDULE_AHEAD
    if moment > latest:
        return _("A callback can be scheduled at most 30 days ahead, until %(latest)s.") % {
            "latest": shown_datetime(latest, zone)
        }
    if moment >= now - PAST_TOLERANCE and works_at(group, moment):
        return None
    opening = group.next_opening(max(moment, now))
    if opening is None or opening > latest:
        return _("“%(group)s” has no working hours in the next 30 days.") % {"group": group}
    names = {"group": group.name, "next": shown_datetime(opening, zone)}
    if moment < now - PAST_TOLERANCE:
        return _("This time has passed. Choose “Now” or a time from %(next)s on.") % names
    local_day = moment.astimezone(zone).date()
    if local_day in {holiday.date for holiday in group.holidays.all()}:
        day = formats.date_format(local_day, "DATE_FORMAT")
        return _("%(day)s is a holiday of “%(group)s”. Its next opening: %(next)s.") % {
            **names,
            "day": day,
        }
    return _("“%(group)s” does not work at this time. Its next opening: %(next)s.") % names


def works_at(group: AgentGroup, moment: datetime) -> bool:
    opening = group.next_opening(moment)
    # In UTC: Python never finds an ambiguous local time equal to a moment in another zone.
    return opening is not None and opening.astimezone(UTC) == moment.astimezone(UTC)


def times_of(group: AgentGroup, now: datetime) -> GroupTimes:
    zone = ZoneInfo(group.time_zone)
    openings = [hours.opening() for hours in group.working_hours.all()]
    holidays = [holiday.date for holiday in group.holidays.all()]
    upcoming = schedule.openings_between(now, now + MAX_SCHEDULE_AHEAD, zone, openings, holidays)
    return GroupTimes(
        group=group,
        zone_label=zone_label(zone, now),
        works_now=works_at(group, now),
        next_opening=relative_time(upcoming[0], now) if upcoming else "",
        choices=[
            QuickChoice(start.isoformat(timespec="minutes"), relative_time(start, now))
            for start in upcoming[:QUICK_CHOICES]
        ],
        quiet_hours=quiet_hours_words(group),
    )


def zone_label(zone: ZoneInfo, now: datetime) -> str:
    """«group time: Europe/Moscow, UTC+3»: the zone and its offset now."""
    return _("group time: %(zone)s, %(offset)s") % {
        "zone": zone.key,
        "offset": utc_offset(zone, now),
    }


def relative_time(moment: datetime, now: datetime) -> str:
    """«today at 15:00», «tomorrow at 09:00», «10.12.2026 at 09:00»: `moment` in its own zone."""
    day: date = moment.date()
    today = now.astimezone(moment.tzinfo).date()
    time = formats.time_format(moment, "TIME_FORMAT")
    if day == today:
        return _("today at %(time)s") % {"time": time}
    if day == today + timedelta(days=1):
        return _("tomorrow at %(time)s") % {"time": time}
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(day, "DATE_FORMAT"),
        "time": time,
    }


def _aware(text: str) -> datetime | None:
    """A quick choice's moment (2026-12-08T09:00+03:00), or None for anything else."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _in_zone(typed: datetime, zone: ZoneInfo) -> datetime:
    if typed.tzinfo is not None:
        return typed
    return schedule.local_instant(typed, zone)
