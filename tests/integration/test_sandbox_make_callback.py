"""The sandbox's MakeCallback, over real HTTP: what it accepts, the 400 naming each broken rule,
and its 401, 404 and 405 answers."""

import json
import uuid

import pytest
import requests

from exolve_sandbox import validate_make_callback
from tests.examples import DROP, EXAMPLE, example_with
from tests.integration import sandbox_client
from tests.integration.sandbox_client import API_KEY, AUTH, CALL_ID, PATH, call, post_raw

# The shared fixtures, bound here so that pytest finds them for this module.
server, sandbox = sandbox_client.server, sandbox_client.sandbox


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


def test_call_ids_are_uuid4_based(sandbox):
    call_id = call(sandbox, EXAMPLE).json()["call_id"]
    assert uuid.UUID(call_id[3:]).version == 4
