"""Exolve's "Callback Call Events" for the calls the sandbox accepts.

The real Exolve POSTs one JSON object per event, per leg, to the event URL set in its cabinet
(the `o`, `s`, `h`, `d`, `e` events of CallbackCallEvents.md). Here a scenario lays a call's
events out on a simulated timeline, and one worker thread POSTs them once events_delay_ms has
passed. Real time is compressed: all events of a call go out back to back, but their
timestamps say when each would have happened.
"""

import base64
import json
import logging
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, NotRequired, Protocol, TypedDict
from urllib.parse import unquote, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

APPLICATION_UUID = "5f0c1e2a-7b3d-4c8e-9a61-2d4b6e8f0a13"  # the sandbox's one "application"
CUSTOMER_ID = 1111
SEND_TIMEOUT = 2  # seconds for each POST to the receiver

ANSWER_MS = 4000  # a phone that answers rings this long first
NO_ANSWER_MS = 30000  # a phone that does not answer rings this long before the call gives up
BUSY_MS = 1000  # until a busy line is reported
AFTER_MS = 20  # from a hang-up to each of the d and e events that follow it

NORMAL_CLEARING = ("NORMAL_CLEARING", "16")
NO_ANSWER = ("NO_ANSWER", "19")
USER_BUSY = ("USER_BUSY", "17")


# --- scenarios: which events a call produces, and when ----------------------------------------
#
# Times are ms from the moment A (line_1) is dialled, which is events_delay_ms after the answer.


class Ending(NamedTuple):
    """What a side's d event reports."""

    cause: tuple[str, str]  # (hangup_cause, Q.850 cause)
    started_ms: int  # when this side answered, or was dialled if it never did
    ended_ms: int
    answered: bool


class Step(NamedTuple):
    at_ms: int
    side: str  # "A" or "B"
    type: str
    ending: Ending | None = None  # only for a d event


def _hang_up(side: str, ending: Ending, types: str = "hde") -> list[Step]:
    """The side's h, d and e events (or those of them in `types`) once it has ended."""
    at = ending.ended_ms
    steps = {
        "h": Step(at, side, "h"),
        "d": Step(at + AFTER_MS, side, "d", ending),
        "e": Step(at + 2 * AFTER_MS, side, "e"),
    }
    return [steps[kind] for kind in types]


def _a_answers() -> list[Step]:
    return [Step(0, "A", "o"), Step(ANSWER_MS, "A", "s")]


def _a_cleared_after(b_ended_ms: int) -> list[Step]:
    # A has answered; once B's leg is over (its e event sent) A is cleared and gets its d.
    return _hang_up("A", Ending(NORMAL_CLEARING, ANSWER_MS, b_ended_ms + 2 * AFTER_MS, True), "d")


def _connected(talk_ms: int) -> list[Step]:
    b_answers = ANSWER_MS + ANSWER_MS
    ended = b_answers + talk_ms
    return [
        *_a_answers(),
        Step(ANSWER_MS, "B", "o"),
        Step(b_answers, "B", "s"),
        *_hang_up("A", Ending(NORMAL_CLEARING, ANSWER_MS, ended, True)),
        *_hang_up("B", Ending(NORMAL_CLEARING, b_answers, ended, True)),
    ]


def _agents_no_answer(talk_ms: int) -> list[Step]:
    return [Step(0, "A", "o"), *_hang_up("A", Ending(NO_ANSWER, 0, NO_ANSWER_MS, False))]


def _agents_busy(talk_ms: int) -> list[Step]:
    return _hang_up("A", Ending(USER_BUSY, 0, BUSY_MS, False), "d")


def _contact_no_answer(talk_ms: int) -> list[Step]:
    gave_up = ANSWER_MS + NO_ANSWER_MS
    return [
        *_a_answers(),
        Step(ANSWER_MS, "B", "o"),
        *_hang_up("B", Ending(NO_ANSWER, ANSWER_MS, gave_up, False)),
        *_a_cleared_after(gave_up),
    ]


def _contact_busy(talk_ms: int) -> list[Step]:
    busy = ANSWER_MS + BUSY_MS
    return [
        *_a_answers(),
        *_hang_up("B", Ending(USER_BUSY, ANSWER_MS, busy, False), "d"),
        *_a_cleared_after(busy),
    ]


SCENARIOS: dict[str, Callable[[int], list[Step]]] = {
    "connected": _connected,
    "agents_no_answer": _agents_no_answer,
    "agents_busy": _agents_busy,
    "contact_no_answer": _contact_no_answer,
    "contact_busy": _contact_busy,
}


# --- event objects -----------------------------------------------------------------------------


class Definition(TypedDict):
    """The extra fields of a d event."""

    started: str
    ended: str
    hangup_cause: str
    cause: str  # the Q.850 cause code, as text
    called_number: str
    calling_number: str
    setup_time: int  # ms
    wait_time: int
    duration: int
    full_duration: int


