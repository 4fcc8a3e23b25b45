"""The events of one call from the sandbox: both legs' fields, the definitions that add up, each
scenario's events and causes, and the calling number and uid."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.examples import EXAMPLE, example_with
from tests.integration import event_receiver, sandbox_client
from tests.integration.event_receiver import (
    SCENARIOS,
    WAIT,
    events_of,
    place_call,
    settle,
    sides,
)
from tests.integration.sandbox_client import configure

A_NUMBER = EXAMPLE["line_1"]["destinations"][0]["number"]
B_NUMBER = EXAMPLE["line_2"]["destinations"][0]["number"]
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
COMMON = {
    "service",
    "date_time",
    "call_sid",
    "number",
    "type",
    "uid",
    "application_uuid",
    "customer_id",
    "event_side",
    "record_call",
}
DEFINITION = {
    "started",
    "ended",
    "hangup_cause",
    "cause",
    "called_number",
    "calling_number",
    "setup_time",
    "wait_time",
    "duration",
    "full_duration",
}

# The shared fixtures, bound here so that pytest finds them for this module.
server = sandbox_client.server
receiver, sandbox = event_receiver.receiver, event_receiver.sandbox


def definition(events, side):
    (event,) = [e for e in events if e["type"] == "d" and e["event_side"] == side]
    return event


def parse(timestamp):
    return datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def ms_between(start, end):
    return (parse(end) - parse(start)) // timedelta(milliseconds=1)


def cause_of(events, side):
    if not any(e["event_side"] == side for e in events):
        return None
    d = definition(events, side)
    return d["hangup_cause"], d["cause"]


def test_events_are_off_until_an_events_url_is_set(server, receiver):
    requests.post(f"{server.url}/_sandbox/reset", timeout=5).raise_for_status()
    receiver.clear()
    quiet = place_call(server)
    configure(server, events_url=receiver.url, events_delay_ms=0).raise_for_status()
    settle(server, receiver)
    assert all(event["call_sid"] != quiet for event in receiver.events())
    assert configure(server).json()["config"]["events_url"] == receiver.url


def test_a_connected_call_reports_both_legs_with_the_common_fields(sandbox, receiver):
    configure(sandbox, talk_ms=45000).raise_for_status()
    call_id = place_call(sandbox)
    events = events_of(sandbox, receiver, call_id)

    assert sides(events) == {"A": "oshde", "B": "oshde"}
    assert [e["type"] + e["event_side"] for e in events][:4] == ["oA", "sA", "oB", "sB"]
    assert [e["date_time"] for e in events] == sorted(e["date_time"] for e in events)
    for event in events:
        assert set(event) == (COMMON | DEFINITION if event["type"] == "d" else COMMON)
        assert event["service"] == "callback"
        assert DATE_TIME.match(event["date_time"])
        assert event["call_sid"] == call_id
        assert event["number"] == (A_NUMBER if event["event_side"] == "A" else B_NUMBER)
        assert event["record_call"] is False
    assert len({e["uid"] for e in events}) == 1
    assert isinstance(events[0]["uid"], int)
    assert 0 <= events[0]["uid"] < 2**64
    assert len({e["application_uuid"] for e in events}) == 1
    uuid.UUID(events[0]["application_uuid"])
    assert len({e["customer_id"] for e in events}) == 1
    assert isinstance(events[0]["customer_id"], int)
    # Real time is compressed, but the first event is stamped about when it was sent.
    first_sent = parse(events[0]["date_time"])
    assert abs(datetime.now(UTC) - first_sent) < timedelta(seconds=WAIT)


def test_a_connected_calls_definitions_add_up(sandbox, receiver):
    configure(sandbox, talk_ms=45000).raise_for_status()
    call_id = place_call(sandbox)
    events = events_of(sandbox, receiver, call_id)
    dialled = events[0]["date_time"]
    a, b = definition(events, "A"), definition(events, "B")

    for d, number in ((a, A_NUMBER), (b, B_NUMBER)):
        assert (d["hangup_cause"], d["cause"]) == ("NORMAL_CLEARING", "16")
        assert d["called_number"] == d["number"] == number
        assert d["calling_number"] == str(EXAMPLE["number_code"])
        assert DATE_TIME.match(d["started"])
        assert DATE_TIME.match(d["ended"])
        assert d["duration"] == ms_between(d["started"], d["ended"])
        assert d["setup_time"] == d["wait_time"] == ms_between(dialled, d["started"])
        assert d["full_duration"] == ms_between(dialled, d["ended"])
        assert all(
            isinstance(d[f], int) for f in ("setup_time", "wait_time", "duration", "full_duration")
        )
    assert b["duration"] == 45000
    assert a["ended"] == b["ended"]
    assert a["full_duration"] == b["full_duration"]
    assert a["started"] < b["started"]  # A answers first, then B is dialled
    assert a["started"] == next(
        e["date_time"] for e in events if e["type"] == "s" and e["event_side"] == "A"
    )
    assert b["started"] == next(
        e["date_time"] for e in events if e["type"] == "s" and e["event_side"] == "B"
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_scenario_sends_its_events(sandbox, receiver, scenario):
    types, a_cause, b_cause = SCENARIOS[scenario]
    assert configure(sandbox, scenario=scenario).json()["config"]["scenario"] == scenario
    call_id = place_call(sandbox)
    events = events_of(sandbox, receiver, call_id)

    assert sides(events) == types
    assert (cause_of(events, "A"), cause_of(events, "B")) == (a_cause, b_cause)
    assert [e["date_time"] for e in events] == sorted(e["date_time"] for e in events)
    assert len({e["uid"] for e in events}) == 1
    assert all(e["call_sid"] == call_id for e in events)
    if scenario.startswith("contact_"):
        assert (
            events[-1]["type"] + events[-1]["event_side"] == "dA"
        )  # A is cleared after B's leg ends
    for side in "AB":
        if types[side] and "s" not in types[side]:
            assert definition(events, side)["duration"] == 0


def test_calling_number_is_the_lines_display_number_or_the_number_code(sandbox, receiver):
    body = example_with(("line_1", "display_number"), "74951112233")
    call_id = place_call(sandbox, body)
    events = events_of(sandbox, receiver, call_id)
    assert definition(events, "A")["calling_number"] == "74951112233"
    assert definition(events, "B")["calling_number"] == "74999999999"


def test_each_call_gets_its_own_uid(sandbox, receiver):
    first, second = place_call(sandbox), place_call(sandbox)
    settle(sandbox, receiver)
    uids = {e["call_sid"]: e["uid"] for e in receiver.events() if e["call_sid"] in (first, second)}
    assert len(set(uids.values())) == 2
