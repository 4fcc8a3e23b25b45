"""The control API under /_sandbox/: what its requests may hold, and how each route answers.

Tests and demos use it to script answers, add latency and random failures, queue call event
scenarios, reset the sandbox and read back what it received and sent.
"""

import json
from collections.abc import Callable
from typing import Any

from exolve_sandbox.events import SCENARIOS, is_events_url
from exolve_sandbox.json_values import is_int, is_number, json_text
from exolve_sandbox.replies import Reply
from exolve_sandbox.state import SandboxState

# A route: the sandbox's state and the raw request body in, the reply out.
ControlRoute = Callable[[SandboxState, bytes], Reply]


def _is_scenario(value: object) -> bool:
    return isinstance(value, str) and value in SCENARIOS


def _is_misses(value: object) -> bool:
    return is_int(value) and 0 <= value <= 100


CONFIG_OPTIONS: dict[str, Callable[[Any], bool]] = {
    "delay_ms": lambda v: is_int(v) and v >= 0,
    "fail_rate": lambda v: is_number(v) and 0 <= v <= 1,
    "fail_status": lambda v: is_int(v) and 200 <= v <= 599,
    "seed": is_int,
    "events_url": lambda v: v is None or is_events_url(v),
    "events_delay_ms": lambda v: is_int(v) and v >= 0,
    "talk_ms": lambda v: is_int(v) and v >= 0,
    "scenario": _is_scenario,
    "duplicate_events": lambda v: isinstance(v, bool),
    "shuffle_events": lambda v: isinstance(v, bool),
    "contact_misses": lambda v: (
        _is_misses(v)
        or (isinstance(v, dict) and all(isinstance(k, str) and _is_misses(n) for k, n in v.items()))
    ),
}

SCRIPT_OPTIONS: dict[str, Callable[[Any], bool]] = {
    "status": lambda v: is_int(v) and 200 <= v <= 599,
    "body": lambda v: True,
    "delay_ms": lambda v: is_int(v) and v >= 0,
    "headers": lambda v: (
        isinstance(v, dict)
        and all(
            isinstance(k, str) and isinstance(x, str) and not set("\r\n") & set(k + x)
            for k, x in v.items()
        )
    ),
}


def _options_error(obj: Any, options: dict[str, Callable[[Any], bool]]) -> str | None:
    if not isinstance(obj, dict):
        return "expected a JSON object"
    for key, value in obj.items():
        if key not in options:
            return f"unknown option {key!r}; allowed: {sorted(options)}"
        if not options[key](value):
            return f"bad value for {key!r}: {json_text(value)}"
    return None


def _script_error(payload: Any) -> str | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("responses"), list):
        return 'expected {"responses": [...]}'
    for response in payload["responses"]:
        problem = _options_error(response, SCRIPT_OPTIONS)
        if problem:
            return problem
    return None


def _scenarios_error(payload: Any) -> str | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("scenarios"), list):
        return 'expected {"scenarios": [...]}'
    for name in payload["scenarios"]:
        if not _is_scenario(name):
            return f"unknown scenario {json_text(name)}; allowed: {sorted(SCENARIOS)}"
    return None


def _control_json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return None


def _control_script(state: SandboxState, raw: bytes) -> Reply:
    payload = _control_json(raw)
    problem = _script_error(payload)
    if problem:
        return Reply(400, {"error": problem})
    return Reply(200, {"queued": state.add_script(payload["responses"])})


def _control_config(state: SandboxState, raw: bytes) -> Reply:
    options = _control_json(raw)
    problem = _options_error(options, CONFIG_OPTIONS)
    if problem:
        return Reply(400, {"error": problem})
    return Reply(200, {"config": state.configure(options)})


def _control_reset(state: SandboxState, raw: bytes) -> Reply:
    state.reset()
    return Reply(200, {"reset": True})


def _control_requests(state: SandboxState, raw: bytes) -> Reply:
    return Reply(200, {"requests": state.requests()})


def _control_events_script(state: SandboxState, raw: bytes) -> Reply:
    payload = _control_json(raw)
    problem = _scenarios_error(payload)
    if problem:
        return Reply(400, {"error": problem})
    return Reply(200, {"queued": state.add_scenarios(payload["scenarios"])})


def _control_events(state: SandboxState, raw: bytes) -> Reply:
    return Reply(200, state.events())


CONTROL_ROUTES: dict[tuple[str, str], ControlRoute] = {
    ("POST", "/_sandbox/script"): _control_script,
    ("POST", "/_sandbox/config"): _control_config,
    ("POST", "/_sandbox/reset"): _control_reset,
    ("GET", "/_sandbox/requests"): _control_requests,
    ("POST", "/_sandbox/events/script"): _control_events_script,
    ("GET", "/_sandbox/events"): _control_events,
}
