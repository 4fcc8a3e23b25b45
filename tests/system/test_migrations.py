"""Callbacks written before the delivery guarantees are adopted by them when the database is
migrated: on a database of its own (a fresh SQLite file, and a fresh PostgreSQL database when the
suite runs on PostgreSQL), by `manage.py migrate`, as in a deploy. Every migration since the first
runs over rows, 0010's renames included."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from tests.helpers import PROJECT

# Rows as the first schema (0002) has them, written with plain SQL both databases take.
OLD_ROWS = """
from datetime import timedelta
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

def insert(table, **values):
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO callbacks_{table} ({columns}) VALUES ({marks}) RETURNING id",
            list(values.values()),
        )
        return cursor.fetchone()[0]

now = timezone.now()
user = User.objects.create(username="old-staff")
group_id = insert(
    "agentgroup", name="Old", is_active=True, number_code=74999999999, callback_resource_id=1221,
    duration=1800, contact_first=False, agent_ring_logic=1, agent_display_number="",
    contact_ring_logic=1, contact_display_number="", contact_timeout=30,
)
for name, status, age in [
    ("in-flight", "sending", 60), ("stale", "pending", 2 * 86400), ("fresh", "pending", 300)
]:
    contact_id = insert("contact", name=name, company="", notes="", created_at=now, updated_at=now)
    insert("contactnumber", contact_id=contact_id, position=0, number="79161234567", label="")
    request_id = insert(
        "callbackrequest", contact_id=contact_id, agent_group_id=group_id,
        requested_by_id=user.pk, requested_at=now - timedelta(seconds=age), status=status,
        request_description=name, request_body="{}", attempt_count=0, call_id="", error="",
    )
    if status == "sending":
        insert(
            "callbackattempt", request_id=request_id, number=1,
            started_at=now - timedelta(seconds=50), request_body="{}", outcome="sending",
            response_body="", call_id="", error="",
        )
"""

NEW_ROWS = """
import json
from callbacks.models import CallbackNumber, CallbackRequest
rows = {
    c.request_description: [
        c.status, c.error, c.claimed_at is not None,
        list(c.attempts.values_list("request_description", flat=True)),
    ]
    for c in CallbackRequest.objects.all()
}
rows["numbers"] = sorted(
    CallbackNumber.objects.values_list("callback__request_description", "number")
)
print(json.dumps(rows))
"""


def manage(database_url, *arguments, stdin=None):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "x" * 50}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def postgresql_database():
    """A fresh database on the PostgreSQL server the suite runs on; dropped afterwards."""
    import psycopg

    db = settings.DATABASES["default"]
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    name = f"callbacks_migrations_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    credentials = server["user"] + (f":{server['password']}" if server["password"] else "")
    try:
        yield f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the suite runs on SQLite: CI's second pass runs this on PostgreSQL")
    yield from postgresql_database()


def test_old_open_callbacks_are_adopted_by_the_sweeper_and_the_cooldown(database_url):
    manage(database_url, "migrate", "callbacks", "0002_roles", "--noinput")
    manage(database_url, "shell", stdin=OLD_ROWS)
    manage(database_url, "migrate", "--noinput")
    rows = json.loads(manage(database_url, "shell", stdin=NEW_ROWS).strip().splitlines()[-1])

    # A send in flight gets a claim time: the sweeper gives it up as unknown if no answer comes.
    assert rows["in-flight"] == ["sending", "", True, ["in-flight-1"]]
    # A callback that waited days is not dialled days late.
    assert rows["stale"] == [
        "failed",
        "Not sent before the upgrade; ask for a new callback if it is still wanted.",
        False,
        [],
    ]
    assert rows["fresh"] == ["pending", "", False, []]
    # Their numbers, for the cooldown and the do-not-call check before each attempt.
    assert rows["numbers"] == [[name, "79161234567"] for name in ("fresh", "in-flight", "stale")]


EVENTS_BEFORE_LEGS = """
from datetime import datetime, timedelta, UTC
from django.db import connection

start = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
with connection.cursor() as cursor:
    for side, kind, second in [("A", "o", 0), ("A", "s", 9), ("A", "s", 5), ("A", "d", 60),
                               ("B", "o", 6), ("C", "o", 7)]:
        at = start + timedelta(seconds=second)
        cursor.execute(
            "INSERT INTO callbacks_callevent (call_sid, event_side, type, date_time, occurred_at,"
            " payload, received_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            ["cal-old", side, kind, at.isoformat(), at, '{"cause": "16"}', at],
        )
"""

LEGS = """
import json
from callbacks.models import CallLeg
print(json.dumps(sorted(
    [leg.side, leg.answered_at.second if leg.answered_at else None, leg.final_at is not None]
    for leg in CallLeg.objects.all()
)))
"""


def test_the_legs_of_calls_stored_before_them_are_made_by_the_migration(database_url):
    manage(database_url, "migrate", "callbacks", "0010_call_log_vocabulary", "--noinput")
    manage(database_url, "shell", stdin=EVENTS_BEFORE_LEGS)
    manage(database_url, "migrate", "--noinput")
    legs = json.loads(manage(database_url, "shell", stdin=LEGS).strip().splitlines()[-1])
    assert legs == [["A", 5, True], ["B", None, False]]  # the earliest answer; no leg C


ROWS_WITHOUT_ORDER = """
from django.db import connection
from django.utils import timezone

def insert(table, **values):
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO callbacks_{table} ({columns}) VALUES ({marks}) RETURNING id",
            list(values.values()),
        )
        return cursor.fetchone()[0]

now = timezone.now()
for name in ("First", "Second"):
    group_id = insert(
        "agentgroup", name=name, is_active=True, number_code=74999999999,
        callback_resource_id=1221, duration=1800, contact_first=False, agent_ring_logic=1,
        agent_display_number="", contact_ring_logic=1, contact_display_number="",
        contact_timeout=30, time_zone="Europe/Moscow",
    )
    # Every new row used to get position 0; one was given 5 by hand, one 1.
    for position, number in [(0, "1"), (5, "2"), (0, "3"), (1, "4")]:
        insert("destination", agent_group_id=group_id, position=position,
               number=f"7912000000{number}", timeout=30)
contact_id = insert("contact", name="Old", company="", notes="", created_at=now, updated_at=now)
for position, number in [(0, "1"), (0, "2")]:
    insert("contactnumber", contact_id=contact_id, position=position,
           number=f"7916000000{number}", label="")
"""

ORDER = """
import json
from callbacks.models import AgentGroup, Contact
rows = {
    group.name: list(group.destinations.values_list("position", "number"))
    for group in AgentGroup.objects.all()
}
rows["contact"] = list(Contact.objects.get().numbers.values_list("position", "number"))
print(json.dumps(rows))
"""


def test_each_group_s_destinations_and_each_contact_s_numbers_are_numbered_in_their_order(
    database_url,
):
    manage(database_url, "migrate", "callbacks", "0013_sweeper_heartbeat", "--noinput")
    manage(database_url, "shell", stdin=ROWS_WITHOUT_ORDER)
    manage(database_url, "migrate", "--noinput")
    rows = json.loads(manage(database_url, "shell", stdin=ORDER).strip().splitlines()[-1])
    # (position, id) order: the two 0s in the order they were added, then 1, then 5.
    in_order = [[1, "79120000001"], [2, "79120000003"], [3, "79120000004"], [4, "79120000002"]]
    assert rows == {
        "First": in_order,
        "Second": in_order,
        "contact": [[1, "79160000001"], [2, "79160000002"]],
    }
