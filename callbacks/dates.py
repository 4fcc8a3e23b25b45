"""Dates and times as the interface shows them: one format per language (callbacks_project/formats),
in the current time zone unless a zone is given."""

from datetime import datetime, tzinfo

from django.utils import formats, timezone


def shown_datetime(value: datetime, zone: tzinfo | None = None) -> str:
    return str(formats.date_format(timezone.localtime(value, zone), "DATETIME_FORMAT"))
