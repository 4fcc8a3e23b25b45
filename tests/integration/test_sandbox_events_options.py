"""The sandbox's event options and log: scripted scenarios, duplicated and shuffled events, the
delay, the events log, a failing receiver, and --events-url on the command and running_sandbox."""

import base64
import json
import re
import time
from collections import Counter

import pytest
import requests

from exolve_sandbox import running_sandbox
from tests.examples import EXAMPLE, example_with
from tests.helpers import free_port, wait_for
from tests.integration import event_receiver, sandbox_client
from tests.integration.event_receiver import (
    SCENARIOS,
    WAIT,
    events_of,
    place_call,
    script_scenarios,
    sent_log,
    settle,
    sides,
)
from tests.integration.sandbox_client import API_KEY, CALL_ID, PATH, configure, run_module

# The shared fixtures, bound here so that pytest finds them for this module.
server = sandbox_client.server
receiver, sandbox = event_receiver.receiver, event_receiver.sandbox


def key_of(event):
    return json.dumps(event, sort_keys=True)


# --- control API -----------------------------------------------------------------------------


def test_scripted_scenarios_are_used_in_order_then_the_configured_one(sandbox, receiver):
    assert script_scenarios(sandbox, "contact_busy", "agents_no_answer").json() == {"queued": 2}
    calls = [place_call(sandbox) for _ in range(3)]
    settle(sandbox, receiver)
    received = receiver.events()
    got = [sides([e for e in received if e["call_sid"] == call_id]) for call_id in calls]
    assert got == [SCENARIOS[name][0] for name in ("contact_busy", "agents_no_answer", "connected")]


def test_a_contact_misses_its_first_calls_then_answers(sandbox, receiver):
    other_contact = example_with(("line_2", "destinations", 0, "number"), "79990000000")
    configure(sandbox, contact_misses={EXAMPLE["line_2"]["destinations"][0]["number"]: 2})
    calls = [place_call(sandbox) for _ in range(3)] + [place_call(sandbox, other_contact)]
    settle(sandbox, receiver)
    received = receiver.events()
    got = [sides([e for e in received if e["call_sid"] == call_id]) for call_id in calls]
    names = ("contact_no_answer", "contact_no_answer", "connected", "connected")
    assert got == [SCENARIOS[name][0] for name in names]


@pytest.mark.parametrize("misses", [-1, 101, "1", {"79990000000": -1}, {"7999": "x"}, True])
def test_a_malformed_contact_misses_is_refused(sandbox, misses):
    assert configure(sandbox, contact_misses=misses).status_code == 400


def test_the_command_s_miss_option_is_checked():
    _out, err = run_module("--api-key", "k", "--miss", "7999:one").communicate(timeout=30)
    assert "expected NUMBER:N, e.g. 79123456789:1, not '7999:one'" in err


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


def test_the_events_urls_user_info_goes_as_basic_credentials(sandbox, receiver):
    """As Exolve's HTTP client is expected to send https://exolve:<secret>@host/… (and Go's, curl
    and requests do): the user-info leaves the URL for the Authorization header."""
    scheme, _, rest = receiver.url.partition("://")
    configure(sandbox, events_url=f"{scheme}://exolve:pass%3Aword-1@{rest}").raise_for_status()
    call_id = place_call(sandbox)
    settle(sandbox, receiver)
    posts = receiver.posts()
    assert call_id in {json.loads(raw)["call_sid"] for _, raw, _ in posts}, sent_log(sandbox)
    token = base64.b64encode(b"exolve:pass:word-1").decode()
    assert {headers["Authorization"] for headers, _, _ in posts} == {f"Basic {token}"}


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
