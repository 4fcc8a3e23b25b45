"""The admin's history list at scale: what it shows, how it is searched and paged, and that a
page costs the same number of queries whatever its size."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from callbacks import paging
from callbacks.admin.call_log import CallbackRequestAdmin
from callbacks.models import CallbackAttempt, CallbackNumber, CallbackRequest, CallOutcome
from tests.helpers import make_callbacks

pytestmark = pytest.mark.django_db
HISTORY = reverse("admin:callbacks_callbackrequest_changelist")


@pytest.fixture
def seven(agent_group, staff_user, queued):
    return make_callbacks(7, agent_group, staff_user, call_outcome=CallOutcome.CONTACT_NO_ANSWER)


def rows_shown(page):
    return len(
        set(re.findall(r"/admin/callbacks/callbackrequest/(\d+)/change/", page.content.decode()))
    )


def test_the_list_shows_time_contact_number_group_status_with_outcome_call_id_and_error(
    client, auditor, seven
):
    CallbackRequest.objects.filter(pk=seven[0].pk).update(
        call_id="cal-visible", error="Exolve: 400 bad"
    )
    client.force_login(auditor)
    page = client.get(HISTORY).content.decode()
    for shown in [
        "Клиент 000",
        "+7 916 123-00-00",
        "Sales",
        "Placed · contact did not answer",
        "cal-visible",
        "Exolve: 400 bad",
    ]:
        assert shown in page


def test_a_page_takes_the_same_number_of_queries_whatever_its_size(
    client, auditor, seven, monkeypatch
):
    client.force_login(auditor)
    counts = []
    for size in (2, 5):
        monkeypatch.setattr(CallbackRequestAdmin, "list_per_page", size)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(HISTORY)
        assert page.status_code == 200
        assert rows_shown(page) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "kind", ["call id", "earlier call id", "attempt id", "typed number", "name prefix"]
)
def test_search_finds_a_request_by_what_was_typed(client, auditor, seven, kind):
    wanted = seven[3]
    CallbackRequest.objects.filter(pk=wanted.pk).update(call_id="cal0123456789abcdef")
    CallbackAttempt.objects.create(
        callback=wanted,
        sequence=1,
        request_description=f"{wanted.request_description}-1",
        request_body={},
        call_id="cal9999999999abcdef",
    )
    term = {
        "call id": "cal0123456789abcdef",
        "earlier call id": "cal9999999999abcdef",
        "attempt id": f"{wanted.request_description}-1",
        "typed number": "8 (916) 123-00-03",
        "name prefix": "Клиент 003",
    }[kind]
    client.force_login(auditor)
    page = client.get(HISTORY, {"q": term})
    assert rows_shown(page) == 1
    assert (
        reverse("admin:callbacks_callbackrequest_change", args=[wanted.pk]) in page.content.decode()
    )


def test_the_date_range_filter_narrows_the_list(client, auditor, seven):
    CallbackRequest.objects.filter(pk__in=[r.pk for r in seven[:2]]).update(
        requested_at=timezone.now() - timedelta(days=30)
    )
    client.force_login(auditor)
    today = timezone.localdate()
    page = client.get(
        HISTORY,
        {
            "requested_at__date__gte": (today - timedelta(days=1)).isoformat(),
            "requested_at__date__lte": today.isoformat(),
        },
    )
    assert rows_shown(page) == 5
    assert 'name="requested_at__date__gte"' in page.content.decode()


def test_the_date_range_takes_whole_days_of_the_time_zone_and_compares_the_time_itself(
    client, auditor, seven
):
    day = timezone.localdate() - timedelta(days=300)
    last_minute = timezone.make_aware(datetime.combine(day, time(23, 59)))
    CallbackRequest.objects.filter(pk=seven[0].pk).update(requested_at=last_minute)
    CallbackRequest.objects.filter(pk=seven[1].pk).update(
        requested_at=last_minute + timedelta(minutes=1)  # the next day's midnight
    )
    client.force_login(auditor)

    def shown(since, until):
        query = {"requested_at__date__gte": since.isoformat()}
        query["requested_at__date__lte"] = until.isoformat()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(HISTORY, query)
        listed = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
        # The column compared as stored (its index serves it), not converted row by row.
        assert listed
        assert not any("AT TIME ZONE" in sql or "cast_date" in sql for sql in listed)
        return set(
            re.findall(r"/admin/callbacks/callbackrequest/(\d+)/change/", page.content.decode())
        )

    next_day = day + timedelta(days=1)
    assert shown(day, day) == {str(seven[0].pk)}
    assert shown(next_day, next_day) == {str(seven[1].pk)}
    assert shown(day - timedelta(days=1), next_day) == {str(seven[0].pk), str(seven[1].pk)}


@pytest.mark.parametrize("typed", ["yesterday", "2026-02-30", "0001-01-01"])
def test_a_date_that_is_not_one_is_the_admins_bad_filter_not_a_crash(client, auditor, seven, typed):
    client.force_login(auditor)
    page = client.get(HISTORY, {"requested_at__date__gte": typed})
    assert page.status_code == 302
    assert page.url.endswith("?e=1")


def test_a_page_past_the_count_is_empty_not_an_error(client, auditor, seven, monkeypatch):
    monkeypatch.setattr(CallbackRequestAdmin, "list_per_page", 2)
    client.force_login(auditor)
    page = client.get(HISTORY, {"p": "40"})
    assert page.status_code == 200
    assert rows_shown(page) == 0


def test_a_stored_foreign_number_is_found_as_it_is_pasted(client, auditor, seven):
    CallbackNumber.objects.filter(callback=seven[5]).update(number="4930123456")
    client.force_login(auditor)
    assert rows_shown(client.get(HISTORY, {"q": "4930123456"})) == 1


def test_pages_beyond_the_exact_count_use_the_estimate_and_still_show_the_right_rows(
    seven, monkeypatch
):
    monkeypatch.setattr(paging, "EXACT_COUNT_UP_TO", 3)
    rows = CallbackRequest.objects.order_by("-requested_at", "-id")
    paginator = paging.EstimatedCountPaginator(rows, per_page=2)
    assert (
        paginator.count >= 4
    )  # exact up to 3; beyond, the planner's estimate (PostgreSQL) or the count
    expected = list(rows.values_list("pk", flat=True))
    assert [r.pk for r in paginator.page(2).object_list] == expected[2:4]
    assert [r.pk for r in paginator.page(4).object_list] == expected[6:]


ATTEMPTS = reverse("admin:callbacks_callbackattempt_changelist")


@pytest.fixture
def attempts(seven):
    """An attempt of each of the first four callbacks: a placed call, a 503, a 400 and one still
    waiting for Exolve's answer (no HTTP status)."""
    made = []
    for callback, status, call_id in zip(
        seven, [200, 503, 400, None], ["cal0123456789abcdef", "", "", ""], strict=False
    ):
        made.append(
            CallbackAttempt.objects.create(
                callback=callback,
                sequence=1,
                request_description=f"{callback.request_description}-1",
                request_body={},
                http_status=status,
                call_id=call_id,
            )
        )
    return made


