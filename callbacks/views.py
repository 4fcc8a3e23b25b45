"""Pages and endpoints outside the admin: Exolve's call events, the call log page with its CSV
export, and the health endpoints (answered by callbacks_project/health_endpoints.py's middleware,
before the host is checked)."""

import base64
import hmac
import logging
import math

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.http import (
    Http404,
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
from django.views.decorators.debug import sensitive_variables
from prometheus_client import CONTENT_TYPE_LATEST

from . import call_events, health, metrics, selectors
from .export import csv_lines
from .filters import CallLogFilter
from .paging import MAX_PAGE
from .permissions import VIEW_CALL_LOG

logger = logging.getLogger(__name__)

CALL_LOG_PAGE_SIZE = 50
# Asks a client that sent no credentials for them, as HTTP clients expect.
AUTHENTICATE = 'Basic realm="Exolve call events"'


@sensitive_variables("expected")
@csrf_exempt
def exolve_events(request: HttpRequest) -> JsonResponse:
    """Exolve's Callback Call Events, one JSON object per POST. The URL set in Exolve's cabinet,
    https://exolve:<secret>@<host>/exolve/events/, makes its HTTP client send the secret in the
    Authorization header (Basic); a Bearer token is taken too. No access log prints either."""
    expected = settings.EXOLVE_EVENTS_SECRET
    if not expected:
        return _refused({"error": "forbidden"}, status=403)
    if not _same(_presented_secret(request), expected):
        return _refused(
            {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": AUTHENTICATE}
        )
    return _receive(request)


@sensitive_variables("secret", "expected")
@csrf_exempt
def exolve_events_legacy(request: HttpRequest, secret: str) -> JsonResponse:
    """The old form, /exolve/events/<secret>/, during the migration period: every proxy and access
    log on the way prints the secret in it."""
    if not settings.EXOLVE_EVENTS_LEGACY_URL:
        return _refused({"error": "not found"}, status=404)
    expected = settings.EXOLVE_EVENTS_LEGACY_SECRET or settings.EXOLVE_EVENTS_SECRET
    if not expected or not _same(secret, expected):
        return _refused({"error": "forbidden"}, status=403)
    logger.warning(
        "A call event came to the old events URL, which puts its secret in access logs: give "
        "Exolve's cabinet the URL with the secret as its password (README, Security)"
    )
    return _receive(request)


@sensitive_variables()
def _presented_secret(request: HttpRequest) -> str:
    """The password of Basic credentials, or a Bearer token; empty without either."""
    header: str = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() != "basic":
        return ""
    try:
        credentials = base64.b64decode(value.strip(), validate=True).decode()
    except ValueError:  # not base64 (binascii.Error), not UTF-8 (UnicodeDecodeError)
        return ""
    return credentials.partition(":")[2]


@sensitive_variables()
def _same(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())


def _refused(
    answer: dict[str, str], status: int, headers: dict[str, str] | None = None
) -> JsonResponse:
    """An event without the right secret (or at the old URL once it is off): not read, counted."""
    metrics.EVENTS.labels(answer="forbidden").inc()
    return JsonResponse(answer, status=status, headers=headers)


def _receive(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": "only POST"}, status=405, headers={"Allow": "POST"})
    if _declared_length(request) > settings.EXOLVE_EVENT_MAX_BYTES:  # not even read
        metrics.EVENTS.labels(answer="refused").inc()
        return JsonResponse({"error": str(call_events.body_too_long())}, status=413)
    try:
        payload = call_events.parse_event(request.body)
    except call_events.BadEvent as exc:
        metrics.EVENTS.labels(answer="refused").inc()
        return JsonResponse({"error": str(exc)}, status=400)
    receipt = call_events.receive_event(payload)
    metrics.EVENTS.labels(answer=receipt.kind).inc()
    answer: dict[str, object] = {"stored": receipt.stored, "linked": receipt.linked}
    if receipt.dropped:
        answer["dropped"] = receipt.dropped
    return JsonResponse(answer)


@sensitive_variables("expected", "given")
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape, for whoever has METRICS_TOKEN as a bearer token; without the token
    configured, or with another, nothing is there (404)."""
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not expected or not _same(given, expected):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    """django-axes' answer to a login from a locked-out user name and address (429)."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {**admin.site.each_context(request), "title": _("Log in"), "minutes": minutes}
    return render(request, "admin/locked_out.html", context, status=429)


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
