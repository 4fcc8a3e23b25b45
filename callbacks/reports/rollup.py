"""The rollup's upkeep on PostgreSQL: count again the (group, hour)s the trigger noted as
changed, and forget the notes read. A change committed before the notes are read is counted (the
counting reads after them); one committed later leaves its note for the next refresh. One refresh
at a time (an advisory lock, tried: a second one leaves the work to the first), so an older count
never overwrites a newer. The `refresh_reports` task refreshes every minute, a batch budget at a
time; `manage.py refresh_reports` counts everything at once (after migration 0020, which notes
every hour there is and installs the trigger: its SQL is there). A report does not wait for a
refresh: it counts the hours still noted itself (callbacks/reports/series.py)."""

from collections import defaultdict
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Q

from ..models import AgentGroup, CallbackRequest, ReportDirtyHour, ReportHour
from .figures import hourly

NOTES_PER_BATCH = 5000  # the trigger's notes read per transaction (an hour may have many)
_LOCK_KEY = 0x7265706F7274  # "report": refreshes take turns on it
HOUR = timedelta(hours=1)


def kept() -> bool:
    """Whether this database keeps the rollup (the trigger is PostgreSQL's)."""
    return connection.vendor == "postgresql"


def refresh(most_batches: int | None = None) -> int:
    """Count again the (group, hour)s noted as changed, all of them or `most_batches` batches;
    how many were counted (0 when another refresh holds the turn)."""
    if not kept():
        return 0
    done = batches = 0
    while most_batches is None or batches < most_batches:
        read = _refresh_batch()
        if read is None:
            break
        notes, counted = read
        done, batches = done + counted, batches + 1
        if notes < NOTES_PER_BATCH:
            break
    return done


def _refresh_batch() -> tuple[int, int] | None:
    """(notes read, hours counted again), or None if another refresh holds the turn."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            f"DELETE FROM {ReportDirtyHour._meta.db_table} WHERE id IN "
            # By hour: a batch's hours of a group are consecutive, one range to count (the
            # notes of every hour after migration 0020 come in no order).
            f"(SELECT id FROM {ReportDirtyHour._meta.db_table} "
            "ORDER BY hour, agent_group_id LIMIT %s) "
            "RETURNING agent_group_id, hour",
            [NOTES_PER_BATCH],
        )
        notes = cursor.fetchall()
        noted: dict[int, set[datetime]] = defaultdict(set)
        for group_id, hour in notes:
            noted[group_id].add(hour)
        for group_id, hours in noted.items():
            _count_again(group_id, sorted(hours))
        return len(notes), sum(len(hours) for hours in noted.values())


def _count_again(group_id: int, hours: list[datetime]) -> None:
    ReportHour.objects.filter(agent_group_id=group_id, hour__in=hours).delete()
    group = AgentGroup.objects.filter(pk=group_id).first()
    if group is None:
        return
    rows = hourly(CallbackRequest.objects.filter(pressed_within(hours)), group)
    ReportHour.objects.bulk_create([ReportHour(agent_group=group, **row) for row in rows])


def pressed_within(hours: list[datetime]) -> Q:
    """Callbacks pressed in any of these hours: one range per run of consecutive hours (a full
    recount is one range per group)."""
    ranges: list[list[datetime]] = []
    for hour in sorted(hours):
        if ranges and ranges[-1][1] == hour:
            ranges[-1][1] = hour + HOUR
        else:
            ranges.append([hour, hour + HOUR])
    return reduce(or_, [Q(requested_at__gte=start, requested_at__lt=end) for start, end in ranges])


def recount_group(group: AgentGroup) -> None:
    """Every hour of the group counted again at the next refresh (its service level minutes
    changed, and with them which callbacks met it)."""
    if not kept():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ReportDirtyHour._meta.db_table} (agent_group_id, hour) "
            f"SELECT DISTINCT agent_group_id, date_trunc('hour', requested_at, 'UTC') "
            f"FROM {CallbackRequest._meta.db_table} WHERE agent_group_id = %s AND NOT is_test",
            [group.pk],
        )
