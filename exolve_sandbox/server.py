"""A local stand-in for the MTS Exolve MakeCallback API (POST /call/v1/MakeCallback).

It answers the way the provider's MakeCallback page describes: 401 "malformed token" for a
missing or wrong key, 400 with a gRPC-gateway style body for an invalid request, and
200 {"call_id": "cal<uuid>"} otherwise. A control API under /_sandbox/ lets tests script
answers, add latency and random failures, and read back what was received. Given an events URL,
it also POSTs Exolve's Callback Call Events for each call it accepts (see events.py).
"""

import hmac
import json
import logging
import random
import re
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from exolve_sandbox.events import SCENARIOS, EventSender, Job, call_events, is_events_url

logger = logging.getLogger(__name__)

MAKE_CALLBACK_PATH = "/call/v1/MakeCallback"
MAX_LOGGED_REQUESTS = 10_000
MAX_LOGGED_EVENTS = 10_000
UNAUTHORIZED_BODY = {"code": 16, "message": "malformed token", "details": []}
INVALID_ARGUMENT = 3  # the gRPC status code Exolve puts in every 400 body
UNAVAILABLE = 14
EMBEDDED_FAILED = "embedded message failed validation"


# --- request validation ----------------------------------------------------------------------
#
# The provider parses the body as protobuf JSON (unknown fields and wrong types are refused with
# a "proto: ..." message) and then runs protoc-gen-validate rules, whose messages name the field
# by its Go name and wrap nested failures as "embedded message failed validation | caused by".


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return _is_int(value) or isinstance(value, float)


# What protobuf JSON parsing accepts for each scalar kind.
ACCEPTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "uint64": lambda v: _is_int(v) and 0 <= v < 2**64,
    "uint32": lambda v: _is_int(v) and 0 <= v < 2**32,
    "int32": lambda v: _is_int(v) and -(2**31) <= v < 2**31,
    "enum": lambda v: _is_int(v) and -(2**31) <= v < 2**31,
    "double": _is_number,
    # The page types Tts.provider as a string, but its own example sends the number 1.
    "provider": lambda v: isinstance(v, str) or _is_int(v),
}

DIAL_NUMBER = re.compile(r"^([0-9]{8,15}|sips?:[^@\s]+@[^@\s]+)$", re.IGNORECASE)


def between(low, high):
    def rule(value):
        if not low <= value <= high:
            return f"value must be inside range [{low}, {high}]"

    return rule


def one_of(*allowed):
    def rule(value):
        if value not in allowed:
            return "value must be one of the defined enum values"

    return rule


def positive(value):
    if value <= 0:
        return "value must be greater than 0"


def non_empty(value):
    if not value:
        return "value length must be at least 1 runes"


def dial_number(value):
    return non_empty(value) or (
        None
        if DIAL_NUMBER.match(value)
        else "value must be international digits (8 to 15 of them) or a SIP-URI like sip:user@host"
    )


def tts_provider(value):
    if str(value) != "1":
        return "value must be in list [1]"


class Field(NamedTuple):
    name: str
    kind: str  # a key of ACCEPTS, or of MESSAGES for an embedded message
    required: bool = False
    rule: Callable[[Any], str | None] | None = None
    items: tuple[int, int] | None = None  # for a list: (fewest, most) items allowed


class Message(NamedTuple):
    fields: tuple[Field, ...]
    oneof: tuple[str, ...] = ()  # field names of which exactly one must be set


MESSAGES = {
    "MakeCallbackRequest": Message(
        (
            Field("request_description", "string"),
            Field("number_code", "uint64", required=True, rule=positive),
            Field("callback_resource_id", "uint64", required=True, rule=positive),
            Field("duration", "uint32", rule=between(300, 3600)),
            Field("line_1", "Line", required=True),
            Field("line_2", "Line", required=True),
        )
    ),
    "Line": Message(
        (
            Field("destinations", "Destination", items=(1, 10)),
            Field("ring_logic", "enum", rule=one_of(1, 2)),
            Field("display_number", "string"),
            Field("audio", "Audio"),
        )
    ),
    "Destination": Message(
        (
            Field("number", "string", required=True, rule=dial_number),
            Field("timeout", "uint32", rule=between(10, 600)),
        )
    ),
    "Audio": Message(
        (Field("media_resource_id", "uint64", rule=positive), Field("tts", "Tts")),
        oneof=("media_resource_id", "tts"),
    ),
    "Tts": Message(
        (
            Field("text", "string", required=True, rule=non_empty),
            Field("voice", "enum", rule=one_of(1, 2, 3, 4, 5)),
            Field("lang", "enum", rule=one_of(1, 2)),
            Field("volume", "int32", rule=between(-149, 0)),
            Field("speed", "double", rule=between(0.1, 3.0)),
            Field("emotion", "enum", rule=one_of(1, 2, 3)),
            Field("provider", "provider", rule=tts_provider),
        )
    ),
}


