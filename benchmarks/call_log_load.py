"""Loading the call log benchmark's database: a fresh database, migrated; the people and agent
groups through the ORM (a few rows); the big tables in SQL (call_log_sql.py); then VACUUM ANALYZE.
"""

import time

from benchmarks.call_log_sql import Sizes, load_tables
from benchmarks.progress import log

# The accounts the measured pages are opened as (call_log_pages.py): username → role.
ADMIN, AUDITOR, MANAGER, STAFF = "bench-admin", "bench-auditor", "bench-manager", "bench-staff"
ROLES = {AUDITOR: "Auditors", MANAGER: "Support managers", STAFF: "Staff"}
REQUESTERS = 20  # staff accounts who asked for the callbacks
GROUPS = 10


def recreate_database(args):
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{args.db_name}"')
        connection.execute(f'CREATE DATABASE "{args.db_name}"')


def load(args):
    """Returns [(step, seconds)], the whole load last."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    started = time.monotonic()
    log(f"database {args.db_name}: drop, create, migrate")
    recreate_database(args)
    call_command("migrate", verbosity=0)
    timings = [("create and migrate", time.monotonic() - started)]
    requesters, groups = load_people_and_groups()
    sizes = Sizes(
        contacts=args.contacts or args.requests // 3,
        requests=args.requests,
        attempts=args.attempts,
        task_results=args.task_results,
        group_ids=groups,
        user_ids=requesters,
        now=timezone.now(),
    )
    with connection.cursor() as cursor:
        timings += load_tables(cursor, sizes, log)
        log("VACUUM ANALYZE")
        vacuum_started = time.monotonic()
        cursor.execute("VACUUM ANALYZE")
        timings.append(("VACUUM ANALYZE", time.monotonic() - vacuum_started))
    timings.append(("whole load", time.monotonic() - started))
    log(f"loaded in {timings[-1][1] / 60:.1f} min")
    return timings


def load_people_and_groups():
    """The accounts of the measured pages, the staff who asked, and the agent groups: the ids of
    the last two."""
    from django.contrib.auth.models import Group, User

    from callbacks.models import AgentGroup, Destination

    User.objects.create_superuser(ADMIN, password="x")
    for username, role in ROLES.items():
        user = User.objects.create_user(username, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
    staff = Group.objects.get(name=ROLES[STAFF])
    requesters = []
    for i in range(REQUESTERS):
        user = User.objects.create_user(f"staff{i}", password="x", is_staff=True)
        user.groups.add(staff)
        requesters.append(user.pk)
    groups = []
    for i in range(GROUPS):
        group = AgentGroup.objects.create(
            name=f"Group {i}", number_code=74990000000 + i, callback_resource_id=1000 + i
        )
        Destination.objects.create(agent_group=group, position=0, number=f"7812000{i:04d}")
        groups.append(group.pk)
    return requesters, groups
