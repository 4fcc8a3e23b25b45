"""Endpoints outside the admin."""

import csv
import hmac

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import call_events, selectors
from .filters import CallbackHistoryFilter
from .history_lists import MAX_PAGE
from .models import CallbackNumber, CallbackStatus, CallOutcome, Refusal
from .numbers import spaced_number


@csrf_exempt
def exolve_events(request, secret):
    """Exolve's Callback Call Events, one JSON object per POST (the URL set in Exolve's cabinet)."""
    expected = settings.EXOLVE_EVENTS_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        return JsonResponse({"error": "forbidden"}, status=403)
    if request.method != "POST":
        return JsonResponse({"error": "only POST"}, status=405, headers={"Allow": "POST"})
    try:
        payload = call_events.parse_event(request.body)
    except call_events.BadEvent as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    event, stored = call_events.receive_event(payload)
    return JsonResponse({"stored": stored, "linked": event.attempt_id is not None})


# --- the auditor's history page -------------------------------------------------------------

HISTORY_PAGE_SIZE = 50
VIEW_HISTORY_PERMISSION = "callbacks.view_callbackrequest"


def _history_filter(request):
    return CallbackHistoryFilter(request.GET, queryset=selectors.callback_history())


def _page_number(request):
    try:
        return min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


@login_required(login_url="admin:login")
@permission_required(VIEW_HISTORY_PERMISSION, raise_exception=True)
def callback_history(request):
    """Callback requests, filtered and paginated without counting them all (fast at any size)."""
    filters = _history_filter(request)
    page = _page_number(request)
    rows, has_next = [], False
    if filters.is_valid():
        start = (page - 1) * HISTORY_PAGE_SIZE
        window = list(
            filters.qs[start : start + HISTORY_PAGE_SIZE + 1]
        )  # one more: is there a next page?
        rows, has_next = window[:HISTORY_PAGE_SIZE], len(window) > HISTORY_PAGE_SIZE
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Callback history"),
        "filter": filters,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "query": query.urlencode(),
    }
    return render(request, "callbacks/history.html", context)


def _labels(choices):
    """A choice field's labels, translated once for the whole export (get_FOO_display per row
    translates every label of the field again)."""
    return {value: str(label) for value, label in choices}


def _text(value):
    """Text people typed, made inert for a spreadsheet: a cell starting with = + - @ would run as a formula."""
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_columns(now):
    status, refusal, outcome = (
        _labels(CallbackStatus.choices),
        _labels(Refusal.choices),
        _labels(CallOutcome.choices),
    )
    return [
        (
            _("Requested at"),
            lambda c: timezone.localtime(c.requested_at).strftime("%Y-%m-%d %H:%M:%S"),
        ),
        (_("Contact"), lambda c: _text(c.contact.name)),
        # "7 916 123-45-67": text to Excel, which shows a bare 79161234567 as 7,91612E+10.
        (_("Numbers"), lambda c: ", ".join(spaced_number(number) for number in c.dialled)),
        (_("Agent group"), lambda c: _text(c.agent_group.name)),
        (_("Requested by"), lambda c: _text(c.requested_by.get_username())),
        (_("Status"), lambda c: status[c.status]),
        (_("Refusal"), lambda c: refusal.get(c.refusal, "")),
        (_("Call outcome"), lambda c: str(c.describe_outcome(outcome, now))),
        (_("Call id"), lambda c: _text(c.call_id)),
        (_("Attempts"), lambda c: c.attempt_count),
        (_("Error"), lambda c: _text(c.error)),
    ]


class _Line:
    """A file-like csv.writer target that hands back each line instead of keeping it."""

    def write(self, text):
        return text


EXPORT_CHUNK = 2000


def _with_numbers(callbacks):
    """The rows, EXPORT_CHUNK at a time, each with `dialled`: one query per chunk for the numbers."""
    chunk = []
    for callback in callbacks.prefetch_related(None).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(callback)
        if len(chunk) == EXPORT_CHUNK:
            yield from _numbered(chunk)
            chunk = []
    yield from _numbered(chunk)


def _numbered(chunk):
    dialled = {}
    for request_id, number in CallbackNumber.objects.filter(request__in=chunk).values_list(
        "request_id", "number"
    ):
        dialled.setdefault(request_id, []).append(number)
    for callback in chunk:
        callback.dialled = dialled.get(callback.pk, [])
        yield callback


def _csv_lines(callbacks):
    columns = _csv_columns(timezone.now())
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER)
    yield "\ufeff" + writer.writerow(
        [str(header) for header, _value in columns]
    )  # the BOM tells Excel it is UTF-8
    for callback in _with_numbers(callbacks):
        yield writer.writerow([value(callback) for _header, value in columns])


# Excel in a Russian locale splits CSV on ";" (its list separator), not on ",".
CSV_DELIMITER = ";"


@login_required(login_url="admin:login")
@permission_required(VIEW_HISTORY_PERMISSION, raise_exception=True)
def callback_history_csv(request):
    """Exactly the filtered rows, streamed: memory stays flat whatever their number."""
    filters = _history_filter(request)
    if not filters.is_valid():
        errors = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in filters.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    filename = f"callbacks-{timezone.localtime():%Y%m%d-%H%M}.csv"
    return StreamingHttpResponse(
        _csv_lines(filters.qs),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
