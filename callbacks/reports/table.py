"""A report's figures as rows, the same for its table on the page, its CSV and its charts: the
columns in order with their headings, and the values of each bucket."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_stubs_ext import StrOrPromise

from .series import Bucket, Granularity

Column = tuple[str, StrOrPromise, Callable[[Bucket], Any]]


def _count(name: str) -> Callable[[Bucket], int]:
    return lambda bucket: bucket.counts[name]


def _percent(share: float | None) -> float | None:
    return round(share * 100, 1) if share is not None else None


def _minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 2) if seconds is not None else None


# The ends a callback comes to, stacked on the outcomes chart (callbacks/reports/figures.py).
ENDS: list[tuple[str, StrOrPromise]] = [
    ("connected", pgettext_lazy("callbacks counted", "Connected")),
    ("not_reached", pgettext_lazy("callbacks counted", "Not reached after all attempts")),
    ("not_placed", pgettext_lazy("callbacks counted", "Not placed (failed)")),
    ("unknown", pgettext_lazy("callbacks counted", "Result unknown")),
    ("refused", pgettext_lazy("callbacks counted", "Refused")),
    ("cancelled", pgettext_lazy("callbacks counted", "Cancelled")),
    ("in_progress", pgettext_lazy("callbacks counted", "Still in progress")),
]
COLUMNS: list[Column] = [
    ("requested", gettext_lazy("Requested"), _count("requested")),
    ("placed", gettext_lazy("Placed"), _count("placed")),
    *[(name, label, _count(name)) for name, label in ENDS],
    ("connect_rate", gettext_lazy("Connect rate, %"), lambda b: _percent(b.connect_rate)),
    (
        "wait_median",
        gettext_lazy("Press to connected, median, min"),
        lambda b: _minutes(b.wait_percentile(0.5)),
    ),
    (
        "wait_p90",
        gettext_lazy("Press to connected, 90th percentile, min"),
        lambda b: _minutes(b.wait_percentile(0.9)),
    ),
    ("service_level", gettext_lazy("Service level, %"), lambda b: _percent(b.service_level)),
    ("service_counted", gettext_lazy("Service level: counted"), _count("service_counted")),
]


def bucket_label(start: datetime, granularity: str) -> str:
    if granularity == Granularity.HOUR:
        return str(formats.date_format(start, "DATETIME_FORMAT"))
    day = str(formats.date_format(start, "DATE_FORMAT"))
    if granularity == Granularity.WEEK:
        return _("week of %(day)s") % {"day": day}
    return day


def rows(buckets: list[Bucket], granularity: str) -> list[list[Any]]:
    """[label, value per column] per bucket."""
    return [
        [bucket_label(bucket.start, granularity), *[value(bucket) for _n, _h, value in COLUMNS]]
        for bucket in buckets
    ]


def headings() -> list[str]:
    return [_("Period"), *[str(heading) for _name, heading, _value in COLUMNS]]
