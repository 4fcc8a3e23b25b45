"""The sandbox's control API (/_sandbox/...): scripted answers, the request log, reset, and the
config's delays and transient failures."""

import re
import time

import pytest
import requests

from tests.examples import EXAMPLE, example_with
from tests.integration import sandbox_client
from tests.integration.sandbox_client import (
    API_KEY,
    CALL_ID,
    call,
    configure,
    logged,
    post_raw,
    script,
)

# The shared fixtures, bound here so that pytest finds them for this module.
server, sandbox = sandbox_client.server, sandbox_client.sandbox


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
