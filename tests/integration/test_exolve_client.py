"""The Exolve client: its reading of every kind of answer, over mocks and over real HTTP."""

import json
import socket
import threading
from unittest import mock

import pytest
import requests

from callbacks.exolve import ExolveClient, get_client, parse_retry_after, read_answer
from tests.helpers import free_port, wait_for

KEY = "client-test-key"


def fake_response(status, body="", headers=None):
    response = requests.Response()
    response.status_code = status
    response._content = (json.dumps(body) if isinstance(body, dict) else body).encode()
    response.headers.update(headers or {})
    response.reason = "Reason"
    return response


# --- reading answers (no network) -------------------------------------------------------


def test_200_with_call_id_is_placed():
    answer = read_answer(fake_response(200, {"call_id": "cal71bd36ce-2f5c-4d25-8319-406214596b72"}))
    assert (answer.result, answer.call_id, answer.error) == (
        "placed",
        "cal71bd36ce-2f5c-4d25-8319-406214596b72",
        "",
    )


@pytest.mark.parametrize(
    "body",
    ["not json", {"call_id": None}, {"call_id": ""}, {"call_id": 42}, {"call_id": "c" * 101}],
)
def test_200_without_a_usable_call_id_is_unknown_and_says_the_call_may_exist(body):
    answer = read_answer(fake_response(200, body))
    assert answer.result == "unknown"
    assert answer.call_id == ""
    assert "the call may have been placed" in answer.error


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_final_statuses_keep_exolves_message(status):
    answer = read_answer(
        fake_response(status, {"code": 3, "message": "customer not active", "details": []})
    )
    assert answer.result == "rejected"
    assert answer.error == f"HTTP {status}: customer not active"


def test_plain_text_error_body_is_kept():
    answer = read_answer(fake_response(401, "malformed token"))
    assert answer.error == "HTTP 401: malformed token"


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_mean_not_processed_and_are_transient(status):
    answer = read_answer(fake_response(status, "", {"Retry-After": "7"}))
    assert answer.result == "transient"
    assert answer.retry_after == 7.0


@pytest.mark.parametrize("status", [500, 502, 504, 507])
def test_other_5xx_may_have_placed_the_call_and_are_unknown(status):
    answer = read_answer(fake_response(status, {"message": "internal"}, {"Retry-After": "7"}))
    assert answer.result == "unknown"
    assert (
        answer.error == f"HTTP {status}: internal — the call may have been placed. "
        "Check Exolve before calling again."
    )


def test_response_body_and_error_are_truncated_to_the_setting(settings):
    settings.EXOLVE_RESPONSE_BODY_LIMIT = 100
    answer = read_answer(fake_response(400, {"message": "x" * 5000}))
    assert len(answer.response_body) == 100
    assert len(answer.error) == 100


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("²", None),
        ("-5", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 -0000", 0.0),
    ],
)
def test_retry_after_forms(value, expected):
    assert parse_retry_after(value) == expected


def test_retry_after_as_a_future_date():
    from email.utils import format_datetime

    from django.utils import timezone

    when = format_datetime(timezone.now() + timezone.timedelta(seconds=90), usegmt=True)
    assert 85 <= parse_retry_after(when) <= 90


def test_connection_refused_sent_nothing_so_it_is_transient():
    client = ExolveClient(f"http://127.0.0.1:{free_port()}", KEY, 1, 1)
    answer = client.make_callback({"x": 1})
    assert answer.result == "transient"
    assert answer.http_status is None
    assert answer.error == (
        "Network error: could not connect to Exolve (connection refused or DNS failure); "
        "nothing was sent."
    )


def test_an_unknown_host_sent_nothing_so_it_is_transient():
    answer = ExolveClient("http://exolve.invalid", KEY, 1, 1).make_callback({"x": 1})
    assert (answer.result, answer.http_status) == ("transient", None)