class CallEvent(TypedDict):
    """One event as POSTed to the events URL; a d event also carries the fields of Definition."""

    service: str
    date_time: str
    call_sid: str
    number: str
    type: str
    uid: int
    application_uuid: str
    customer_id: int
    event_side: str
    record_call: bool
    started: NotRequired[str]
    ended: NotRequired[str]
    hangup_cause: NotRequired[str]
    cause: NotRequired[str]
    called_number: NotRequired[str]
    calling_number: NotRequired[str]
    setup_time: NotRequired[int]
    wait_time: NotRequired[int]
    duration: NotRequired[int]
    full_duration: NotRequired[int]


class Leg(NamedTuple):
    number: str  # the number being called on this leg
    calling_number: str


def _leg(line: dict[str, Any], number_code: int) -> Leg:
    # With several destinations the sandbox always "reaches" the first one.
    return Leg(line["destinations"][0]["number"], line.get("display_number") or str(number_code))


def _timestamp(dialled_at: datetime, ms: int) -> str:
    return (dialled_at + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _definition(ending: Ending, leg: Leg, dialled_at: datetime) -> Definition:
    """The extra fields of a d event."""
    hangup_cause, cause = ending.cause
    waited = ending.started_ms if ending.answered else ending.ended_ms
    return {
        "started": _timestamp(dialled_at, ending.started_ms),
        "ended": _timestamp(dialled_at, ending.ended_ms),
        "hangup_cause": hangup_cause,
        "cause": cause,
        "called_number": leg.number,
        "calling_number": leg.calling_number,
        "setup_time": waited,
        "wait_time": waited,
        "duration": ending.ended_ms - ending.started_ms if ending.answered else 0,
        "full_duration": ending.ended_ms,
    }


def call_events(
    call_id: str, body: dict[str, Any], scenario: str, talk_ms: int, dialled_at: datetime
) -> list[CallEvent]:
    """The events of one accepted call (a valid MakeCallback body), in the order they happen."""
    legs = {
        "A": _leg(body["line_1"], body["number_code"]),
        "B": _leg(body["line_2"], body["number_code"]),
    }
    uid = secrets.randbits(64)
    events: list[CallEvent] = []
    for step in sorted(SCENARIOS[scenario](talk_ms), key=lambda step: step.at_ms):
        leg = legs[step.side]
        event: CallEvent = {
            "service": "callback",
            "date_time": _timestamp(dialled_at, step.at_ms),
            "call_sid": call_id,
            "number": leg.number,
            "type": step.type,
            "uid": uid,
            "application_uuid": APPLICATION_UUID,
            "customer_id": CUSTOMER_ID,
            "event_side": step.side,
            "record_call": False,
        }
        if step.ending:
            event = {**event, **_definition(step.ending, leg, dialled_at)}
        events.append(event)
    return events


def is_events_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# --- sending -----------------------------------------------------------------------------------


class Job(NamedTuple):
    due: float  # time.monotonic() at which the first event goes out
    url: str
    generation: int  # the state's generation when queued: a reset since then drops the job
    events: list[CallEvent]


class SentEvent(TypedDict):
    """An entry of the sandbox's log of the events it sent."""

    sent_at: str
    event: CallEvent
    status: int | None  # the receiver's HTTP status, None if it never answered
    error: str | None


class EventLog(Protocol):
    """Where the sender checks that a job is still wanted and logs what it sent."""

    def is_current(self, generation: int) -> bool: ...

    def record_event(self, generation: int, entry: SentEvent) -> None: ...


# Exolve calls the URL directly: a proxy from the environment must not catch local receivers.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post_event(url: str, event: CallEvent) -> tuple[int | None, str | None]:
    """POST one event; return (the receiver's HTTP status or None, what went wrong or None)."""
    address, headers = _without_credentials(url)
    request = urllib.request.Request(
        address,
        data=json.dumps(event).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=SEND_TIMEOUT) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, f"the receiver answered {error.code}"
    except (OSError, ValueError) as error:  # refused, timed out, unresolvable, malformed...
        return None, str(error) or type(error).__name__


def _without_credentials(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its user-info, and that user-info as a Basic Authorization header: what
    HTTP clients (Go's, curl, requests) send for https://user:password@host/..., and urllib does
    not."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, {}
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host)), {"Authorization": f"Basic {token}"}


class EventSender:
    """One worker thread that sends queued jobs in order, each when it is due."""

    def __init__(self, state: EventLog) -> None:
        self._state = state
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="exolve-sandbox-events", daemon=True)
        self._thread.start()

    def schedule(self, job: Job) -> None:
        self._jobs.put(job)

    def stop(self) -> None:
        self._stopping.set()
        self._jobs.put(None)
        self._thread.join(timeout=SEND_TIMEOUT + 1)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None or self._stopping.wait(max(0.0, job.due - time.monotonic())):
                return
            for event in job.events:
                if self._stopping.is_set() or not self._state.is_current(job.generation):
                    break
                self._deliver(job, event)

    def _deliver(self, job: Job, event: CallEvent) -> None:
        status, error = post_event(job.url, event)
        self._state.record_event(
            job.generation,
            {
                "sent_at": datetime.now(UTC).isoformat(),
                "event": event,
                "status": status,
                "error": error,
            },
        )
        if error:
            logger.warning(
                "sandbox: event %s of side %s for %s not delivered: %s",
                event["type"],
                event["event_side"],
                event["call_sid"],
                error,
            )
