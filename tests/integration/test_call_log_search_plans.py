"""The call log's searches go to an index on PostgreSQL, not through every row: the start of a
contact's name (the admin's search and the call log page's filter) to the index on UPPER(name)
(migration 0017), an attempt's call id or our id to theirs."""

import pytest
from django.db import connection

from callbacks.filters import CallLogFilter
from callbacks.models import CallbackAttempt, Contact
from callbacks.selectors import call_log, search_attempts, search_callbacks
from tests.helpers import make_callbacks

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the index and its plan are PostgreSQL's"
    ),
]


@pytest.fixture
def many_contacts(agent_group, staff_user, queued):
    """Enough contacts, with statistics, that reading them all costs more than the index."""
    Contact.objects.bulk_create(Contact(name=f"Пётр Смирнов {i}") for i in range(3000))
    make_callbacks(3, agent_group, staff_user, first=0)  # «Клиент 000» …
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE callbacks_contact")
        cursor.execute("ANALYZE callbacks_callbackrequest")


@pytest.mark.parametrize(
    "searched",
    [
        pytest.param(lambda: search_callbacks(call_log(), "клиент 001"), id="admin search"),
        pytest.param(
            lambda: CallLogFilter({"contact": "клиент 001"}, queryset=call_log()).qs,
            id="call log page",
        ),
    ],
)
def test_the_name_search_reads_the_prefix_index(many_contacts, searched):
    callbacks = searched()
    plan = callbacks.explain()

    assert "contact_name_prefix" in plan, plan
    assert [callback.contact.name for callback in callbacks] == ["Клиент 001"]


@pytest.fixture
def many_attempts(agent_group, staff_user, queued):
    callback = make_callbacks(1, agent_group, staff_user)[0]
    CallbackAttempt.objects.bulk_create(
        CallbackAttempt(
            callback=callback,
            sequence=i,
            request_description=f"{callback.request_description}-{i}",
            request_body={},
            call_id=f"cal{i:016x}",
        )
        for i in range(1, 3001)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE callbacks_callbackattempt")
    return callback


def test_the_attempt_search_reads_the_call_id_index(many_attempts):
    attempts = search_attempts(CallbackAttempt.objects.all(), "CAL00000000000007D0")
    plan = attempts.explain()

    assert "callbackattempt_call_id" in plan, plan
    assert [attempt.sequence for attempt in attempts] == [2000]
