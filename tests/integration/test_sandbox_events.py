"""The sandbox's Callback Call Events, POSTed over real HTTP to a small local receiver."""

import json
import re
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from exolve_sandbox import running_sandbox
from tests.examples import EXAMPLE, example_with
from tests.helpers import free_port, wait_for
from tests.integration.test_sandbox import API_KEY, CALL_ID, PATH, run_module

WAIT = 5  # seconds: the longest any event may take to arrive
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


# --- a receiver standing in for the app's event URL ------------------------------------------


class Receiver:
    """What was POSTed to it: (headers, raw body, arrival time) per request."""

    def __init__(self, url):
        self.url = url
        self.status = 200
        self._lock = threading.Lock()
        self._posts = []

    def add(self, headers, raw):
        with self._lock:
            self._posts.append((headers, raw, time.monotonic()))

    def posts(self):
        with self._lock:
            return list(self._posts)

    def events(self):
        return [json.loads(raw) for _, raw, _ in self.posts()]

    def clear(self):
        self.status = 200
        with self._lock:
            self._posts.clear()


@contextmanager
def running_receiver():
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.add(dict(self.headers), raw)
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/exolve/events/s3cret")
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def receiver():
    with running_receiver() as running:
        yield running


@pytest.fixture(scope="module")
def server():
    with running_sandbox(API_KEY) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(server, receiver):
    """A clean sandbox sending events to a clean receiver, with no delay before them."""
    requests.post(f"{server.url}/_sandbox/reset", timeout=5).raise_for_status()
    receiver.clear()
    configure(server, events_url=receiver.url, events_delay_ms=0).raise_for_status()
    return server


# --- helpers ---------------------------------------------------------------------------------


def configure(sandbox, **options):
    return requests.post(f"{sandbox.url}/_sandbox/config", json=options, timeout=5)


def script_scenarios(sandbox, *names):
    return requests.post(
        f"{sandbox.url}/_sandbox/events/script", json={"scenarios": list(names)}, timeout=5
    )


def place_call(sandbox, body=EXAMPLE):
    response = requests.post(
        f"{sandbox.url}{PATH}", json=body, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5
    )
    assert response.status_code == 200, response.text
    return response.json()["call_id"]


def sent_log(sandbox):
    return requests.get(f"{sandbox.url}/_sandbox/events", timeout=5).json()


def settle(sandbox, receiver):
    """Wait until every event queued so far has been sent and logged.

    One worker sends calls' events in order, so once a later call's event is in, all earlier
    ones are too; scripting that fence call as agents_busy gives it exactly one event.
    """
    script_scenarios(sandbox, "agents_busy").raise_for_status()
    fence = place_call(sandbox)

    def fence_logged():
        return any(entry["event"]["call_sid"] == fence for entry in sent_log(sandbox)["events"])

    assert wait_for(fence_logged, WAIT), "the fence call's event never arrived"
    return fence


def events_of(sandbox, receiver, call_id):
    settle(sandbox, receiver)
    return [event for event in receiver.events() if event["call_sid"] == call_id]


def sides(events):
    """Each side's event types, in the order they arrived: {"A": "oshde", "B": "oshde"}."""
    return {side: "".join(e["type"] for e in events if e["event_side"] == side) for side in "AB"}


def definition(events, side):
    (event,) = [e for e in events if e["type"] == "d" and e["event_side"] == side]
    return event


def parse(timestamp):
    return datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def ms_between(start, end):
    return (parse(end) - parse(start)) // timedelta(milliseconds=1)


def key_of(event):
    return json.dumps(event, sort_keys=True)


# --- the events of one call ------------------------------------------------------------------


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


SCENARIOS = {
    # scenario: (types per side, (hangup_cause, cause) of A's d, of B's d or None)
    "connected": (
        {"A": "oshde", "B": "oshde"},
        ("NORMAL_CLEARING", "16"),
        ("NORMAL_CLEARING", "16"),
    ),
    "agents_no_answer": ({"A": "ohde", "B": ""}, ("NO_ANSWER", "19"), None),
    "agents_busy": ({"A": "d", "B": ""}, ("USER_BUSY", "17"), None),
    "contact_no_answer": (
        {"A": "osd", "B": "ohde"},
        ("NORMAL_CLEARING", "16"),
        ("NO_ANSWER", "19"),
    ),
    "contact_busy": ({"A": "osd", "B": "d"}, ("NORMAL_CLEARING", "16"), ("USER_BUSY", "17")),
}