class _ParseError(Exception):
    """The body is not a well-formed MakeCallbackRequest (reported as is, never wrapped)."""


class _Invalid(Exception):
    """A validation rule failed (wrapped by each enclosing message)."""


def _go_name(name):
    # protoc-gen-go: number_code -> NumberCode, line_1 -> Line_1
    first, *rest = name.split("_")
    return first.capitalize() + "".join(
        ("_" + p) if p[:1].isdigit() else p.capitalize() for p in rest
    )


def _check_message(message_name, obj):
    message = MESSAGES[message_name]
    known = {field.name for field in message.fields}
    for key in obj:
        if key not in known:
            raise _ParseError(f'proto: unknown field "{key}"')
    chosen = [name for name in message.oneof if obj.get(name) is not None]
    if len(chosen) > 1:
        raise _ParseError(
            f'proto: error parsing "{chosen[1]}", oneof {message_name}.source is already set'
        )
    for field in message.fields:
        _check_field(message_name, field, obj.get(field.name))
    if message.oneof and not chosen:
        raise _Invalid(f"invalid {message_name}.Source: value is required")


def _check_field(message_name, field, value):
    label = f"{message_name}.{_go_name(field.name)}"
    if field.items:
        _check_list(label, field, [] if value is None else value)
        return
    if value is None:  # JSON null means "not set", as in protobuf JSON
        if not field.required:
            return
        if field.kind in MESSAGES:
            raise _Invalid(f"invalid {label}: value is required")
        value = "" if field.kind == "string" else 0  # proto3 default, which then fails its rule
    _check_value(label, field, value)


def _check_list(label, field, items):
    if not isinstance(items, list):
        raise _bad_value(field, items)
    fewest, most = field.items
    if not fewest <= len(items) <= most:
        raise _Invalid(f"invalid {label}: value must contain between {fewest} and {most} items")
    for index, item in enumerate(items):
        _check_value(f"{label}[{index}]", field, item)


def _check_value(label, field, value):
    if field.kind in MESSAGES:
        if not isinstance(value, dict):
            raise _bad_value(field, value)
        try:
            _check_message(field.kind, value)
        except _Invalid as error:
            raise _Invalid(f"invalid {label}: {EMBEDDED_FAILED} | caused by: {error}") from None
        return
    if not ACCEPTS[field.kind](value):
        raise _bad_value(field, value)
    problem = field.rule(value) if field.rule else None
    if problem:
        raise _Invalid(f"invalid {label}: {problem}")


def _bad_value(field, value):
    return _ParseError(f"proto: invalid value for {field.kind} field {field.name}: {_json(value)}")


def _json(value):
    return json.dumps(value, ensure_ascii=False)


def validate_make_callback(body):
    """Return why Exolve would refuse this parsed MakeCallback body, or None if it is valid."""
    if not isinstance(body, dict):
        return f"proto: syntax error: expected a JSON object, got {_json(body)}"
    try:
        _check_message("MakeCallbackRequest", body)
    except (_ParseError, _Invalid) as error:
        return str(error)
    return None


def error_body(code, message):
    return {"code": code, "message": message, "details": []}


def new_call_id():
    return f"cal{uuid.uuid4()}"


# --- control API input -------------------------------------------------------------------------


def _is_scenario(value):
    return isinstance(value, str) and value in SCENARIOS


