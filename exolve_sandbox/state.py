"""The sandbox's shared state: scripted answers, its configuration, the scenarios queued for call
events, and the logs of the requests received and events sent, behind one lock."""

import random
import threading
import time
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, cast

from exolve_sandbox.events import Job, SentEvent, call_events

MAX_LOGGED_REQUESTS = 10_000
MAX_LOGGED_EVENTS = 10_000


class Config(TypedDict):
    """How the sandbox answers MakeCallback and reports the calls it accepts."""

    delay_ms: int
    fail_rate: float
    fail_status: int
    events_url: str | None
    events_delay_ms: int
    talk_ms: int
    scenario: str
    duplicate_events: bool
    shuffle_events: bool
    contact_misses: "int | dict[str, int]"


class ConfigChanges(TypedDict, total=False):
    """Some of Config's keys: a change to the config."""

    delay_ms: int
    fail_rate: float
    fail_status: int
    events_url: str | None
    events_delay_ms: int
    talk_ms: int
    scenario: str
    duplicate_events: bool
    shuffle_events: bool
    contact_misses: "int | dict[str, int]"


class ConfigOptions(ConfigChanges, total=False):
    """What POST /_sandbox/config may set: the config, and the seed of its random failures."""

    seed: int


class ScriptedResponse(TypedDict, total=False):
    """One scripted answer to MakeCallback, as POSTed to /_sandbox/script."""

    status: int
    body: Any  # any JSON, sent as is
    delay_ms: int
    headers: dict[str, str]


class ReceivedRequest(TypedDict):
    """An entry of the log of MakeCallback requests (GET /_sandbox/requests)."""

    received_at: str
    body: Any  # the parsed JSON, or the raw text if it was not JSON
    status: int
    call_id: Any  # the answer's call_id: whatever a scripted body holds there, else a str or None
    response: Any


class EventsReport(TypedDict):
    """GET /_sandbox/events: the events sent since the last reset, and how many failed."""

    events: list[SentEvent]
    failed: int


DEFAULT_CONFIG: Config = {
    "delay_ms": 0,
    "fail_rate": 0.0,
    "fail_status": 503,
    "events_url": None,  # events are off until a URL is given
    "events_delay_ms": 200,
    "talk_ms": 3000,
    "scenario": "connected",
    "duplicate_events": False,
    "shuffle_events": False,
    # The contact does not answer the first N calls to its numbers (the line the scenarios ring
    # second), then the scenario above: how a redial is tried out. N for every contact, or
    # {number: N} for some.
    "contact_misses": 0,
}


class SandboxState:
    """Scripted answers, simulated latency/failures, call events and the logs, behind one lock."""

    def __init__(self, events_url: str | None = None) -> None:
        self._lock = threading.Lock()
        self._defaults: Config = {**DEFAULT_CONFIG, "events_url": events_url}
        self._generation = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._script: deque[ScriptedResponse] = deque()
            self._config = self._defaults.copy()
            self._random = random.Random()
            self._log: deque[ReceivedRequest] = deque(maxlen=MAX_LOGGED_REQUESTS)
            self._scenarios: deque[str] = deque()
            self._calls_to: dict[tuple[str, ...], int] = {}
            self._events: deque[SentEvent] = deque(maxlen=MAX_LOGGED_EVENTS)
            self._failed_events = 0
            self._generation += 1

    def add_script(self, responses: Iterable[ScriptedResponse]) -> int:
        with self._lock:
            self._script.extend(responses)
            return len(self._script)

    def next_scripted(self) -> ScriptedResponse | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def configure(self, options: ConfigOptions) -> Config:
        with self._lock:
            if "seed" in options:
                self._random.seed(options["seed"])
            # Every key but the seed is a config key.
            changes = cast(ConfigChanges, {k: v for k, v in options.items() if k != "seed"})
            self._config.update(changes)
            return self._config.copy()

    def delay_seconds(self) -> float:
        with self._lock:
            return self._config["delay_ms"] / 1000

    def simulated_failure(self) -> int | None:
        """The status of a random transient failure for this request, or None."""
        with self._lock:
            if self._config["fail_rate"] and self._random.random() < self._config["fail_rate"]:
                return self._config["fail_status"]
            return None

    def record(self, entry: ReceivedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._log)

    def add_scenarios(self, names: Iterable[str]) -> int:
        with self._lock:
            self._scenarios.extend(names)
            return len(self._scenarios)

    def events_job(self, call_id: str, body: dict[str, Any]) -> Job | None:
        """The events to send for a call accepted just now, or None while events are off."""
        with self._lock:
            config = self._config
            if not config["events_url"]:
                return None
            scenario = self._scenarios.popleft() if self._scenarios else self._scenario_for(body)
            delay = config["events_delay_ms"] / 1000
            dialled_at = datetime.now(UTC) + timedelta(seconds=delay)
            events = call_events(call_id, body, scenario, config["talk_ms"], dialled_at)
            if config["duplicate_events"]:
                events = [event for event in events for _ in range(2)]
            if config["shuffle_events"]:
                self._random.shuffle(events)
            return Job(time.monotonic() + delay, config["events_url"], self._generation, events)

    def _scenario_for(self, body: dict[str, Any]) -> str:
        """The configured scenario, unless the contact is still to miss this call (lock held)."""
        line = body.get("line_2")
        destinations = line.get("destinations") if isinstance(line, dict) else None
        numbers = (
            tuple(str(d.get("number")) for d in destinations or [] if isinstance(d, dict))
            if isinstance(destinations, list)
            else ()
        )
        calls = self._calls_to.get(numbers, 0)
        self._calls_to[numbers] = calls + 1
        misses = self._config["contact_misses"]
        if isinstance(misses, dict):
            misses = max((misses.get(number, 0) for number in numbers), default=0)
        return "contact_no_answer" if calls < misses else self._config["scenario"]

    def set_defaults(self, changes: ConfigChanges) -> None:
        """Change what the config is after every reset, and the config now."""
        with self._lock:
            self._defaults.update(changes)
            self._config.update(changes)

    def is_current(self, generation: int) -> bool:
        with self._lock:
            return generation == self._generation

    def record_event(self, generation: int, entry: SentEvent) -> None:
        with self._lock:
            if generation != self._generation:  # sent for a job queued before a reset
                return
            self._events.append(entry)
            if entry["error"]:
                self._failed_events += 1

    def events(self) -> EventsReport:
        with self._lock:
            return {"events": list(self._events), "failed": self._failed_events}
