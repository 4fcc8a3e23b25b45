"""The auditor's history page (django-filter) and its CSV export, used as a person would."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from callbacks import export, views
from callbacks.models import (
    AgentGroup,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    Contact,
    Destination,
)
from tests.helpers import make_callbacks

pytestmark = pytest.mark.django_db
HISTORY = reverse("call_log")
EXPORT = reverse("call_log_csv")


@pytest.fixture
def rows(agent_group, staff_user, make_user, queued):
    other_group = AgentGroup.objects.create(
        name="Support", number_code=74999999998, callback_resource_id=1222
    )
    Destination.objects.create(agent_group=other_group, position=0, number="78129999998")
    other_user = make_user("second", "Staff")
    return {
        "connected": make_callbacks(
            3,
            agent_group,
            staff_user,
            first=0,
            call_outcome=CallOutcome.CONNECTED,
            call_id="cal-ok",
        ),
        "failed": make_callbacks(
            2,
            other_group,
            other_user,
            first=10,
            status=CallbackStatus.FAILED,
            error="Exolve: 400 bad",
        ),
        "old": make_callbacks(
            1, agent_group, staff_user, first=20, requested_at=timezone.now() - timedelta(days=40)
        ),
    }


def shown(response):
    return response.content.decode().count('class="call-log-row"')


def test_auditors_staff_and_managers_read_it_and_nobody_else(
    client, auditor, staff_user, manager, make_user, rows
):
    for user in (auditor, staff_user, manager):
        client.force_login(user)
        assert client.get(HISTORY).status_code == 200
        assert client.get(EXPORT).status_code == 200
    client.force_login(make_user("outsider"))
    assert client.get(HISTORY).status_code == 403
    assert client.get(EXPORT).status_code == 403
    client.logout()
    assert client.get(HISTORY)["Location"].startswith(reverse("admin:login"))


def test_it_is_reachable_from_the_admin_history(client, auditor, rows):
    client.force_login(auditor)
    assert (
        HISTORY
        in client.get(reverse("admin:callbacks_callbackrequest_changelist")).content.decode()
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, 6),
        ({"status": "failed"}, 2),
        ({"outcome": "connected"}, 3),
        ({"has_error": "true"}, 2),
        ({"has_error": "false"}, 4),
        ({"contact": "Клиент 01"}, 2),  # a prefix: Клиент 010, Клиент 011
        ({"number": "+7 916 123-00-10"}, 1),  # typed the way people type it
        ({"status": "placed", "outcome": "connected"}, 3),
    ],
)
def test_each_filter_narrows_the_rows(client, auditor, rows, query, expected):
    client.force_login(auditor)
    assert shown(client.get(HISTORY, query)) == expected


def test_the_period_user_and_group_filters(client, auditor, rows, agent_group):
    client.force_login(auditor)
    today = timezone.localdate()
    recent = {
        "period_after": (today - timedelta(days=7)).isoformat(),
        "period_before": today.isoformat(),
    }
    assert shown(client.get(HISTORY, recent)) == 5
    failed_user = rows["failed"][0].requested_by_id
    assert shown(client.get(HISTORY, {"requested_by": failed_user})) == 2
    assert shown(client.get(HISTORY, {"agent_group": agent_group.pk})) == 4


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"number": "12"}, "is not a valid phone number"),
        (
            {"period_after": "2026-11-20", "period_before": "2026-11-01"},
            "The period ends before it starts.",
        ),
    ],
)
def test_bad_filter_input_gets_a_message_on_the_field_and_no_export(
    client, auditor, rows, query, message
):
    client.force_login(auditor)
    page = client.get(HISTORY, query)
    assert message in page.content.decode()
    assert shown(page) == 0
    export = client.get(EXPORT, query)
    assert export.status_code == 400
    assert message in export.content.decode()


def test_pages_are_counted_by_looking_one_row_ahead(client, auditor, rows, monkeypatch):
    monkeypatch.setattr(views, "CALL_LOG_PAGE_SIZE", 4)
    client.force_login(auditor)
    first = client.get(HISTORY).content.decode()
    assert first.count('class="call-log-row"') == 4
    assert 'id="call-log-next"' in first
    second = client.get(HISTORY, {"page": 2}).content.decode()
    assert second.count('class="call-log-row"') == 2
    assert 'id="call-log-next"' not in second


def test_a_page_takes_the_same_number_of_queries_whatever_its_size(
    client, auditor, rows, monkeypatch
):
    client.force_login(auditor)
    counts = []
    for size in (1, 6):
        monkeypatch.setattr(views, "CALL_LOG_PAGE_SIZE", size)
        with CaptureQueriesContext(connection) as queries:
            assert shown(client.get(HISTORY)) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def export_rows(response):
    assert response.streaming
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 (Cyrillic) only with the BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_the_export_streams_exactly_the_filtered_rows_in_cyrillic(client, auditor, rows):
    client.force_login(auditor)
    header, *lines = export_rows(client.get(EXPORT, {"status": "failed"}))
    assert header[:3] == ["Requested at", "Contact", "Numbers"]
    assert sorted(line[1] for line in lines) == ["Клиент 010", "Клиент 011"]
    assert {line[header.index("Error")] for line in lines} == {"Exolve: 400 bad"}
    assert len(export_rows(client.get(EXPORT))) == 1 + 6


def test_the_export_reads_chunk_by_chunk_with_one_query_for_each_chunks_numbers(
    client, auditor, rows, monkeypatch
):
    monkeypatch.setattr(export, "EXPORT_CHUNK", 2)
    client.force_login(auditor)
    with CaptureQueriesContext(connection) as queries:
        header, *lines = export_rows(client.get(EXPORT))
    assert len(lines) == 6
    assert all(line[header.index("Numbers")].startswith("7 916 123-") for line in lines)
    number_queries = [q for q in queries if "callbacknumber" in q["sql"]]
    assert len(number_queries) == 3  # 6 rows, 2 to a chunk


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("http://x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "|calc",
        " =1+1",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "\uff1d1+1",  # full-width = + - @
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
    ],
)
def test_the_export_keeps_what_people_typed_from_running_as_a_formula(client, auditor, rows, typed):
    Contact.objects.filter(pk=rows["failed"][0].contact_id).update(name=typed)
    CallbackRequest.objects.filter(pk=rows["failed"][1].pk).update(error=typed)
    client.force_login(auditor)
    header, *lines = export_rows(client.get(EXPORT, {"status": "failed"}))
    assert f"'{typed}" in [line[header.index("Contact")] for line in lines]
    assert f"'{typed}" in [line[header.index("Error")] for line in lines]


def test_the_export_leaves_ordinary_text_as_it_is(client, auditor, rows):
    Contact.objects.filter(pk=rows["failed"][0].contact_id).update(name="Анна-Мария")
    client.force_login(auditor)
    header, *lines = export_rows(client.get(EXPORT, {"status": "failed"}))
    assert "Анна-Мария" in [line[header.index("Contact")] for line in lines]


def test_a_page_number_far_past_the_end_is_an_empty_page_not_an_error(client, auditor, rows):
    client.force_login(auditor)
    page = client.get(HISTORY, {"page": str(10**20)})
    assert page.status_code == 200
    assert shown(page) == 0