CONFIG_OPTIONS = {
    "delay_ms": lambda v: _is_int(v) and v >= 0,
    "fail_rate": lambda v: _is_number(v) and 0 <= v <= 1,
    "fail_status": lambda v: _is_int(v) and 200 <= v <= 599,
    "seed": _is_int,
    "events_url": lambda v: v is None or is_events_url(v),
    "events_delay_ms": lambda v: _is_int(v) and v >= 0,
    "talk_ms": lambda v: _is_int(v) and v >= 0,
    "scenario": _is_scenario,
    "duplicate_events": lambda v: isinstance(v, bool),
    "shuffle_events": lambda v: isinstance(v, bool),
}

SCRIPT_OPTIONS = {
    "status": lambda v: _is_int(v) and 200 <= v <= 599,
    "body": lambda v: True,
    "delay_ms": lambda v: _is_int(v) and v >= 0,
    "headers": lambda v: (
        isinstance(v, dict)
        and all(
            isinstance(k, str) and isinstance(x, str) and not set("\r\n") & set(k + x)
            for k, x in v.items()
        )
    ),
}

DEFAULT_CONFIG = {
    "delay_ms": 0,
    "fail_rate": 0.0,
    "fail_status": 503,
    "events_url": None,  # events are off until a URL is given
    "events_delay_ms": 200,
    "talk_ms": 3000,
    "scenario": "connected",
    "duplicate_events": False,
    "shuffle_events": False,
}


def _options_error(obj, options):
    if not isinstance(obj, dict):
        return "expected a JSON object"
    for key, value in obj.items():
        if key not in options:
            return f"unknown option {key!r}; allowed: {sorted(options)}"
        if not options[key](value):
            return f"bad value for {key!r}: {_json(value)}"
    return None


def _script_error(payload):
    if not isinstance(payload, dict) or not isinstance(payload.get("responses"), list):
        return 'expected {"responses": [...]}'
    for response in payload["responses"]:
        problem = _options_error(response, SCRIPT_OPTIONS)
        if problem:
            return problem
    return None


def _scenarios_error(payload):
    if not isinstance(payload, dict) or not isinstance(payload.get("scenarios"), list):
        return 'expected {"scenarios": [...]}'
    for name in payload["scenarios"]:
        if not _is_scenario(name):
            return f"unknown scenario {_json(name)}; allowed: {sorted(SCENARIOS)}"
    return None


# --- shared state ------------------------------------------------------------------------------


class SandboxState:
    """Scripted answers, simulated latency/failures, call events and the logs, behind one lock."""

    def __init__(self, events_url=None):
        self._lock = threading.Lock()
        self._defaults = {**DEFAULT_CONFIG, "events_url": events_url}
        self._generation = 0
        self.reset()

    def reset(self):
        with self._lock:
            self._script = deque()
            self._config = dict(self._defaults)
            self._random = random.Random()
            self._log = deque(maxlen=MAX_LOGGED_REQUESTS)
            self._scenarios = deque()
            self._events = deque(maxlen=MAX_LOGGED_EVENTS)
            self._failed_events = 0
            self._generation += 1

    def add_script(self, responses):
        with self._lock:
            self._script.extend(responses)
            return len(self._script)

    def next_scripted(self):
        with self._lock:
            return self._script.popleft() if self._script else None

    def configure(self, options):
        with self._lock:
            if "seed" in options:
                self._random.seed(options["seed"])
            self._config.update({k: v for k, v in options.items() if k != "seed"})
            return dict(self._config)

    def delay_seconds(self):
        with self._lock:
            return self._config["delay_ms"] / 1000

    def simulated_failure(self):
        """The status of a random transient failure for this request, or None."""
        with self._lock:
            if self._config["fail_rate"] and self._random.random() < self._config["fail_rate"]:
                return self._config["fail_status"]
            return None

    def record(self, entry):
        with self._lock:
            self._log.append(entry)

    def requests(self):
        with self._lock:
            return list(self._log)

    def add_scenarios(self, names):
        with self._lock:
            self._scenarios.extend(names)
            return len(self._scenarios)

    def events_job(self, call_id, body):
        """The events to send for a call accepted just now, or None while events are off."""
        with self._lock:
            config = self._config
            if not config["events_url"]:
                return None
            scenario = self._scenarios.popleft() if self._scenarios else config["scenario"]
            delay = config["events_delay_ms"] / 1000
            dialled_at = datetime.now(UTC) + timedelta(seconds=delay)
            events = call_events(call_id, body, scenario, config["talk_ms"], dialled_at)
            if config["duplicate_events"]:
                events = [event for event in events for _ in range(2)]
            if config["shuffle_events"]:
                self._random.shuffle(events)
            return Job(time.monotonic() + delay, config["events_url"], self._generation, events)

    def is_current(self, generation):
        with self._lock:
            return generation == self._generation

    def record_event(self, generation, entry):
        with self._lock:
            if generation != self._generation:  # sent for a job queued before a reset
                return
            self._events.append(entry)
            if entry["error"]:
                self._failed_events += 1

    def events(self):
        with self._lock:
            return {"events": list(self._events), "failed": self._failed_events}


