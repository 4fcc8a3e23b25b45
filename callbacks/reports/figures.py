"""What a report counts of one group's customers' callbacks, per hour of the press: one aggregate
query, the single definition the rollup stores and a report without the rollup computes.

Every callback ends in exactly one of ENDS, whatever happens later (a redial, a late event): the
outcomes a report stacks. Its service level counts a callback asked for at once once its fate is
known, and meets it if it connected within the group's minutes. The waits from the press to the
connection are counted in bands (WAIT_EDGES), from which a report reads their median and 90th
percentile."""

from datetime import UTC, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Trunc

from ..models import AgentGroup, CallbackRequest, CallbackStatus, CallOutcome, FinalState
from ..models.reports import WAIT_COLUMNS, WAIT_EDGES
from ..models.service_level import SERVICE_MEASURED

ENDS = (
    "connected",
    "not_reached",
    "not_placed",
    "unknown",
    "refused",
    "cancelled",
    "in_progress",
)
COUNTS = (
    "requested",
    "placed",
    *ENDS,
    "service_counted",
    "service_met",
    "timed_connected",
)

_END = Case(
    When(call_outcome=CallOutcome.CONNECTED, then=Value("connected")),
    When(final_state__in=[FinalState.NOT_REACHED, FinalState.EXPIRED], then=Value("not_reached")),
    When(status=CallbackStatus.CANCELLED, then=Value("cancelled")),
    When(status=CallbackStatus.REFUSED, then=Value("refused")),
    When(status=CallbackStatus.UNKNOWN, then=Value("unknown")),
    When(status=CallbackStatus.FAILED, then=Value("not_placed")),
    default=Value("in_progress"),
    output_field=CharField(),
)
_WAIT = ExpressionWrapper(F("connected_at") - F("requested_at"), output_field=DurationField())
_FATE_KNOWN = (
    Q(connected_at__isnull=False)
    | ~Q(final_state="")
    | Q(status__in=[CallbackStatus.FAILED, CallbackStatus.UNKNOWN])
)
_TIMED = Q(scheduled_for__isnull=True, connected_at__isnull=False)


def band_conditions() -> list[Q]:
    """One condition per band of waits, lowest first (the first takes a wait below zero too:
    Exolve's clock and ours may differ by a moment)."""
    highs = (*WAIT_EDGES, None)
    lows = (None, *WAIT_EDGES)
    return [
        _TIMED
        & (Q(wait__gte=timedelta(seconds=low)) if low is not None else Q())
        & (Q(wait__lt=timedelta(seconds=high)) if high is not None else Q())
        for low, high in zip(lows, highs, strict=True)
    ]


def _counts(group: AgentGroup) -> dict[str, Any]:
    within = Value(timedelta(minutes=group.service_level_minutes), output_field=DurationField())
    counted = SERVICE_MEASURED & _FATE_KNOWN
    counts: dict[str, Any] = {
        "requested": Count("pk"),
        "placed": Count("pk", filter=Q(first_placed_at__isnull=False)),
        **{end: Count("pk", filter=Q(end=end)) for end in ENDS},
        "service_counted": Count("pk", filter=counted),
        "service_met": Count(
            "pk", filter=counted & Q(connected_at__lte=F("requested_at") + within)
        ),
        "timed_connected": Count("pk", filter=_TIMED),
    }
    for column, condition in zip(WAIT_COLUMNS, band_conditions(), strict=True):
        counts[column] = Count("pk", filter=condition)
    return counts


def hourly(callbacks: QuerySet[CallbackRequest], group: AgentGroup) -> list[dict[str, Any]]:
    """The group's customers' callbacks among `callbacks`, counted per UTC hour of the press:
    {"hour", the COUNTS, the WAIT_COLUMNS} for each hour that has any."""
    rows = (
        callbacks.filter(agent_group=group, is_test=False)
        .annotate(hour=Trunc("requested_at", "hour", tzinfo=UTC), end=_END, wait=_WAIT)
        .values("hour")
        .annotate(**_counts(group))
        .order_by("hour")
    )
    return list(rows)
