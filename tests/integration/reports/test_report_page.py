"""The report page as a person uses it: its table's figures equal counts of the callbacks made
here, its CSV holds the same, its charts get the same series, and bad input is told on the
field."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks.models import CallbackStatus, CallOutcome, FinalState
from tests.helpers import make_callbacks

pytestmark = pytest.mark.django_db
REPORTS = reverse("admin:reports")


@pytest.fixture
def week(agent_group, staff_user):
    """Callbacks over three days of the group's week, in known ends."""
    now = timezone.now()
    made = []
    for days_ago, changes in [
        (2, {"call_outcome": CallOutcome.CONNECTED, "final_state": FinalState.CONNECTED}),
        (2, {"final_state": FinalState.NOT_REACHED, "call_outcome": CallOutcome.CONTACT_NO_ANSWER}),
        (1, {"status": CallbackStatus.FAILED}),
        (1, {"call_outcome": CallOutcome.CONNECTED, "final_state": FinalState.CONNECTED}),
        (0, {"status": CallbackStatus.UNKNOWN}),
    ]:
        requested = now - timedelta(days=days_ago)
        placed = {} if changes.get("status") else {"first_placed_at": requested}
        connected = (
            {"connected_at": requested + timedelta(seconds=70)}
            if changes.get("call_outcome") == CallOutcome.CONNECTED
            else {}
        )
        made += make_callbacks(
            1, agent_group, staff_user, first=len(made), requested_at=requested,
            **placed, **connected, **changes,
        )  # fmt: skip
    return made


def report_of(client, agent_group, **params):
    today = timezone.localdate()
    query = {
        "first": (today - timedelta(days=6)).isoformat(),
        "last": today.isoformat(),
        "agent_group": agent_group.pk,
        "granularity": "week",
        **params,
    }
    return client.get(REPORTS, query)


def test_a_week_in_one_bucket_counts_every_end(week, agent_group, auditor, as_user):
    client = as_user(auditor)
    page = report_of(client, agent_group, granularity="day").content.decode()
    figures = json.loads(re.search(r'id="report-charts"[^>]*>(.*?)</script>', page).group(1))
    ends = {end["label"]: sum(end["data"]) for end in figures["ends"]}
    assert ends["Connected"] == 2
    assert ends["Not reached after all attempts"] == 1
    assert ends["Not placed (failed)"] == 1
    assert ends["Result unknown"] == 1
    assert len(figures["labels"]) == 7  # every day of the period, empty ones too

    answer = report_of(client, agent_group, format="csv")
    assert answer["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(answer.content.decode().lstrip("\ufeff")), delimiter=";"))
    header, *rows = lines
    totals = {
        name: sum(int(row[header.index(name)]) for row in rows)
        for name in ("Requested", "Placed", "Connected")
    }
    assert totals == {"Requested": 5, "Placed": 3, "Connected": 2}
    rate = [
        row[header.index("Connect rate, %")] for row in rows if row[header.index("Placed")] != "0"
    ]
    assert rate, rows


def test_bad_input_is_told_on_the_field(agent_group, auditor, as_user):
    client = as_user(auditor)
    page = report_of(client, agent_group, first="2026-12-07", last="2026-01-01").content.decode()
    assert "The period ends before it starts." in page
    page = report_of(client, agent_group, first="2026-01-01", last="2026-12-07").content.decode()
    assert "A report covers 92 days at most." in page
    page = report_of(client, agent_group, first="2026-11-01", last="2026-11-08", granularity="hour")
    page = page.content.decode()
    assert "Per hour, a report covers 7 days at most." in page
    assert report_of(client, agent_group, first="0001-01-01").status_code == 200
    answer = report_of(client, agent_group, first="2026-12-07", last="2026-01-01", format="csv")
    assert answer.status_code == 400


def test_the_page_opens_with_the_last_30_days(auditor, as_user, agent_group):
    page = as_user(auditor).get(REPORTS).content.decode()
    assert 'id="report-table"' in page
    assert page.count('class="report-row"') == 30
