"""The events endpoint takes anything: whatever arrives with the secret gets a 2xx or a 4xx with a
reason, never a 500, and nothing half-stored; a call's events are bounded in number and each costs
the same work however many came before it."""

import json

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks.models import CallEvent, CallLeg
from tests.integration import call_event_data
from tests.integration.call_event_data import event, live_events_url, post

pytestmark = pytest.mark.django_db
events_secret = call_event_data.events_secret
placed = call_event_data.placed

VALID = event("cal-1", "A", "o", 0)


def with_fields(**fields):
    return json.dumps(VALID | fields, allow_nan=True)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 5000 + "]" * 5000, "nested too deep"),
        (
            with_fields(
                extra=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
            ),
            "deeper than 32",
        ),
        (with_fields(duration=float("nan")), "NaN is not a JSON number"),
        (with_fields(duration=float("-inf")), "-Infinity is not a JSON number"),
        (with_fields(duration=1).replace('"duration": 1', '"duration": 1e999'), "too large"),
        (with_fields(call_sid="cal-\ud800"), "lone surrogate"),
        (with_fields(number="7999\u0000"), "NUL"),
        (with_fields(**{"key\u0000": 1}), "NUL"),
        (with_fields(date_time="0001-01-01T00:00:00+05:00"), "RFC 3339"),
        (with_fields(date_time="9999-12-31T23:00:00-05:00"), "RFC 3339"),
        (b"\xff\xfe{}", "not JSON"),
        ("1" * 5000, "not JSON"),  # past Python's digit limit for int()
    ],
)
def test_a_hostile_body_gets_400_with_the_reason_and_nothing_is_stored(client, body, reason):
    response = post(client, body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not CallEvent.objects.exists()
    assert not CallLeg.objects.exists()


def test_a_body_over_the_limit_gets_413_unread(client, settings):
    settings.EXOLVE_EVENT_MAX_BYTES = 2048
    response = post(client, with_fields(padding="x" * 2048))
    assert response.status_code == 413
    assert "longer than 2048 bytes" in response.json()["error"]
    assert not CallEvent.objects.exists()


def test_events_beyond_the_most_kept_per_call_are_answered_and_dropped(client, settings):
    settings.EXOLVE_EVENTS_PER_CALL = 20
    answers = [post(client, event("cal-1", "A", "h", second)).json() for second in range(25)]
    assert [answer["stored"] for answer in answers] == [True] * 20 + [False] * 5
    assert "the maximum number of events kept (20)" in answers[-1]["dropped"]
    assert CallEvent.objects.filter(call_sid="cal-1").count() == 20
    assert post(client, event("cal-2", "A", "h", 0)).json()["stored"] is True  # another call


def test_an_event_costs_the_same_queries_however_many_came_before(client, placed):
    def queries_for(second):
        with CaptureQueriesContext(connection) as captured:
            assert post(client, event(placed.call_id, "A", "h", second)).status_code == 200
        return len(captured)

    post(client, event(placed.call_id, "A", "h", 0))  # the first of a leg also makes its row
    second_event = queries_for(1)
    for second in range(2, 60):
        post(client, event(placed.call_id, "A", "h", second))
    assert queries_for(60) == second_event


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
identity = {
    "call_sid": st.sampled_from(["cal-1", "cal-2"]) | json_values,
    "event_side": st.sampled_from(["A", "B"]) | json_values,
    "type": st.sampled_from(["o", "s", "d"]) | json_values,
    "date_time": st.sampled_from(["2026-11-28T10:00:00Z", "2026-11-28T10:00:00+03:00"])
    | json_values,
}
events = st.fixed_dictionaries(identity, optional={"duration": json_values}).flatmap(
    lambda fields: st.dictionaries(st.text(), json_values, max_size=3).map(
        lambda extra: extra | fields
    )
)
bodies = st.one_of(events, json_values).map(
    lambda value: json.dumps(value, allow_nan=True).encode()
) | st.binary(max_size=200)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server's own
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_any_body_through_the_real_server_gets_a_2xx_or_a_4xx_and_nothing_half_stored(
    live_server, body
):
    before = (CallEvent.objects.count(), CallLeg.objects.count())
    response = requests.post(
        live_events_url(live_server),
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code < 500, response.text
    after = (CallEvent.objects.count(), CallLeg.objects.count())
    if response.status_code >= 400:
        assert response.json()["error"]
        assert after == before
    else:
        assert after[0] == before[0] + response.json()["stored"]