def attempts_shown(page):
    return set(re.findall(r"/admin/callbacks/callbackattempt/(\d+)/change/", page.content.decode()))


@pytest.mark.parametrize("kind", ["call id", "call id in capitals", "attempt id"])
def test_the_attempts_list_finds_an_attempt_by_its_call_id_or_our_id(
    client, auditor, attempts, kind
):
    wanted = attempts[0]
    term = {
        "call id": "cal0123456789abcdef",
        "call id in capitals": " CAL0123456789ABCDEF ",
        "attempt id": wanted.request_description.upper(),
    }[kind]
    client.force_login(auditor)
    assert attempts_shown(client.get(ATTEMPTS, {"q": term})) == {str(wanted.pk)}


def test_the_attempts_http_status_filter_offers_each_status_once_and_empty(
    client, auditor, attempts
):
    client.force_login(auditor)
    page = client.get(ATTEMPTS).content.decode()
    offered = re.findall(r'href="\?http_status=(\d+)"', page)
    assert offered == ["200", "400", "503"]
    assert 'href="?http_status__isnull=True"' in page
    assert attempts_shown(client.get(ATTEMPTS, {"http_status": "503"})) == {str(attempts[1].pk)}


def test_the_list_offers_pages_no_deeper_than_the_limit(seven, monkeypatch):
    monkeypatch.setattr(paging, "MAX_PAGE", 2)
    rows = CallbackRequest.objects.order_by("-requested_at", "-id")
    paginator = paging.EstimatedCountPaginator(rows, per_page=2)
    assert paginator.num_pages == 2  # seven rows would make four pages
    with pytest.raises(paging.EmptyPage):
        paginator.page(3)