def cause_of(events, side):
    if not any(e["event_side"] == side for e in events):
        return None
    d = definition(events, side)
    return d["hangup_cause"], d["cause"]


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


# --- control API -----------------------------------------------------------------------------


def test_scripted_scenarios_are_used_in_order_then_the_configured_one(sandbox, receiver):
    assert script_scenarios(sandbox, "contact_busy", "agents_no_answer").json() == {"queued": 2}
    calls = [place_call(sandbox) for _ in range(3)]
    settle(sandbox, receiver)
    received = receiver.events()
    got = [sides([e for e in received if e["call_sid"] == call_id]) for call_id in calls]
    assert got == [SCENARIOS[name][0] for name in ("contact_busy", "agents_no_answer", "connected")]


@pytest.mark.parametrize(
    "payload", [{}, {"scenarios": "connected"}, {"scenarios": ["hung_up"]}, {"scenarios": [1]}, []]
)
def test_a_malformed_scenario_script_is_refused(sandbox, payload):
    response = requests.post(f"{sandbox.url}/_sandbox/events/script", json=payload, timeout=5)
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize(
    "options",
    [
        {"events_url": "ftp://example.com/x"},
        {"events_url": "not a url"},
        {"events_url": 5},
        {"events_delay_ms": -1},
        {"talk_ms": "3000"},
        {"scenario": "hung_up"},
        {"scenario": ["connected"]},
        {"duplicate_events": 1},
        {"shuffle_events": "yes"},
    ],
)
def test_malformed_event_options_are_refused(sandbox, options):
    assert configure(sandbox, **options).status_code == 400


def test_duplicate_events_sends_every_event_twice(sandbox, receiver):
    configure(sandbox, duplicate_events=True).raise_for_status()
    call_id = place_call(sandbox)
    events = events_of(sandbox, receiver, call_id)
    counts = Counter(key_of(e) for e in events)
    assert len(counts) == 10
    assert set(counts.values()) == {2}
    assert sides(events) == {"A": "oosshhddee", "B": "oosshhddee"}


def test_shuffle_events_sends_a_calls_events_out_of_order(sandbox, receiver):
    configure(sandbox, seed=3).raise_for_status()
    ordered = events_of(sandbox, receiver, place_call(sandbox))
    configure(sandbox, shuffle_events=True, seed=3).raise_for_status()
    shuffled = events_of(sandbox, receiver, place_call(sandbox))

    def shape(events):
        return [(e["event_side"], e["type"], e["date_time"]) for e in events]

    assert sorted(shape(shuffled), key=lambda s: s[2]) != shape(shuffled)
    assert Counter((s, t) for s, t, _ in shape(shuffled)) == Counter(
        (s, t) for s, t, _ in shape(ordered)
    )


def test_the_events_log_records_what_was_sent_and_the_receivers_status(sandbox, receiver):
    call_id = place_call(sandbox)
    settle(sandbox, receiver)
    log = sent_log(sandbox)
    assert log["failed"] == 0
    sent = [entry for entry in log["events"] if entry["event"]["call_sid"] == call_id]
    assert [entry["event"] for entry in sent] == [
        e for e in receiver.events() if e["call_sid"] == call_id
    ]
    assert all(entry["status"] == 200 and entry["error"] is None for entry in sent)
    assert all(re.match(r"^\d{4}-\d\d-\d\dT", entry["sent_at"]) for entry in sent)


def test_reset_clears_the_events_url_script_and_log(sandbox, receiver):
    script_scenarios(sandbox, "agents_busy", "agents_busy").raise_for_status()
    place_call(sandbox)
    assert wait_for(lambda: sent_log(sandbox)["events"], WAIT)
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
    assert sent_log(sandbox) == {"events": [], "failed": 0}
    config = configure(sandbox).json()["config"]
    assert (config["events_url"], config["scenario"], config["events_delay_ms"]) == (
        None,
        "connected",
        200,
    )
    configure(sandbox, events_url=receiver.url, events_delay_ms=0).raise_for_status()
    call_id = place_call(sandbox)  # the script's second agents_busy is gone: this one connects
    assert sides(events_of(sandbox, receiver, call_id)) == SCENARIOS["connected"][0]