# --- HTTP --------------------------------------------------------------------------------------


class Reply(NamedTuple):
    status: int
    body: Any = None  # dict/list -> JSON, str -> text/plain, None -> empty
    headers: dict | None = None


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ExolveSandbox/1.0"

    def do_POST(self):
        self._dispatch("POST")

    def do_GET(self):
        self._dispatch("GET")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def _dispatch(self, method):
        length = self._body_length()
        if length is None:
            # We cannot tell where this body ends, so nothing more can be read from this connection.
            self.close_connection = True
            body = error_body(INVALID_ARGUMENT, "Content-Length required")
            self._send(Reply(411, body, {"Connection": "close"}))
            return
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        if path == MAKE_CALLBACK_PATH:
            if method == "POST":
                self._make_callback(raw)
            else:
                self._send(Reply(405, error_body(12, "method not allowed"), {"Allow": "POST"}))
            return
        handler = CONTROL_ROUTES.get((method, path))
        self._send(handler(self.server.state, raw) if handler else Reply(404, {}))

    def _body_length(self):
        """The request body's length, or None if it is chunked or the header is garbage."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        return length if length >= 0 else None

    def _make_callback(self, raw):
        state = self.server.state
        time.sleep(state.delay_seconds())
        body, reply = self._answer_make_callback(state, raw)
        if reply.status == 200 and reply.body is None:
            reply = reply._replace(body={"call_id": new_call_id()})
        call_id = reply.body.get("call_id") if isinstance(reply.body, dict) else None
        state.record(
            {
                "received_at": datetime.now(UTC).isoformat(),
                "body": body,
                "status": reply.status,
                "call_id": call_id,
                "response": reply.body,
            }
        )
        if reply.status == 200 and isinstance(call_id, str):
            self._schedule_events(state, call_id, body)
        self._send(reply)

    def _schedule_events(self, state, call_id, body):
        # A scripted 200 may answer a body that names no numbers to call: there is no call to report.
        if validate_make_callback(body) is not None:
            return
        job = state.events_job(call_id, body)
        if job:
            self.server.events.schedule(job)

    def _answer_make_callback(self, state, raw):
        """Return the body as logged (parsed JSON, or the raw text) and the reply to send."""
        body, syntax_error = _parse_json(raw)
        if not self._authorised():
            return body, Reply(401, UNAUTHORIZED_BODY)
        scripted = state.next_scripted()
        if scripted:
            time.sleep(scripted.get("delay_ms", 0) / 1000)
            reply = Reply(
                scripted.get("status", 200), scripted.get("body"), scripted.get("headers")
            )
            return body, reply
        failure = state.simulated_failure()
        if failure:
            return body, Reply(
                failure, error_body(UNAVAILABLE, "sandbox: simulated transient failure")
            )
        problem = syntax_error or validate_make_callback(body)
        if problem:
            return body, Reply(400, error_body(INVALID_ARGUMENT, problem))
        return body, Reply(200)

    def _authorised(self):
        scheme, _, key = self.headers.get("Authorization", "").partition(" ")
        expected = self.server.api_key.encode()
        return scheme.lower() == "bearer" and hmac.compare_digest(key.strip().encode(), expected)

    def _send(self, reply):
        if isinstance(reply.body, str):
            payload, content_type = reply.body.encode(), "text/plain; charset=utf-8"
        elif reply.body is None:
            payload, content_type = b"", "application/json"
        else:
            payload, content_type = _json(reply.body).encode(), "application/json"
        try:
            phrase = HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = ""
        # A scripted response may replace Content-Type, but never the length we actually send.
        custom = {k: v for k, v in (reply.headers or {}).items() if k.lower() != "content-length"}
        replaced = {name.lower() for name in custom}
        defaults = {
            "Server": self.version_string(),
            "Date": self.date_time_string(),
            "Content-Type": content_type,
        }
        headers = {k: v for k, v in defaults.items() if k.lower() not in replaced}
        headers.update(custom)
        headers["Content-Length"] = str(len(payload))
        head = f"{self.protocol_version} {reply.status} {phrase}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        # One write: separate header/body writes meet delayed ACKs and stall keep-alive clients.
        self.wfile.write(head.encode("latin-1") + (b"" if self.command == "HEAD" else payload))
        self.log_request(reply.status)

    def log_message(self, format, *args):
        logger.debug("%s - %s", self.address_string(), format % args)


def _parse_json(raw):
    """Return (parsed body or raw text, syntax error message or None)."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text, parse_constant=_refuse_constant), None
    except ValueError as error:
        return text, f"proto: syntax error: {error}"


