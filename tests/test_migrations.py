"""Requests written before the delivery guarantees are adopted by them when the database is
migrated: on a database of its own (a fresh SQLite file), by `manage.py migrate`, as in a deploy."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

OLD_ROWS = """
from datetime import timedelta
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone
now = timezone.now()
user = User.objects.create(username="old-staff")
cursor = connection.cursor()
cursor.execute("INSERT INTO callbacks_agentgroup (name, is_active, number_code, callback_resource_id, duration,"
    " contact_first, agent_ring_logic, agent_display_number, contact_ring_logic, contact_display_number,"
    " contact_timeout) VALUES ('Old', 1, 74999999999, 1221, 1800, 0, 1, '', 1, '', 30)")
group_id = cursor.lastrowid
for name, status, age in [("in-flight", "sending", 60), ("stale", "pending", 2 * 86400), ("fresh", "pending", 300)]:
    cursor.execute("INSERT INTO callbacks_contact (name, company, notes, created_at, updated_at)"
        " VALUES (%s, '', '', %s, %s)", [name, now, now])
    contact_id = cursor.lastrowid
    cursor.execute("INSERT INTO callbacks_contactnumber (contact_id, position, number, label)"
        " VALUES (%s, 0, '79161234567', '')", [contact_id])
    cursor.execute("INSERT INTO callbacks_callbackrequest (contact_id, agent_group_id, requested_by_id,"
        " requested_at, status, request_description, request_body, attempt_count, call_id, error)"
        " VALUES (%s, %s, %s, %s, %s, %s, '{}', 0, '', '')",
        [contact_id, group_id, user.pk, now - timedelta(seconds=age), status, name])
    if status == "sending":
        cursor.execute("INSERT INTO callbacks_callbackattempt (request_id, number, started_at, request_body,"
            " outcome, response_body, call_id, error) VALUES (%s, 1, %s, '{}', 'sending', '', '', '')",
            [cursor.lastrowid, now - timedelta(seconds=50)])
"""

NEW_ROWS = """
import json
from callbacks.models import CallbackNumber, CallbackRequest
rows = {r.request_description: [r.status, r.error, r.claimed_at is not None,
        list(r.attempts.values_list("request_description", flat=True))] for r in CallbackRequest.objects.all()}
rows["numbers"] = sorted(CallbackNumber.objects.values_list("callback__request_description", "number"))
print(json.dumps(rows))
"""


def manage(database, *arguments, stdin=None):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "x" * 50}
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


def test_old_open_requests_are_adopted_by_the_sweeper_and_the_cooldown(tmp_path):
    database = tmp_path / "upgrade.sqlite3"
    manage(database, "migrate", "callbacks", "0002_roles", "--noinput")
    manage(database, "shell", stdin=OLD_ROWS)
    manage(database, "migrate", "--noinput")
    rows = json.loads(manage(database, "shell", stdin=NEW_ROWS).strip().splitlines()[-1])

    # A send in flight gets a claim time: the sweeper gives it up as unknown if no answer comes.
    assert rows["in-flight"] == ["sending", "", True, ["in-flight-1"]]
    # A request that waited days is not dialled days late.
    assert rows["stale"] == [
        "failed",
        "Not sent before the upgrade; ask for a new callback if it is still wanted.",
        False,
        [],
    ]
    assert rows["fresh"] == ["pending", "", False, []]
    # Their numbers, for the cooldown and the do-not-call check before each attempt.
    assert rows["numbers"] == [[name, "79161234567"] for name in ("fresh", "in-flight", "stale")]