def test_events_wait_for_events_delay_ms_but_the_answer_does_not(sandbox, receiver):
    configure(sandbox, events_delay_ms=400).raise_for_status()
    started = time.monotonic()
    call_id = place_call(sandbox)
    answered = time.monotonic()
    assert wait_for(lambda: receiver.posts(), WAIT)
    first_arrival = receiver.posts()[0][2]
    assert answered < first_arrival  # the answer did not wait for the events
    assert first_arrival - started >= 0.4
    assert json.loads(receiver.posts()[0][1])["call_sid"] == call_id


def test_the_key_is_never_sent_to_the_events_url(sandbox, receiver):
    for scenario in SCENARIOS:
        configure(sandbox, scenario=scenario).raise_for_status()
        place_call(sandbox)
    settle(sandbox, receiver)
    posts = receiver.posts()
    assert len(posts) > 5
    for headers, raw, _ in posts:
        assert API_KEY not in raw.decode()
        assert API_KEY not in json.dumps(headers)
        assert "authorization" not in {name.lower() for name in headers}
        assert headers["Content-Type"] == "application/json"


def test_a_receiver_that_is_down_or_failing_does_not_break_make_callback(sandbox, receiver):
    configure(
        sandbox, events_url=f"http://127.0.0.1:{free_port()}/events", events_delay_ms=1000
    ).raise_for_status()
    assert CALL_ID.match(place_call(sandbox))
    assert sent_log(sandbox)["events"] == []  # answered before any event was tried
    assert wait_for(lambda: sent_log(sandbox)["failed"] == 10, WAIT)
    assert all(entry["status"] is None and entry["error"] for entry in sent_log(sandbox)["events"])

    receiver.status = 500
    configure(sandbox, events_url=receiver.url, scenario="agents_busy").raise_for_status()
    assert CALL_ID.match(place_call(sandbox))
    assert wait_for(lambda: sent_log(sandbox)["failed"] == 11, WAIT)
    assert sent_log(sandbox)["events"][-1]["status"] == 500
    assert CALL_ID.match(place_call(sandbox))
    assert wait_for(lambda: sent_log(sandbox)["failed"] == 12, WAIT)  # nothing left to arrive later


def test_only_accepted_calls_send_events(sandbox, receiver):
    bad = requests.post(
        f"{sandbox.url}{PATH}",
        json=example_with(("duration",), 1),
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=5,
    )
    unauthorised = requests.post(f"{sandbox.url}{PATH}", json=EXAMPLE, timeout=5)
    assert (bad.status_code, unauthorised.status_code) == (400, 401)
    fence = settle(sandbox, receiver)
    assert {e["call_sid"] for e in receiver.events()} == {fence}


def test_a_scripted_200_sends_events_under_its_call_id(sandbox, receiver):
    scripted = {"responses": [{"status": 200, "body": {"call_id": "cal-fixed"}}]}
    requests.post(f"{sandbox.url}/_sandbox/script", json=scripted, timeout=5).raise_for_status()
    assert place_call(sandbox) == "cal-fixed"
    assert sides(events_of(sandbox, receiver, "cal-fixed")) == SCENARIOS["connected"][0]


# --- the command and running_sandbox ----------------------------------------------------------


def test_running_sandbox_takes_an_events_url_that_reset_keeps(receiver):
    receiver.clear()
    with running_sandbox(API_KEY, events_url=receiver.url) as sandbox:
        requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
        call_id = place_call(sandbox)
        assert wait_for(lambda: len(sent_log(sandbox)["events"]) == 10, WAIT)
    assert {e["call_sid"] for e in receiver.events()} == {call_id}


def test_the_command_sends_events_to_its_events_url(receiver):
    receiver.clear()
    process = run_module("--port", "0", "--events-url", receiver.url, env_key=API_KEY)
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"Exolve sandbox listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        response = requests.post(
            f"{match[1]}{PATH}",
            json=EXAMPLE,
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=5,
        )
        call_id = response.json()["call_id"]
        assert wait_for(lambda: len(receiver.posts()) == 10, WAIT)
    finally:
        process.kill()
        process.communicate(timeout=10)
    assert {e["call_sid"] for e in receiver.events()} == {call_id}


def test_the_command_refuses_a_bad_events_url():
    process = run_module("--port", "0", "--events-url", "ftp://example.com", env_key=API_KEY)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode != 0
    assert "--events-url" in stderr
