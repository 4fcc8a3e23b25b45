"""Dates and times as the interface shows them: one format per language (callbacks_project/formats),
in the current time zone unless a zone is given."""

from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def shown_datetime(value: datetime, zone: tzinfo | None = None) -> str:
    return str(formats.date_format(timezone.localtime(value, zone), "DATETIME_FORMAT"))


def shown_in_zone(value: datetime, zone_name: str) -> str:
    """A time in a named zone, saying which: «08.12.2026 09:00 (Asia/Yekaterinburg)» (an agent
    group's times are its zone's)."""
    return f"{shown_datetime(value, ZoneInfo(zone_name))} ({zone_name})"


# Dates a person or Exolve may mean: outside them (year 1, year 9999) a time zone's offset would
# overflow Python's datetime, so forms refuse them on the field and call events' times read as
# unknown (outcomes.parse_time).
PLAUSIBLE_YEARS = range(2000, 3000)


def plausible(value: date) -> bool:
    return value.year in PLAUSIBLE_YEARS


def wait_words(wait: timedelta) -> str:
    """A wait as the board shows it, to the second under an hour: «45 с», «3 мин 05 с»,
    «2 ч 10 мин», «3 д 4 ч»."""
    return _wait_words(wait).replace(" ", "\N{NO-BREAK SPACE}")  # one wait never wraps


def _wait_words(wait: timedelta) -> str:
    seconds = max(0, round(wait.total_seconds()))
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hour}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minute}
    if minutes:
        return _("%(minutes)d min %(seconds)02d s") % {"minutes": minutes, "seconds": second}
    return _("%(seconds)d s") % {"seconds": second}