def test_a_connection_closed_after_the_body_was_sent_is_unknown():
    """The server reads the whole request and hangs up: Exolve may have acted on it."""
    server = socket.create_server(("127.0.0.1", 0))
    received = []

    def read_then_hang_up():
        connection, _ = server.accept()
        with connection:
            received.append(connection.recv(65536))

    thread = threading.Thread(target=read_then_hang_up)
    thread.start()
    try:
        answer = ExolveClient(
            f"http://127.0.0.1:{server.getsockname()[1]}", KEY, 1, 2
        ).make_callback({"x": 1})
    finally:
        thread.join(5)
        server.close()
    assert b"MakeCallback" in received[0]
    assert (answer.result, answer.http_status) == ("unknown", None)
    assert answer.error.startswith("The connection broke after the request was sent")
    assert answer.error.endswith("; the call may have been placed.")


def test_no_api_key_sends_nothing():
    client = ExolveClient("http://127.0.0.1:9", "", 1, 1)
    with mock.patch.object(requests.Session, "post") as post:
        answer = client.make_callback({})
    post.assert_not_called()
    assert answer.result == "rejected"
    assert "EXOLVE_API_KEY" in answer.error


def test_client_repr_does_not_show_the_key():
    assert KEY not in repr(ExolveClient("http://127.0.0.1:9", KEY, 1, 1))


def test_get_client_reads_settings(settings):
    from callbacks import exolve

    settings.EXOLVE_API_URL = "http://127.0.0.1:1234"
    exolve.reset_client()
    try:
        assert get_client().url == "http://127.0.0.1:1234/call/v1/MakeCallback"
        assert get_client().timeout == (
            settings.EXOLVE_CONNECT_TIMEOUT,
            settings.EXOLVE_READ_TIMEOUT,
        )
    finally:
        exolve.reset_client()


# --- over real HTTP, against the sandbox --------------------------------------------------


@pytest.fixture
def client(sandbox, settings):
    return ExolveClient(sandbox.url, settings.EXOLVE_API_KEY, 2, 2)


def test_sandbox_accepts_our_body_and_returns_a_call_id(client, sandbox):
    from tests.examples import example_body

    answer = client.make_callback(example_body())
    assert answer.result == "placed"
    assert answer.call_id.startswith("cal")
    (received,) = sandbox.received()
    assert received["body"] == example_body()
    assert received["call_id"] == answer.call_id


def test_wrong_key_is_a_final_401(sandbox):
    answer = ExolveClient(sandbox.url, "wrong-key", 2, 2).make_callback({})
    assert (answer.result, answer.http_status, answer.error) == (
        "rejected",
        401,
        "HTTP 401: malformed token",
    )


def test_invalid_body_is_a_final_400_with_exolves_reason(client):
    from tests.examples import example_body

    body = example_body()
    body["duration"] = 100
    answer = client.make_callback(body)
    assert (answer.result, answer.http_status) == ("rejected", 400)
    assert "Duration" in answer.error


def test_scripted_503_with_retry_after(client, sandbox):
    sandbox.script(
        {"status": 503, "body": {"message": "try later"}, "headers": {"Retry-After": "4"}}
    )
    answer = client.make_callback({})
    assert (answer.result, answer.http_status, answer.retry_after) == ("transient", 503, 4.0)
    assert answer.error == "HTTP 503: try later"


def test_a_read_timeout_is_unknown_never_transient(sandbox, settings):
    sandbox.script({"status": 200, "delay_ms": 1500})
    answer = ExolveClient(sandbox.url, settings.EXOLVE_API_KEY, 1, 0.3).make_callback({})
    assert wait_for(
        lambda: len(sandbox.received()) == 1, 5
    )  # the held request, logged before the next test
    assert answer.result == "unknown"
    assert (
        answer.error == "Exolve did not answer within 0.3 s after the request was sent; "
        "the call may have been placed."
    )


def test_the_session_keeps_one_connection_for_consecutive_requests(client, sandbox):
    from tests.examples import example_body

    sockets = []
    real_connect = socket.socket.connect

    def counting_connect(sock, address):
        sockets.append(address)
        return real_connect(sock, address)

    with mock.patch.object(socket.socket, "connect", counting_connect):
        for _ in range(3):
            assert client.make_callback(example_body()).result == "placed"
    assert len(sandbox.received()) == 3
    assert len(sockets) == 1
