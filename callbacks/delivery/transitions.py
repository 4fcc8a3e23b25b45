"""Every change of a callback's status that may happen, and the step that makes it: the one table
the services, the sweeper and the admin ask. A step changes a callback only with a conditional
UPDATE whose condition comes from here (`guard`), so a callback another step moved meanwhile is
left alone; the admin asks `allows` whether to offer an action at all.

A new callback starts pending, or refused when a limit stops it at the press (delivery/create.py).
docs/architecture.md draws this table (`state_diagram`), and a test keeps the two the same.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Q

from ..models import CallbackRequest, CallbackStatus, FinalState, ManagerReview, Refusal

PENDING = CallbackStatus.PENDING
SENDING = CallbackStatus.SENDING
PLACED = CallbackStatus.PLACED
FAILED = CallbackStatus.FAILED
UNKNOWN = CallbackStatus.UNKNOWN
CANCELLED = CallbackStatus.CANCELLED
REFUSED = CallbackStatus.REFUSED


class Step(StrEnum):
    CLAIM = "claim"  # a worker takes a due callback to send an attempt
    ANSWER = "answer"  # Exolve's answer to the latest attempt is recorded, however late
    GIVE_UP = "give up"  # the sweeper: a send with no answer long after it started
    REFUSE = "refuse"  # before the attempt: the do-not-call list, the group inactive, no hours
    CANCEL = "cancel"  # staff cancel a callback that has not been sent
    PLACE_AGAIN = "place again"  # a person who checked an unknown result places it again
    PLACE_ANYWAY = "place anyway"  # a support manager overrides the cooldown
    HAND_OVER = "hand over"  # staff ask a support manager to decide on a cooldown refusal
    DECLINE = "decline"  # the support manager asked keeps it refused
    REDIAL = "redial"  # its call did not connect and the group's policy places it again
    STOP_REDIAL = "stop redial"  # a redial due, stopped at its claim (callbacks/redial.py)
    RETRY_NOT_REACHED = "place again (not reached)"  # a person places a not-reached one again


@dataclass(frozen=True)
class Rule:
    moves: frozenset[tuple[CallbackStatus, CallbackStatus]]  # (from, to)
    only_if: Mapping[str, Any] = field(default_factory=dict)  # other fields the callback must have


TRANSITIONS: dict[Step, Rule] = {
    Step.CLAIM: Rule(frozenset({(PENDING, SENDING)})),
    Step.ANSWER: Rule(
        frozenset(
            {
                (SENDING, PLACED),  # 200 with a call id
                (SENDING, FAILED),  # a final refusal, or out of attempts or time
                (SENDING, PENDING),  # nothing was placed: retried
                (SENDING, UNKNOWN),  # the call may have been placed
                # A late answer replaces the sweeper's guess: the real answer is better.
                (UNKNOWN, PLACED),
                (UNKNOWN, FAILED),
                (UNKNOWN, PENDING),
                (UNKNOWN, UNKNOWN),
                # A late "placed" after a person placed it again, before the new attempt: the
                # call exists, so the new round must not go out.
                (PENDING, PLACED),
            }
        )
    ),
    Step.GIVE_UP: Rule(frozenset({(SENDING, UNKNOWN)})),
    Step.REFUSE: Rule(frozenset({(PENDING, REFUSED)})),
    Step.CANCEL: Rule(frozenset({(PENDING, CANCELLED)})),
    Step.PLACE_AGAIN: Rule(frozenset({(UNKNOWN, PENDING)})),
    # A manager may place it anyway whether or not staff asked, and after declining it too (the
    # latest decision is the one kept).
    Step.PLACE_ANYWAY: Rule(frozenset({(REFUSED, PENDING)}), {"refusal": Refusal.COOLDOWN}),
    # Once per callback: asked again after a decline, the answer would be the same.
    Step.HAND_OVER: Rule(
        frozenset({(REFUSED, REFUSED)}),
        {"refusal": Refusal.COOLDOWN, "manager_review": ManagerReview.NONE},
    ),
    Step.DECLINE: Rule(
        frozenset({(REFUSED, REFUSED)}),
        {"refusal": Refusal.COOLDOWN, "manager_review": ManagerReview.WAITING},
    ),
    # Made by callbacks/call_events.py under the callback's row lock, with this condition (it
    # sits below the delivery package, so it spells the condition out itself).
    Step.REDIAL: Rule(frozenset({(PLACED, PENDING)}), {"final_state": ""}),
    # The placement before it stands: the callback goes back to placed, with its final state.
    Step.STOP_REDIAL: Rule(frozenset({(PENDING, PLACED)}), {"placement_count__gt": 0}),
    Step.RETRY_NOT_REACHED: Rule(
        frozenset({(PLACED, PENDING), (FAILED, PENDING)}),  # failed: Exolve refused a redial
        {"final_state__in": [FinalState.NOT_REACHED, FinalState.EXPIRED]},
    ),
}


def sources(step: Step, target: CallbackStatus) -> list[CallbackStatus]:
    """The statuses `step` may take a callback from to `target`, in a stable order."""
    return sorted(source for source, to in TRANSITIONS[step].moves if to == target)


def guard(step: Step, target: CallbackStatus) -> Q:
    """The condition of the UPDATE that makes this change: only from where the table allows."""
    return Q(status__in=sources(step, target), **TRANSITIONS[step].only_if)


def allows(step: Step, callback: CallbackRequest) -> bool:
    """Whether `step` may change this callback at all: what the admin offers (the UPDATE still
    decides)."""
    rule = TRANSITIONS[step]
    if not all(_holds(callback, lookup, value) for lookup, value in rule.only_if.items()):
        return False
    return any(source == callback.status for source, _to in rule.moves)


def _holds(callback: CallbackRequest, lookup: str, value: Any) -> bool:
    """One condition of `only_if` (a field, or field__in / field__gt) on a loaded callback."""
    name, _sep, operator = lookup.partition("__")
    actual = getattr(callback, name)
    if operator == "in":
        return bool(actual in value)
    if operator == "gt":
        return bool(actual > value)
    return bool(actual == value)


def _condition_words(lookup: str, value: Any) -> str:
    name, _sep, operator = lookup.partition("__")
    if operator == "in":
        return " or ".join(str(item) for item in value)
    if operator == "gt":
        return f"{name} > {value}"
    return str(value) or (
        "not asked" if name == "manager_review" else "no " + name.replace("_", " ")
    )


def state_diagram() -> str:
    """The table as a Mermaid state diagram, for docs/architecture.md."""
    lines = ["stateDiagram-v2", "    [*] --> pending: press", "    [*] --> refused: a limit"]
    edges: dict[tuple[str, str], list[str]] = {}
    for step, rule in TRANSITIONS.items():
        conditions = ", ".join(
            _condition_words(lookup, value) for lookup, value in rule.only_if.items()
        )
        label = step.value + (f" ({conditions})" if conditions else "")
        for source, target in rule.moves:
            edges.setdefault((source.value, target.value), []).append(label)
    for (source_name, target_name), labels in sorted(edges.items()):
        lines.append(f"    {source_name} --> {target_name}: {', '.join(labels)}")
    return "\n".join(lines) + "\n"
