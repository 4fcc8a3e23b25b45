"""The Exolve sandbox, exercised over real HTTP on an ephemeral port (no Django needed)."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
import requests

from exolve_sandbox import running_sandbox, validate_make_callback
from tests.examples import DROP, EXAMPLE, example_with
from tests.helpers import PROJECT

API_KEY = "sandbox-test-key-7f3a"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
PATH = "/call/v1/MakeCallback"

CALL_ID = re.compile(r"^cal[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def server():
    with running_sandbox(API_KEY) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(server):
    requests.post(f"{server.url}/_sandbox/reset", timeout=5).raise_for_status()
    return server


def call(sandbox, body=None, key=API_KEY):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.post(f"{sandbox.url}{PATH}", json=body, headers=headers, timeout=5)


def post_raw(sandbox, data, headers=AUTH):
    return requests.post(f"{sandbox.url}{PATH}", data=data, headers=headers, timeout=5)


def script(sandbox, *responses):
    payload = {"responses": list(responses)}
    requests.post(f"{sandbox.url}/_sandbox/script", json=payload, timeout=5).raise_for_status()


def configure(sandbox, **options):
    return requests.post(f"{sandbox.url}/_sandbox/config", json=options, timeout=5)


def logged(sandbox):
    return requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5).json()["requests"]


# --- MakeCallback -----------------------------------------------------------------------------


def test_the_documented_example_is_accepted(sandbox):
    response = call(sandbox, EXAMPLE)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert CALL_ID.match(response.json()["call_id"])
    assert set(response.json()) == {"call_id"}


def test_each_call_gets_a_fresh_call_id(sandbox):
    ids = {call(sandbox, EXAMPLE).json()["call_id"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize("key", [None, "wrong-key", "", API_KEY + "x"])
def test_a_missing_or_wrong_key_is_refused(sandbox, key):
    response = call(sandbox, EXAMPLE, key=key)
    assert response.status_code == 401
    assert response.json() == {"code": 16, "message": "malformed token", "details": []}
    assert API_KEY not in response.text


def test_the_key_must_come_as_a_bearer_token(sandbox):
    response = post_raw(sandbox, json.dumps(EXAMPLE), headers={"Authorization": API_KEY})
    assert response.status_code == 401


TEN_DESTINATIONS = [{"number": "79990000000"}] * 10
LINE_1, LINE_2 = ("line_1",), ("line_2",)
NUMBER = ("line_1", "destinations", 0, "number")
TTS = ("line_2", "audio", "tts")
DURATION_RANGE = "invalid MakeCallbackRequest.Duration: value must be inside range [300, 3600]"
DESTINATIONS_COUNT = "invalid Line.Destinations: value must contain between 1 and 10 items"
BAD_NUMBER_CODE = "invalid value for uint64 field number_code"

INVALID = {
    "duration too short": (("duration",), 299, DURATION_RANGE),
    "duration too long": (("duration",), 3601, DURATION_RANGE),
    "no destinations": (
        (*LINE_1, "destinations"),
        [],
        "invalid MakeCallbackRequest.Line_1: embedded message failed validation"
        " | caused by: invalid Line.Destinations: value must contain between 1 and 10 items",
    ),
    "destinations left out": ((*LINE_2, "destinations"), DROP, DESTINATIONS_COUNT),
    "11 destinations": (
        (*LINE_1, "destinations"),
        [*TEN_DESTINATIONS, {"number": "79990000001"}],
        DESTINATIONS_COUNT,
    ),
    "timeout 9": (
        (*LINE_1, "destinations", 1, "timeout"),
        9,
        "invalid MakeCallbackRequest.Line_1: embedded message failed validation | caused by: "
        "invalid Line.Destinations[1]: embedded message failed validation | caused by: "
        "invalid Destination.Timeout: value must be inside range [10, 600]",
    ),
    "timeout 601": ((*LINE_1, "destinations", 0, "timeout"), 601, "invalid Destination.Timeout:"),
    "ring_logic 3": ((*LINE_1, "ring_logic"), 3, "invalid Line.RingLogic:"),
    "media and tts together": (
        (*LINE_1, "audio", "tts"),
        {"text": "hi"},
        'error parsing "tts", oneof Audio.source is already set',
    ),
    "empty audio": ((*LINE_1, "audio"), {}, "invalid Audio.Source: value is required"),
    "media_resource_id 0": (
        (*LINE_1, "audio", "media_resource_id"),
        0,
        "invalid Audio.MediaResourceId:",
    ),
    "voice 6": ((*TTS, "voice"), 6, "invalid Tts.Voice:"),
    "lang 3": ((*TTS, "lang"), 3, "invalid Tts.Lang:"),
    "emotion 4": ((*TTS, "emotion"), 4, "invalid Tts.Emotion:"),
    "volume 1": ((*TTS, "volume"), 1, "invalid Tts.Volume: value must be inside range [-149, 0]"),
    "volume -150": ((*TTS, "volume"), -150, "invalid Tts.Volume:"),
    "speed 3.1": ((*TTS, "speed"), 3.1, "invalid Tts.Speed: value must be inside range"),
    "speed 0": ((*TTS, "speed"), 0, "invalid Tts.Speed:"),
    "provider 2": ((*TTS, "provider"), "2", "invalid Tts.Provider:"),
    "empty tts text": ((*TTS, "text"), "", "invalid Tts.Text: value length must be at least 1"),
    "tts text left out": ((*TTS, "text"), DROP, "invalid Tts.Text:"),
    "unknown top-level field": (("colour",), "red", 'proto: unknown field "colour"'),
    "unknown nested field": (
        (*LINE_1, "destinations", 0, "priority"),
        1,
        'proto: unknown field "priority"',
    ),
    "number_code left out": (("number_code",), DROP, "invalid MakeCallbackRequest.NumberCode:"),
    "number_code 0": (("number_code",), 0, "invalid MakeCallbackRequest.NumberCode:"),
    "number_code negative": (("number_code",), -1, BAD_NUMBER_CODE),
    "number_code as string": (("number_code",), "74999999999", BAD_NUMBER_CODE),
    "number_code as bool": (("number_code",), True, BAD_NUMBER_CODE),
    "callback_resource_id as float": (
        ("callback_resource_id",),
        1221.0,
        "field callback_resource_id",
    ),
    "line_2 left out": (LINE_2, DROP, "invalid MakeCallbackRequest.Line_2: value is required"),
    "line_1 not an object": (LINE_1, [], "invalid value for Line field line_1"),
    "formatted number": (NUMBER, "+7 812 999-99-99", "invalid Destination.Number:"),
    "too short number": (NUMBER, "1234567", "invalid Destination.Number:"),
    "empty number": (NUMBER, "", "invalid Destination.Number:"),
    "sip without host": (NUMBER, "sip:alice", "invalid Destination.Number:"),
    "request_description not a string": (
        ("request_description",),
        5,
        "invalid value for string field",
    ),
}


@pytest.mark.parametrize(("path", "value", "message"), INVALID.values(), ids=INVALID.keys())
def test_each_rule_violation_is_a_400_naming_the_field(sandbox, path, value, message):
    response = call(sandbox, example_with(path, value))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 3
    assert body["details"] == []
    assert message in body["message"]


VALID = {
    "duration bounds": (("duration",), 300),
    "sip destination": (NUMBER, "sip:operator@pbx.example.ru"),
    "sips destination with port": (NUMBER, "sips:100@10.0.0.1:5061"),
    "ten destinations": ((*LINE_1, "destinations"), TEN_DESTINATIONS),
    "timeout bounds": ((*LINE_1, "destinations", 0, "timeout"), 600),
    "provider as string": ((*TTS, "provider"), "1"),
    "integer speed": ((*TTS, "speed"), 3),
    "volume bounds": ((*TTS, "volume"), -149),
    "no audio": ((*LINE_1, "audio"), DROP),
    "null means not set": (("duration",), None),
    "display number": ((*LINE_1, "display_number"), "74999999999"),
}


@pytest.mark.parametrize(("path", "value"), VALID.values(), ids=VALID.keys())
def test_valid_variations_pass_validation(path, value):
    assert validate_make_callback(example_with(path, value)) is None


@pytest.mark.parametrize("raw", [b"not json", b"", b'{"number_code": NaN}', b"[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_a_400(sandbox, raw):
    response = post_raw(sandbox, raw)
    assert response.status_code == 400
    assert response.json()["code"] == 3
    assert response.json()["message"].startswith("proto: syntax error")


def test_an_unknown_path_is_a_404(sandbox):
    response = requests.post(f"{sandbox.url}/call/v1/MakeCallbackk", json=EXAMPLE, timeout=5)
    assert response.status_code == 404
    assert requests.get(f"{sandbox.url}/", timeout=5).status_code == 404


def test_other_methods_on_make_callback_are_a_405(sandbox):
    for method in ("GET", "PUT", "PATCH", "DELETE", "HEAD"):
        response = requests.request(method, f"{sandbox.url}{PATH}", headers=AUTH, timeout=5)
        assert response.status_code == 405, method
        assert response.headers["Allow"] == "POST"


# --- control API ------------------------------------------------------------------------------


def test_scripted_responses_are_served_in_order_then_normal_answers_resume(sandbox):
    script(
        sandbox,
        {"status": 500, "body": {"code": 13, "message": "internal error", "details": []}},
        {"status": 500, "body": "upstream exploded"},
        {"status": 200},
    )
    first, second, third, fourth = (call(sandbox, EXAMPLE) for _ in range(4))
    assert (first.status_code, first.json()["message"]) == (500, "internal error")
    assert (second.status_code, second.text) == (500, "upstream exploded")
    assert second.headers["Content-Type"].startswith("text/plain")
    assert third.status_code == 200
    assert CALL_ID.match(third.json()["call_id"])
    assert fourth.status_code == 200
    assert fourth.json()["call_id"] != third.json()["call_id"]


def test_a_scripted_response_skips_validation_and_waits_for_an_authorised_request(sandbox):
    script(sandbox, {"status": 200, "body": {"call_id": "cal-fixed"}})
    assert call(sandbox, EXAMPLE, key="wrong").status_code == 401
    response = call(sandbox, {"anything": "goes"})
    assert response.json() == {"call_id": "cal-fixed"}
    assert logged(sandbox)[-1]["call_id"] == "cal-fixed"


def test_a_scripted_retry_after_header_is_sent(sandbox):
    busy = {"code": 8, "message": "too many requests", "details": []}
    script(sandbox, {"status": 429, "body": busy, "headers": {"Retry-After": "3"}})
    response = call(sandbox, EXAMPLE)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"responses": "x"},
        {"responses": [{"status": 99}]},
        {"responses": [{"colour": 1}]},
        {"responses": [{"headers": {"X": "a\r\nb"}}]},
    ],
)
def test_a_malformed_script_is_refused(sandbox, payload):
    assert (
        requests.post(f"{sandbox.url}/_sandbox/script", json=payload, timeout=5).status_code == 400
    )


def test_the_request_log_records_bodies_but_never_the_key(sandbox):
    ok = call(sandbox, EXAMPLE)
    call(sandbox, example_with(("duration",), 1), key="wrong")
    call(sandbox, example_with(("duration",), 1))
    post_raw(sandbox, b"garbage")

    response = requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5)
    entries = response.json()["requests"]
    assert [entry["status"] for entry in entries] == [200, 401, 400, 400]
    assert entries[0]["body"] == EXAMPLE
    assert entries[0]["call_id"] == ok.json()["call_id"]
    assert entries[0]["response"] == ok.json()
    assert entries[1]["response"]["message"] == "malformed token"
    assert entries[2]["call_id"] is None
    assert entries[3]["body"] == "garbage"
    assert all(re.match(r"^\d{4}-\d\d-\d\dT", entry["received_at"]) for entry in entries)
    assert API_KEY not in response.text
    assert "authorization" not in response.text.lower()


def test_reset_clears_the_log_scripts_and_config(sandbox):
    call(sandbox, EXAMPLE)
    script(sandbox, {"status": 500})
    configure(sandbox, fail_rate=1.0)
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
    assert logged(sandbox) == []
    assert call(sandbox, EXAMPLE).status_code == 200


def test_config_delay_ms_delays_every_answer(sandbox):
    assert configure(sandbox, delay_ms=150).json()["config"]["delay_ms"] == 150
    started = time.monotonic()
    assert call(sandbox, EXAMPLE).status_code == 200
    assert time.monotonic() - started >= 0.15


def test_a_scripted_delay_ms_delays_that_answer(sandbox):
    script(sandbox, {"status": 504, "delay_ms": 150})
    started = time.monotonic()
    assert call(sandbox, EXAMPLE).status_code == 504
    assert time.monotonic() - started >= 0.15


def test_fail_rate_gives_transient_failures_that_a_seed_repeats(sandbox):
    configure(sandbox, fail_rate=1.0, fail_status=502)
    response = call(sandbox, EXAMPLE)
    assert response.status_code == 502
    assert response.json()["code"] == 14

    def statuses():
        configure(sandbox, fail_rate=0.5, fail_status=503, seed=7)
        return [call(sandbox, EXAMPLE).status_code for _ in range(12)]

    first = statuses()
    assert set(first) == {200, 503}
    assert statuses() == first


@pytest.mark.parametrize(
    "options",
    [
        {"delay_ms": -1},
        {"fail_rate": 1.5},
        {"fail_status": "503"},
        {"seed": 1.5},
        {"colour": 1},
        [],
    ],
)
def test_a_malformed_config_is_refused(sandbox, options):
    assert (
        requests.post(f"{sandbox.url}/_sandbox/config", json=options, timeout=5).status_code == 400
    )


# --- the server itself ------------------------------------------------------------------------


def test_keep_alive_serves_many_requests_over_one_connection(sandbox):
    """How fast (one write per answer, so no delayed-ACK stall) is for the throughput benchmark
    to show; a test on a busy machine checks the connection is kept."""
    bodies = [EXAMPLE if i % 3 else example_with(("duration",), 1) for i in range(60)]
    with requests.Session() as session:
        session.headers.update(AUTH)
        statuses = [
            session.post(f"{sandbox.url}{PATH}", json=body, timeout=5).status_code
            for body in bodies
        ]
        session.get(f"{sandbox.url}/nowhere", timeout=5)
        pools = session.get_adapter(sandbox.url).poolmanager.pools
        opened = sum(pools[key].num_connections for key in pools.keys())
    assert statuses.count(200) == 40
    assert statuses.count(400) == 20
    assert opened == 1


def test_leaving_running_sandbox_stops_the_server_and_its_connections():
    with running_sandbox(API_KEY) as sandbox, requests.Session() as session:
        url = f"{sandbox.url}{PATH}"
        assert session.post(url, json=EXAMPLE, headers=AUTH, timeout=5).ok
    with pytest.raises(requests.ConnectionError):
        session.post(url, json=EXAMPLE, timeout=2)


def test_the_server_refuses_to_start_without_a_key():
    with pytest.raises(ValueError, match="needs an API key"):
        with running_sandbox(""):
            pass


def run_module(*args, env_key=None):
    env = {k: v for k, v in os.environ.items() if k != "EXOLVE_API_KEY"}
    if env_key:
        env["EXOLVE_API_KEY"] = env_key
    return subprocess.Popen(
        [sys.executable, "-m", "exolve_sandbox", *args],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_command_refuses_to_start_without_a_key():
    process = run_module("--port", "0")
    _, stderr = process.communicate(timeout=10)
    assert process.returncode != 0
    assert "EXOLVE_API_KEY" in stderr


def test_the_command_serves_until_sigterm():
    process = run_module("--port", "0", env_key=API_KEY)
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"Exolve sandbox listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        response = requests.post(f"{match[1]}{PATH}", json=EXAMPLE, headers=AUTH, timeout=5)
        assert CALL_ID.match(response.json()["call_id"])
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0
    assert API_KEY not in stderr


def test_call_ids_are_uuid4_based(sandbox):
    call_id = call(sandbox, EXAMPLE).json()["call_id"]
    assert uuid.UUID(call_id[3:]).version == 4
