"""What a callback's call events say happened, per leg and overall.

Pure functions of the events received so far: any order of arrival and any duplicates give the
same answer, and each new event may complete it. Leg A is line_1, leg B line_2; which of them is
the contact depends on the agent group's "contact first" when the callback was made."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .dates import PLAUSIBLE_YEARS, plausible
from .models import CallOutcome

FIRST_LEG, SECOND_LEG = "A", "B"
# An event as the outcome needs it: (event_side, type, occurred_at, payload).
EventRow = tuple[str, str, datetime, dict[str, Any]]
# Times outside dates.PLAUSIBLE_YEARS are nobody's call (and far enough in to convert to any offset
# and back); a leg known to have rung, with no time yet, sorts as the earliest of them.
EARLIEST = datetime(PLAUSIBLE_YEARS.start, 1, 1, tzinfo=UTC)
# The longest talk believed, in ms (a week); a larger or negative "duration" is unknown.
LONGEST_TALK_MS = 7 * 24 * 3600 * 1000
CODE_MAX_LENGTH = 64  # of a hangup cause or a Q.850 cause as shown
# Q.850 causes that mean "nobody picked up" rather than a failure of the call.
NO_ANSWER_CAUSES = {"18", "19"}  # busy (17) and rejected (21) are failed calls
NORMAL_CLEARING = "16"
Q850_CAUSES = {  # translated when read, in the language of the page
    "1": gettext_lazy("Unallocated number"),
    "3": gettext_lazy("No route to destination"),
    "16": gettext_lazy("Normal call clearing"),
    "17": gettext_lazy("User busy"),
    "18": gettext_lazy("No user responding"),
    "19": gettext_lazy("No answer from user"),
    "20": gettext_lazy("Subscriber absent"),
    "21": gettext_lazy("Call rejected"),
    "22": gettext_lazy("Number changed"),
    "27": gettext_lazy("Destination out of order"),
    "28": gettext_lazy("Invalid number format"),
    "31": gettext_lazy("Normal, unspecified"),
    "34": gettext_lazy("No circuit or channel available"),
    "38": gettext_lazy("Network out of order"),
    "41": gettext_lazy("Temporary failure"),
    "42": gettext_lazy("Switching equipment congestion"),
    "102": gettext_lazy("Recovery on timer expiry"),
    "127": gettext_lazy("Interworking, unspecified"),
}


def cause_in_words(cause: str | int | None) -> str:
    if not cause:
        return ""
    known = Q850_CAUSES.get(str(cause))
    return str(known) if known else _("cause %(code)s") % {"code": cause}


@dataclass(frozen=True)
class Leg:
    side: str
    rang: bool  # any event came for this leg
    answered: bool
    answered_at: datetime | None
    talk_seconds: int | None
    hangup_cause: str
    cause: str
    final: bool  # its final ("d") event came

    @property
    def cause_text(self) -> str:
        return cause_in_words(self.cause)


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time with its offset, or None for anything that is not one (Feb 30, no offset,
    an offset that takes it past year 1 or 9999, a year before 2000 or from 3000 on)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None or parsed.tzinfo is None:
            return None
        in_utc = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed if plausible(in_utc) else None


def _talk_ms(value: Any) -> int | float | None:
    """A believable talk time in ms, or None: whatever the provider (or anyone) put there."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if 0 <= value <= LONGEST_TALK_MS else None  # NaN compares false too


def _code(value: Any) -> str:
    """A cause as text: a string or a whole number, cut to a code's length; anything else none."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value)[:CODE_MAX_LENGTH]


def leg(side: str, events: Iterable[EventRow]) -> Leg:
    """The leg `side` from events given as (event_side, type, occurred_at, payload)."""
    mine = [(kind, at, payload) for event_side, kind, at, payload in events if event_side == side]
    final_event = next((payload for kind, _at, payload in mine if kind == "d"), None)
    final = final_event if isinstance(final_event, dict) else {}
    talk_ms = _talk_ms(final.get("duration"))
    started = [at for kind, at, _payload in mine if kind == "s"]
    answered = bool(started) or bool(talk_ms)
    answered_at = (
        min(started) if started else (parse_time(final.get("started")) if answered else None)
    )
    return Leg(
        side=side,
        rang=bool(mine),
        answered=answered,
        answered_at=answered_at,
        talk_seconds=round(talk_ms / 1000) if talk_ms is not None else None,
        hangup_cause=_code(final.get("hangup_cause")),
        cause=_code(final.get("cause")),
        final=final_event is not None,
    )


def call_outcome(first: Leg, second: Leg, contact_first: bool) -> str:
    """The overall outcome, or "" while the events received do not settle it yet."""
    no_answer = {
        FIRST_LEG: CallOutcome.CONTACT_NO_ANSWER if contact_first else CallOutcome.AGENTS_NO_ANSWER,
        SECOND_LEG: CallOutcome.AGENTS_NO_ANSWER
        if contact_first
        else CallOutcome.CONTACT_NO_ANSWER,
    }
    if first.answered and second.answered:
        return CallOutcome.CONNECTED
    for unanswered in (first, second):
        if unanswered.final and not unanswered.answered:
            return (
                no_answer[unanswered.side]
                if unanswered.cause in NO_ANSWER_CAUSES
                else CallOutcome.FAILED
            )
    if first.final and not second.rang:
        return CallOutcome.FAILED  # the first leg ended and the second was never rung
    return ""


def is_final(first: Leg, second: Leg) -> bool:
    """Every leg that rang has sent its final event (the second may never ring)."""
    return first.final and (second.final or not second.rang)


def is_settled(first: Leg, second: Leg) -> bool:
    """Nothing more will come that could change the outcome: both legs ended, or the first ended
    unanswered (the second is never rung then). A first leg that answered and ended while the
    second has not rung yet is not settled: the second leg's events may still be on their way.
    Nor is a leg whose end looks unanswered only because its `s` has not come yet (events come in
    any order): an end with a normal clearing, or no cause, and no talk time says neither."""
    if any(leg.final and not (leg.answered or _never_answered(leg)) for leg in (first, second)):
        return False
    return first.final and (second.final or (not first.answered and not second.rang))


def _never_answered(leg: Leg) -> bool:
    """The leg's own final event says nobody answered it: no answer, busy, rejected, a failure."""
    return not leg.answered and leg.cause not in ("", NORMAL_CLEARING)


def latest_end(request_body: dict[str, Any], placed_at: datetime) -> datetime:
    """When a placed call has surely ended: every destination rung in turn, then the longest
    talk."""
    ringing: int = sum(
        destination.get("timeout", 30)
        for line in (request_body["line_1"], request_body["line_2"])
        for destination in line["destinations"]
    )
    longest_talk: int = request_body.get("duration", 1800)
    return placed_at + timedelta(seconds=ringing + longest_talk)
