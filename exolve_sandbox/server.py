"""A local stand-in for the MTS Exolve MakeCallback API (POST /call/v1/MakeCallback).

It answers the way the provider's MakeCallback page describes: 401 "malformed token" for a
missing or wrong key, 400 with a gRPC-gateway style body for an invalid request, and
200 {"call_id": "cal<uuid>"} otherwise. A control API under /_sandbox/ lets tests script
answers, add latency and random failures, and read back what was received. Given an events URL,
it also POSTs Exolve's Callback Call Events for each call it accepts (see events.py).

This module is the HTTP side: the server, its request handler, and running_sandbox(). The body
rules are in make_callback_rules.py, the control API in control_api.py, its state in state.py.
"""

import hmac
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from exolve_sandbox.control_api import CONTROL_ROUTES
from exolve_sandbox.events import EventSender, is_events_url
from exolve_sandbox.json_values import json_text
from exolve_sandbox.make_callback_rules import parse_json, validate_make_callback
from exolve_sandbox.replies import (
    INVALID_ARGUMENT,
    UNAUTHORIZED_BODY,
    UNAVAILABLE,
    Reply,
    error_body,
    new_call_id,
)
from exolve_sandbox.state import SandboxState

logger = logging.getLogger(__name__)

MAKE_CALLBACK_PATH = "/call/v1/MakeCallback"


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ExolveSandbox/1.0"
    server: "SandboxServer"

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _dispatch(self, method: str) -> None:
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

    def _body_length(self) -> int | None:
        """The request body's length, or None if it is chunked or the header is garbage."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        return length if length >= 0 else None

    def _make_callback(self, raw: bytes) -> None:
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

    def _schedule_events(self, state: SandboxState, call_id: str, body: Any) -> None:
        # A scripted 200 may answer a body naming no numbers to call: there is no call to report.
        if validate_make_callback(body) is not None:
            return
        job = state.events_job(call_id, body)
        if job:
            self.server.events.schedule(job)

    def _answer_make_callback(self, state: SandboxState, raw: bytes) -> tuple[Any, Reply]:
        """Return the body as logged (parsed JSON, or the raw text) and the reply to send."""
        body, syntax_error = parse_json(raw)
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

    def _authorised(self) -> bool:
        scheme, _, key = self.headers.get("Authorization", "").partition(" ")
        expected = self.server.api_key.encode()
        return scheme.lower() == "bearer" and hmac.compare_digest(key.strip().encode(), expected)

    def _send(self, reply: Reply) -> None:
        if isinstance(reply.body, str):
            payload, content_type = reply.body.encode(), "text/plain; charset=utf-8"
        elif reply.body is None:
            payload, content_type = b"", "application/json"
        else:
            payload, content_type = json_text(reply.body).encode(), "application/json"
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

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # A worker's 50 threads connect at once; the default backlog of 5 resets some of them.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], api_key: str | None, events_url: str | None = None
    ) -> None:
        if not api_key:
            raise ValueError("the Exolve sandbox needs an API key to check requests against")
        if events_url is not None and not is_events_url(events_url):
            raise ValueError("the events URL must be an http:// or https:// URL")
        self.api_key = api_key
        self.state = SandboxState(events_url)
        self.events = EventSender(self.state)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SandboxHandler)

    @property
    def url(self) -> str:
        # typeshed allows a bytes host, but an AF_INET(6) socket's name always has a str one.
        host, port = cast(tuple[str, int], self.server_address[:2])
        return f"http://{host}:{port}"

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._connections_lock:
            self._connections.add(sock)
        return sock, address

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        with self._connections_lock:
            # A TCP server's requests are sockets (the tuple is a UDP server's).
            self._connections.discard(cast(socket.socket, request))
        super().shutdown_request(request)

    def server_close(self) -> None:
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

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        # socketserver calls this from inside its `except`, so sys.exc_info() is what went wrong.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):  # the client went away; nothing to report
            logger.debug("connection from %s dropped", client_address)
        else:
            logger.error("error while handling a request from %s", client_address, exc_info=error)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
    events_url: str | None = None,
) -> SandboxServer:
    return SandboxServer((host, port), api_key, events_url)


@contextmanager
def running_sandbox(
    api_key: str | None,
    host: str = "127.0.0.1",
    port: int = 0,
    events_url: str | None = None,
) -> Iterator[SandboxServer]:
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
