"""The call log as CSV for Excel in a Russian locale: a UTF-8 BOM, ";" between columns, numbers
written as text, and nothing people typed able to run as a formula. Streamed in chunks, so memory
stays flat whatever the number of rows."""

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    CallbackNumber,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    FinalState,
    RedialStop,
    Refusal,
)
from .numbers import spaced_number

# Excel in a Russian locale splits CSV on ";" (its list separator), not on ",".
CSV_DELIMITER = ";"
EXPORT_CHUNK = 2000
LINES_PER_WRITE = 200
# What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection"), full-width forms
# included; leading whitespace too, which some spreadsheets skip before evaluating.
FORMULA_STARTS = frozenset("=+-@|\uff1d\uff0b\uff0d\uff20")

Column = tuple[str, Callable[[Any], Any]]


def csv_lines(callbacks: QuerySet[CallbackRequest]) -> Iterator[str]:
    """The header and a line per callback, handed on LINES_PER_WRITE lines at a time (a write
    per line would cost the server a system call, and a chunked client a chunk, per row)."""
    columns = _columns(timezone.now())
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER)
    # The BOM tells Excel it is UTF-8.
    yield "\ufeff" + writer.writerow([str(header) for header, _value in columns])
    lines = []
    for callback in _with_numbers(callbacks):
        lines.append(writer.writerow([value(callback) for _header, value in columns]))
        if len(lines) == LINES_PER_WRITE:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """A choice field's labels, translated once for the whole export (get_FOO_display per row
    translates every label of the field again)."""
    return {value: str(label) for value, label in choices}


def _text(value: str) -> str:
    """Text people (or Exolve) typed, made inert for a spreadsheet: a cell starting with
    = + - @ | (or their full-width forms), or with whitespace, is written after a quote."""
    first = value[:1]
    return f"'{value}" if first and (first in FORMULA_STARTS or first.isspace()) else value


def _columns(now: datetime) -> list[Column]:
    status, refusal, outcome, final_state, redial_stop = (
        _labels(CallbackStatus.choices),
        _labels(Refusal.choices),
        _labels(CallOutcome.choices),
        _labels(FinalState.choices),
        _labels(RedialStop.choices),
    )
    yes, no = _("Yes"), _("No")
    return [
        (
            _("Requested at"),
            lambda c: timezone.localtime(c.requested_at).strftime("%Y-%m-%d %H:%M:%S"),
        ),
        (_("Contact"), lambda c: _text(c.contact.name)),
        # "7 916 123-45-67": text to Excel, which shows a bare 79161234567 as 7,91612E+10.
        (_("Numbers"), lambda c: ", ".join(spaced_number(number) for number in c.dialled)),
        (_("Agent group"), lambda c: _text(c.agent_group.name)),
        (_("Test call"), lambda c: yes if c.is_test else no),
        (_("Requested by"), lambda c: _text(c.requested_by.get_username())),
        (_("Status"), lambda c: status[c.status]),
        (_("Refusal"), lambda c: refusal.get(c.refusal, "")),
        (_("Call outcome"), lambda c: str(c.describe_outcome(outcome, now))),
        (_("Final state"), lambda c: final_state.get(c.final_state, "")),
        (_("Connection attempts"), lambda c: c.placement_count),
        (_("Why not placed again"), lambda c: redial_stop.get(c.redial_stop, "")),
        (_("Call id"), lambda c: _text(c.call_id)),
        (_("Attempts"), lambda c: c.attempt_count),
        (_("Error"), lambda c: _text(c.error)),
    ]


class _Line:
    """A file-like csv.writer target that hands back each line instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def _with_numbers(callbacks: QuerySet[CallbackRequest]) -> Iterator[CallbackRequest]:
    """The rows, EXPORT_CHUNK at a time, each with `dialled`: one query per chunk for the
    numbers."""
    chunk = []
    for callback in callbacks.prefetch_related(None).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(callback)
        if len(chunk) == EXPORT_CHUNK:
            yield from _numbered(chunk)
            chunk = []
    yield from _numbered(chunk)


def _numbered(chunk: list[CallbackRequest]) -> Iterator[CallbackRequest]:
    dialled: dict[int, list[str]] = {}
    numbers = CallbackNumber.objects.filter(callback__in=chunk)
    for callback_id, number in numbers.values_list("callback_id", "number"):
        dialled.setdefault(callback_id, []).append(number)
    for callback in chunk:
        callback.dialled = dialled.get(callback.pk, [])  # type: ignore[attr-defined]
        yield callback
