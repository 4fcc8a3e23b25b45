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

from ..models import CallbackRequest, CallbackStatus, ManagerReview, Refusal

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
    if any(getattr(callback, name) != value for name, value in rule.only_if.items()):
        return False
    return any(source == callback.status for source, _to in rule.moves)


def state_diagram() -> str:
    """The table as a Mermaid state diagram, for docs/architecture.md."""
    lines = ["stateDiagram-v2", "    [*] --> pending: press", "    [*] --> refused: a limit"]
    edges: dict[tuple[str, str], list[str]] = {}
    for step, rule in TRANSITIONS.items():
        conditions = ", ".join(value or "not asked" for value in rule.only_if.values())
        label = step.value + (f" ({conditions})" if conditions else "")
        for source, target in rule.moves:
            edges.setdefault((source.value, target.value), []).append(label)
    for (source_name, target_name), labels in sorted(edges.items()):
        lines.append(f"    {source_name} --> {target_name}: {', '.join(labels)}")
    return "\n".join(lines) + "\n"