def _refuse_constant(name):
    raise ValueError(f"invalid value {name}")  # NaN and Infinity are not JSON


def _control_json(raw):
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return None


def _control_script(state, raw):
    payload = _control_json(raw)
    problem = _script_error(payload)
    if problem:
        return Reply(400, {"error": problem})
    return Reply(200, {"queued": state.add_script(payload["responses"])})


def _control_config(state, raw):
    options = _control_json(raw)
    problem = _options_error(options, CONFIG_OPTIONS)
    if problem:
        return Reply(400, {"error": problem})
    return Reply(200, {"config": state.configure(options)})


def _control_reset(state, raw):
    state.reset()
    return Reply(200, {"reset": True})


def _control_requests(state, raw):
    return Reply(200, {"requests": state.requests()})


def _control_events_script(state, raw):
    payload = _control_json(raw)
    problem = _scenarios_error(payload)
    if problem:
        return Reply(400, {"error": problem})
    return Reply(200, {"queued": state.add_scenarios(payload["scenarios"])})


def _control_events(state, raw):
    return Reply(200, state.events())


CONTROL_ROUTES = {
    ("POST", "/_sandbox/script"): _control_script,
    ("POST", "/_sandbox/config"): _control_config,
    ("POST", "/_sandbox/reset"): _control_reset,
    ("GET", "/_sandbox/requests"): _control_requests,
    ("POST", "/_sandbox/events/script"): _control_events_script,
    ("GET", "/_sandbox/events"): _control_events,
}


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # A worker's 50 threads connect at once; the default backlog of 5 resets some of them.
    request_queue_size = 128

    def __init__(self, address, api_key, events_url=None):
        if not api_key:
            raise ValueError("the Exolve sandbox needs an API key to check requests against")
        if events_url is not None and not is_events_url(events_url):
            raise ValueError("the events URL must be an http:// or https:// URL")
        self.api_key = api_key
        self.state = SandboxState(events_url)
        self.events = EventSender(self.state)
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SandboxHandler)

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def get_request(self):
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._connections_lock:
            self._connections.add(sock)
        return sock, address

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self):
        # Handler threads otherwise keep serving idle keep-alive connections after the close.
        super().server_close()
        with self._connections_lock:
            connections = list(self._connections)
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.events.stop()

    def handle_error(self, request, client_address):
        if isinstance(
            sys.exc_info()[1], ConnectionError
        ):  # the client went away; nothing to report
            logger.debug("connection from %s dropped", client_address)
        else:
            logger.exception("error while handling a request from %s", client_address)


def make_server(host="127.0.0.1", port=0, api_key=None, events_url=None):
    return SandboxServer((host, port), api_key, events_url)


@contextmanager
def running_sandbox(api_key, host="127.0.0.1", port=0, events_url=None):
    """Serve a sandbox from a daemon thread for the duration of the block."""
    server = make_server(host, port, api_key, events_url)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="exolve-sandbox",
        daemon=True,
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
