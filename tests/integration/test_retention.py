"""Retention: old call events and attempts go in batches, only when configured, never what may still
change."""

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from celery import current_app
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks import call_legs, retention, tasks
from callbacks.delivery import create, sending
from callbacks.models import (
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    CallEvent,
    CallLeg,
    Contact,
    ContactNumber,
)
from tests.helpers import PROJECT

pytestmark = pytest.mark.django_db


def finished_request(agent_group, user, index, status, age_days):
    contact = Contact.objects.create(name=f"Клиент {index}")
    ContactNumber.objects.create(contact=contact, number=f"7916123{index:04d}")
    callback = create.create_callback(contact=contact, agent_group=agent_group, requested_by=user)
    [attempt] = sending.claim([callback.pk], timezone.now())
    started = timezone.now() - timedelta(days=age_days)
    CallbackAttempt.objects.filter(pk=attempt.pk).update(started_at=started, call_id=f"cal-{index}")
    CallbackRequest.objects.filter(pk=callback.pk).update(status=status)
    final = CallEvent.objects.create(
        call_sid=f"cal-{index}",
        event_side="A",
        type="d",
        date_time=started.isoformat(),
        occurred_at=started,
        payload={},
        received_at=started,
        attempt=attempt,
    )
    call_legs.fold(final)
    return callback


@pytest.fixture
def history(agent_group, staff_user, queued):
    return {
        "old": [
            finished_request(agent_group, staff_user, i, CallbackStatus.PLACED, 100)
            for i in range(5)
        ],
        "old_unknown": finished_request(agent_group, staff_user, 10, CallbackStatus.UNKNOWN, 100),
        "recent": finished_request(agent_group, staff_user, 20, CallbackStatus.PLACED, 5),
    }


def deleted_per_statement(queries, table):
    """How many rows by id each DELETE on `table` named (the ids it was given)."""
    pattern = re.compile(rf'DELETE FROM "{table}" WHERE "{table}"."id" IN \(([^)]*)\)')
    return [
        len(match.group(1).split(","))
        for query in queries
        if (match := pattern.search(query["sql"]))
    ]


def test_old_events_and_attempts_go_in_batches_and_the_rest_stays(history):
    with CaptureQueriesContext(connection) as queries:
        assert retention.purge(older_than_days=30, batch_size=2) == {
            "events": 5,
            "attempts": 5,
            "legs": 5,
        }
    # Five of each, two to a batch: three statements each, none over the batch size.
    assert deleted_per_statement(queries, "callbacks_callevent") == [2, 2, 1]
    assert deleted_per_statement(queries, "callbacks_callbackattempt") == [2, 2, 1]
    kept = set(CallbackAttempt.objects.values_list("callback_id", flat=True))
    assert kept == {history["old_unknown"].pk, history["recent"].pk}  # unknown may still be decided
    assert CallEvent.objects.count() == CallLeg.objects.count() == 2  # unknown and recent calls'
    assert CallbackRequest.objects.count() == 7  # the record of who asked stays


def test_nothing_is_deleted_in_the_default_configuration(history, settings):
    assert settings.CALLBACK_RETENTION_DAYS == 0
    tasks.purge_call_log()
    assert CallbackAttempt.objects.count() == 7
    assert CallEvent.objects.count() == 7
    with pytest.raises(CommandError, match="--older-than-days"):
        call_command("purge_call_log")


@pytest.mark.parametrize("command", ["purge_call_log", "purge_history"])
def test_the_command_deletes_what_is_older_than_it_is_told(history, capsys, command):
    """purge_history is the command's earlier name, kept for the cron jobs that call it."""
    call_command(command, "--older-than-days", "30", "--batch-size", "3")
    assert "Deleted 5 call events and 5 attempts." in capsys.readouterr().out
    assert CallbackAttempt.objects.count() == 2


@pytest.mark.parametrize("name", ["callbacks.purge_call_log", "callbacks.purge_history"])
def test_a_purge_task_queued_by_an_older_beat_still_runs(history, settings, name):
    settings.CALLBACK_RETENTION_DAYS = 30
    current_app.tasks[name]()  # the registered task, run here (apply() would close the connection)
    assert CallbackAttempt.objects.count() == 2


def test_a_configured_age_schedules_the_nightly_purge():
    show = (
        "from django.conf import settings; "
        "print(settings.CELERY_BEAT_SCHEDULE['purge-call-log']['task'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "callbacks_project.settings",
        "SECRET_KEY": "x" * 50,
        "CALLBACK_RETENTION_DAYS": "90",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {show}"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "callbacks.purge_call_log", result.stderr
