"""Prometheus metrics (prometheus-client).

Counted where they happen: attempts by result and Exolve's latency in the worker (which serves
them itself on WORKER_METRICS_PORT), call events by answer in the web processes. Read from the
database when scraped: callbacks by status (unknown among them), and the queue lag, how long the
oldest due callback has waited past its time. The web's /metrics serves the last two kinds
(callbacks/views.py); under gunicorn, PROMETHEUS_MULTIPROC_DIR gathers its processes' counters."""

import os
from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from .models import CallbackRequest, CallbackStatus

ATTEMPTS = Counter("callbacks_attempts", "MakeCallback attempts recorded, by result.", ["result"])
EXOLVE_SECONDS = Histogram(
    "callbacks_exolve_request_seconds",
    "Time from sending a MakeCallback request to Exolve's answer (or the error).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30),
)
EVENTS = Counter(
    "callbacks_call_events", "Call events received, by what became of them.", ["answer"]
)


class DatabaseCollector(Collector):
    """What the database says at the moment of the scrape, with two indexed queries."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        by_status = GaugeMetricFamily(
            "callbacks_requests", "Callbacks by status, now.", labels=["status"]
        )
        counts = dict(
            CallbackRequest.objects.order_by().values_list("status").annotate(Count("pk"))
        )
        for status in CallbackStatus:
            by_status.add_metric([status.value], counts.get(status.value, 0))
        yield by_status
        yield GaugeMetricFamily(
            "callbacks_queue_lag_seconds",
            "How long the oldest due pending callback has waited past its time (0: none).",
            value=_queue_lag(now),
        )


def _queue_lag(now: datetime) -> float:
    due = CallbackRequest.objects.filter(status=CallbackStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    oldest = due.aggregate(
        at=Min("next_attempt_at"), asked=Min("requested_at", filter=Q(next_attempt_at=None))
    )
    times = [moment for moment in oldest.values() if moment is not None]
    return max(0.0, (now - min(times)).total_seconds()) if times else 0.0


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def exposition() -> bytes:
    """The web's metrics in Prometheus' text format."""
    registry = CollectorRegistry()
    registry.register(DatabaseCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # every gunicorn process
    else:
        registry.register(_ThisProcess())
    return generate_latest(registry)
