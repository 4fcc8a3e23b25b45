"""Pages and endpoints outside the admin: Exolve's call events, the call log page with its CSV
export, and the health endpoints (answered by callbacks_project/health_endpoints.py's middleware,
before the host is checked)."""

import hmac

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import call_events, health, selectors
from .export import csv_lines
from .filters import CallLogFilter
from .paging import MAX_PAGE
from .permissions import VIEW_CALL_LOG

CALL_LOG_PAGE_SIZE = 50


@csrf_exempt
def exolve_events(request: HttpRequest, secret: str) -> JsonResponse:
    """Exolve's Callback Call Events, one JSON object per POST (the URL set in Exolve's cabinet)."""
    expected = settings.EXOLVE_EVENTS_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        return JsonResponse({"error": "forbidden"}, status=403)
    if request.method != "POST":
        return JsonResponse({"error": "only POST"}, status=405, headers={"Allow": "POST"})
    if _declared_length(request) > settings.EXOLVE_EVENT_MAX_BYTES:  # not even read
        error = _("The body is longer than %(max)d bytes.") % {
            "max": settings.EXOLVE_EVENT_MAX_BYTES
        }
        return JsonResponse({"error": error}, status=413)
    try:
        payload = call_events.parse_event(request.body)
    except call_events.BadEvent as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    receipt = call_events.receive_event(payload)
    answer: dict[str, object] = {"stored": receipt.stored, "linked": receipt.linked}
    if receipt.dropped:
        answer["dropped"] = receipt.dropped
    return JsonResponse(answer)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _call_log_filter(request: HttpRequest) -> CallLogFilter:
    return CallLogFilter(request.GET, queryset=selectors.call_log())


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


@login_required(login_url="admin:login")
@permission_required(VIEW_CALL_LOG, raise_exception=True)
def call_log_page(request: HttpRequest) -> HttpResponse:
    """Callbacks, filtered and paginated without counting them all (fast at any size)."""
    filters = _call_log_filter(request)
    page = _page_number(request)
    rows, has_next = [], False
    if filters.is_valid():
        start = (page - 1) * CALL_LOG_PAGE_SIZE
        # One row more than a page: is there a next page?
        window = list(filters.qs[start : start + CALL_LOG_PAGE_SIZE + 1])
        rows, has_next = window[:CALL_LOG_PAGE_SIZE], len(window) > CALL_LOG_PAGE_SIZE
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Call log"),
        "filter": filters,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "query": query.urlencode(),
    }
    return render(request, "callbacks/call_log.html", context)


@login_required(login_url="admin:login")
@permission_required(VIEW_CALL_LOG, raise_exception=True)
def call_log_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Exactly the filtered rows, streamed: memory stays flat whatever their number."""
    filters = _call_log_filter(request)
    if not filters.is_valid():
        errors = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in filters.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    filename = f"callbacks-{timezone.localtime():%Y%m%d-%H%M}.csv"
    return StreamingHttpResponse(
        csv_lines(filters.qs),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Nothing else is asked (no database), so a restart is only
    ever for a process that stopped answering."""
    return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, the broker and the sweeper are well, else 503 naming the
    failing parts, e.g. {"status": "unavailable", "failing": ["broker"], "checks": {…}}."""
    checks = health.readiness()
    failing = [part for part, state in checks.items() if state != health.OK]
    return JsonResponse(
        {"status": "unavailable" if failing else "ok", "failing": failing, "checks": checks},
        status=503 if failing else 200,
        headers={"Cache-Control": "no-store"},
    )
