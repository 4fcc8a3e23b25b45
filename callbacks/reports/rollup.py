"""The rollup's upkeep on PostgreSQL: count again the (group, hour)s the trigger noted as
changed, and forget the notes read. Exact at every refresh: a change committed before the notes
are read is counted (the counting reads after them); one committed later leaves its note for the
next refresh. Refreshes take turns (an advisory lock), so an older count never overwrites a newer.
The sweeper refreshes every sweep; a report refreshes before it reads. The trigger is installed by
migration 0018 (its SQL is there)."""

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


def refresh() -> int:
    """Count again every (group, hour) noted as changed; how many were counted."""
    if not kept():
        return 0
    done = 0
    while True:
        notes, counted = _refresh_batch()
        done += counted
        if notes < NOTES_PER_BATCH:
            return done


def _refresh_batch() -> tuple[int, int]:
    """(notes read, hours counted again)"""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        cursor.execute(
            f"DELETE FROM {ReportDirtyHour._meta.db_table} WHERE id IN "
            f"(SELECT id FROM {ReportDirtyHour._meta.db_table} ORDER BY id LIMIT %s) "
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
    within = reduce(
        or_, [Q(requested_at__gte=hour, requested_at__lt=hour + HOUR) for hour in hours]
    )
    rows = hourly(CallbackRequest.objects.filter(within), group)
    ReportHour.objects.bulk_create([ReportHour(agent_group=group, **row) for row in rows])


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
