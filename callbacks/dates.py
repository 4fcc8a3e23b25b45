"""Dates and times as the interface shows them: one format per language (callbacks_project/formats),
in the current time zone unless a zone is given."""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from django.utils import formats, timezone


def shown_datetime(value: datetime, zone: tzinfo | None = None) -> str:
    return str(formats.date_format(timezone.localtime(value, zone), "DATETIME_FORMAT"))


def shown_in_zone(value: datetime, zone_name: str) -> str:
    """A time in a named zone, saying which: «08.12.2026 09:00 (Asia/Yekaterinburg)» (an agent
    group's times are its zone's)."""
    return f"{shown_datetime(value, ZoneInfo(zone_name))} ({zone_name})"
