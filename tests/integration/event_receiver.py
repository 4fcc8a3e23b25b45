"""The sandbox's Callback Call Events in tests: a small local receiver standing in for the app's
event URL, a sandbox sending to it, and helpers to place a call and read what it sent."""

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.examples import EXAMPLE
from tests.helpers import wait_for
from tests.integration.sandbox_client import API_KEY, PATH, configure

WAIT = 5  # seconds: the longest any event may take to arrive

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


@pytest.fixture
def sandbox(server, receiver):  # server: sandbox_client's, bound with this one in each module
    """A clean sandbox sending events to a clean receiver, with no delay before them."""
    requests.post(f"{server.url}/_sandbox/reset", timeout=5).raise_for_status()
    receiver.clear()
    configure(server, events_url=receiver.url, events_delay_ms=0).raise_for_status()
    return server


# --- helpers ---------------------------------------------------------------------------------


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
