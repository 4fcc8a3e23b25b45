"""What a callback's call events say happened, per leg and overall.

Pure functions of the events received so far: any order of arrival and any duplicates give the
same answer, and each new event may complete it. Leg A is line_1, leg B line_2; which of them is
the contact depends on the agent group's "contact first" when the request was made."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import CallOutcome

FIRST_LEG, SECOND_LEG = "A", "B"
# Q.850 causes that mean "nobody picked up" rather than a failure of the call.
NO_ANSWER_CAUSES = {"17", "18", "19", "21"}
Q850_CAUSES = {
    "1": _("Unallocated number"),
    "3": _("No route to destination"),
    "16": _("Normal call clearing"),
    "17": _("User busy"),
    "18": _("No user responding"),
    "19": _("No answer from user"),
    "20": _("Subscriber absent"),
    "21": _("Call rejected"),
    "22": _("Number changed"),
    "27": _("Destination out of order"),
    "28": _("Invalid number format"),
    "31": _("Normal, unspecified"),
    "34": _("No circuit or channel available"),
    "38": _("Network out of order"),
    "41": _("Temporary failure"),
    "42": _("Switching equipment congestion"),
    "102": _("Recovery on timer expiry"),
    "127": _("Interworking, unspecified"),
}


def cause_in_words(cause):
    if not cause:
        return ""
    return Q850_CAUSES.get(str(cause), _("cause %(code)s") % {"code": cause})


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
    def cause_text(self):
        return cause_in_words(self.cause)


def parse_time(value):
    """An RFC 3339 time, or None for anything that is not one (Feb 30 included)."""
    try:
        return parse_datetime(str(value or ""))
    except ValueError:
        return None


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def leg(side, events):
    """The leg `side` from events given as (event_side, type, occurred_at, payload)."""
    mine = [(kind, at, payload) for event_side, kind, at, payload in events if event_side == side]
    final = next((payload for kind, _at, payload in mine if kind == "d"), None) or {}
    talk_ms = _number(final.get("duration"))
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
        hangup_cause=str(final.get("hangup_cause", "")),
        cause=str(final.get("cause", "")),
        final=bool(final),
    )


def call_outcome(first, second, contact_first):
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


def is_final(first, second):
    """Every leg that rang has sent its final event (the second may never ring)."""
    return first.final and (second.final or not second.rang)


def latest_end(request_body, placed_at):
    """When a placed call has surely ended: every destination rung in turn, then the longest talk."""
    ringing = sum(
        destination.get("timeout", 30)
        for line in (request_body["line_1"], request_body["line_2"])
        for destination in line["destinations"]
    )
    return placed_at + timedelta(seconds=ringing + request_body.get("duration", 1800))
