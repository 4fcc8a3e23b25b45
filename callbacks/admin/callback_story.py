"""A callback's page as a story: each placement (attempt) in order with its legs and outcome in
words, and the MakeCallback body it sent as a table a person reads (numbers as people read them,
ring logic in words, audio by name)."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import call_events, call_legs, outcomes
from ..dates import shown_in_zone
from ..local_time import ContactZones, contact_zones
from ..local_time_words import contact_now, whose_time
from ..local_time_words import group_time as in_group_time
from ..models import (
    AttemptResult,
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    MediaResource,
    RingLogic,
    TtsPreset,
    Voice,
    lower_first,
    person_name,
)
from ..numbers import readable_number
from ..work_list import Need
from .base import pretty_json
from .list_filters import attempt_result_words

# Exolve's hang-up causes (FreeSWITCH's names) are Q.850 causes by name; the few others in words.
HANGUP_CAUSE_CODES = {
    "UNALLOCATED_NUMBER": "1",
    "NO_ROUTE_DESTINATION": "3",
    "NORMAL_CLEARING": "16",
    "USER_BUSY": "17",
    "NO_USER_RESPONSE": "18",
    "NO_ANSWER": "19",
    "SUBSCRIBER_ABSENT": "20",
    "CALL_REJECTED": "21",
    "NUMBER_CHANGED": "22",
    "DESTINATION_OUT_OF_ORDER": "27",
    "INVALID_NUMBER_FORMAT": "28",
    "NORMAL_UNSPECIFIED": "31",
    "NORMAL_CIRCUIT_CONGESTION": "34",
    "NETWORK_OUT_OF_ORDER": "38",
    "NORMAL_TEMPORARY_FAILURE": "41",
    "SWITCH_CONGESTION": "42",
    "RECOVERY_ON_TIMER_EXPIRE": "102",
    "INTERWORKING": "127",
}
HANGUP_CAUSE_WORDS = {
    "ORIGINATOR_CANCEL": gettext_lazy("Cancelled before it was answered"),
    "ALLOTTED_TIMEOUT": gettext_lazy("The call reached its longest duration"),
    "LOSE_RACE": gettext_lazy("Another destination answered first"),
}


def hangup_in_words(hangup_cause: str, cause: str) -> str:
    """Why a leg ended, in words: the Q.850 cause, else the hang-up cause's name read."""
    code = cause or HANGUP_CAUSE_CODES.get(hangup_cause, "")
    if code:
        return outcomes.cause_in_words(code)
    known = HANGUP_CAUSE_WORDS.get(hangup_cause)
    return str(known) if known else hangup_cause


def seconds_in_words(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _("%(seconds)d s") % {"seconds": rest}
    if not rest:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": rest}


@dataclass(frozen=True)
class LegStory:
    who: str  # the contact or the agents
    answered: str
    answered_at: datetime | None
    talk: str
    ended: str  # the hang-up cause in words
    codes: str  # the causes as Exolve sent them


def leg_story(leg: outcomes.Leg, who: str) -> LegStory:
    if leg.answered:
        answered = _("answered")
    elif leg.final:
        answered = _("not answered")
    else:
        answered = _("ringing") if leg.rang else _("not rung")
    codes = [leg.hangup_cause, f"Q.850 {leg.cause}" if leg.cause else ""]
    return LegStory(
        who=who,
        answered=answered,
        answered_at=leg.answered_at,
        talk=seconds_in_words(leg.talk_seconds)
        if leg.answered and leg.talk_seconds is not None
        else "",
        ended=hangup_in_words(leg.hangup_cause, leg.cause),
        codes=", ".join(code for code in codes if code),
    )


@dataclass(frozen=True)
class AttemptStory:
    attempt: CallbackAttempt
    result: str
    legs: list[LegStory]
    outcome: str
    placement: int | None = None  # its number among the callback's placed calls, if placed


def attempt_stories(callback: CallbackRequest, contact_first: bool) -> list[AttemptStory]:
    """The callback's attempts in order, each with its legs and outcome if it got a call id (a
    query per such attempt: a callback has a few)."""
    stories = []
    placements = 0
    for attempt in callback.attempts.order_by("sequence"):
        story = attempt_story(attempt, callback, contact_first)
        if attempt.result == AttemptResult.PLACED:
            placements += 1
            story = replace(story, placement=placements)
        stories.append(story)
    return stories


def attempt_story(
    attempt: CallbackAttempt, callback: CallbackRequest, contact_first: bool
) -> AttemptStory:
    legs = call_legs.legs(attempt.call_id)[0] if attempt.call_id else []
    if attempt.call_id and attempt.call_id == callback.call_id:
        outcome = callback.outcome_text  # with "in progress" and "no outcome received"
    elif legs:  # an earlier call of a callback placed again
        code = outcomes.call_outcome(legs[0], legs[1], contact_first=contact_first)
        outcome = str(CallOutcome(code).label) if code else ""
    else:
        outcome = ""
    who = {
        call_legs.SIDES[0]: _("contact") if contact_first else _("agents"),
        call_legs.SIDES[1]: _("agents") if contact_first else _("contact"),
    }
    return AttemptStory(
        attempt=attempt,
        result=attempt_result_words(attempt.result),
        legs=[leg_story(leg, who[leg.side]) for leg in legs],
        outcome=outcome,
    )


# --- the MakeCallback body, readable ----------------------------------------------------


@dataclass(frozen=True)
class LineStory:
    title: str
    destinations: list[tuple[str, str]]  # (number as people read it, its timeout)
    ring_logic: str
    caller_id: str
    audio: str


@dataclass(frozen=True)
class BodyStory:
    rows: list[tuple[str, str]]  # (what, its value in words)
    lines: list[LineStory]


def body_story(body: Any, contact_first: bool) -> BodyStory:
    """What a MakeCallback body asks Exolve for, in words. Anything missing or odd in it (an old
    row, a hand-made body) is shown as it is rather than stopping the page."""
    body = body if isinstance(body, Mapping) else {}
    duration = body.get("duration")
    rows = [
        (_("Our id, sent to Exolve"), str(body.get("request_description", ""))),
        (_("Number the calls come from"), readable_number(str(body.get("number_code", "")))),
        (_("Callback resource id"), str(body.get("callback_resource_id", ""))),
        (
            _("Longest conversation"),
            seconds_in_words(duration) if isinstance(duration, int) else _("30 min (default)"),
        ),
    ]
    sides = (_("contact"), _("agents")) if contact_first else (_("agents"), _("contact"))
    lines = [
        line_story(
            _("Line %(number)d: %(who)s") % {"number": index, "who": who},
            body.get(f"line_{index}"),
        )
        for index, who in enumerate(sides, start=1)
    ]
    return BodyStory(rows=rows, lines=lines)


def line_story(title: str, line: Any) -> LineStory:
    line = line if isinstance(line, Mapping) else {}
    destinations = line.get("destinations")
    return LineStory(
        title=title,
        destinations=[
            destination_story(destination)
            for destination in (destinations if isinstance(destinations, list) else [])
        ],
        ring_logic=ring_logic_in_words(line.get("ring_logic", RingLogic.SEQUENTIAL)),
        caller_id=readable_number(str(line.get("display_number", ""))),
        audio=audio_in_words(line.get("audio")),
    )


def destination_story(destination: Any) -> tuple[str, str]:
    destination = destination if isinstance(destination, Mapping) else {}
    timeout = destination.get("timeout")
    return (
        readable_number(str(destination.get("number", ""))),
        seconds_in_words(timeout) if isinstance(timeout, int) else _("30 s (default)"),
    )


def ring_logic_in_words(value: Any) -> str:
    try:
        return str(RingLogic(value).label)
    except ValueError:
        return _("unknown (%(value)s)") % {"value": value}


def audio_in_words(audio: Any) -> str:
    if not isinstance(audio, Mapping):
        return _("none")
    if "media_resource_id" in audio:
        return media_in_words(audio["media_resource_id"])
    tts = audio.get("tts")
    return tts_in_words(tts) if isinstance(tts, Mapping) else _("none")


def media_in_words(media_resource_id: Any) -> str:
    found = MediaResource.objects.filter(media_resource_id=_as_int(media_resource_id)).first()
    if found is None:
        return _("recording: unknown id %(id)s") % {"id": media_resource_id}
    return _("recording “%(name)s” (id %(id)s)") % {"name": found.name, "id": media_resource_id}


def tts_in_words(tts: Mapping[str, Any]) -> str:
    """A TTS body names no preset: the preset with the same text and voice, if one is left."""
    text, voice = str(tts.get("text", "")), tts.get("voice")
    preset = TtsPreset.objects.filter(text=text, voice=_as_int(voice)).first()
    voice_name = str(Voice(voice).label) if voice in Voice.values else str(voice or "")
    if preset is not None:
        return _("speech “%(name)s”: “%(text)s”, voice %(voice)s") % {
            "name": preset.name,
            "text": text,
            "voice": voice_name,
        }
    return _("speech (no preset has this text now): “%(text)s”, voice %(voice)s") % {
        "text": text,
        "voice": voice_name,
    }


def _as_int(value: Any) -> int:
    """An id from the body, or -1 (which matches no row) for anything else."""
    is_id = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
    return value if is_id else -1


# --- the status ---------------------------------------------------------------------------


def status_in_words(callback: CallbackRequest) -> str:
    """The status with what says more about it, e.g. «Совершён · клиент не ответил», «Отклонён:
    номеру недавно звонили; ждёт решения руководителя поддержки (попросил(а) Анна)», «Ожидает ·
    клиент не ответил · попытка дозвона 2 из 3 — 14:20 (Europe/Moscow)»."""
    status = callback.status_text  # refused: with its reason and what a support manager decided
    if callback.status == CallbackStatus.REFUSED:
        return status
    details = [callback.outcome_text, callback.final_state_text]
    if callback.waits_for_redial and callback.next_attempt_at:
        details.append(
            _("connection attempt %(number)d of %(most)d at %(time)s")
            % {
                "number": callback.placement_count + 1,
                # The policy as it is now, which may have been lowered since the last placement.
                "most": max(callback.agent_group.max_attempts, callback.placement_count + 1),
                "time": group_time(callback),
            }
        )
    elif callback.is_scheduled and callback.next_attempt_at:
        details.append(_("due %(time)s") % {"time": group_time(callback)})
    words = [status, *(lower_first(detail) for detail in details if detail)]
    return " · ".join(words)


def callback_story(callback: CallbackRequest) -> dict[str, Any]:
    """What the callback's page tells, beyond its fields: its attempts and the body it sends."""
    contact_first = call_events.contact_is_first(callback)
    zones = contact_zones(callback.contact)
    return {
        "status_words": status_in_words(callback),
        "redial_stop": lower_first(str(callback.get_redial_stop_display())),
        "attempt_stories": attempt_stories(callback, contact_first),
        "body": body_story(callback.request_body, contact_first),
        "raw_body": pretty_json(callback.request_body),
        "numbers": [readable_number(number.number) for number in callback.numbers.all()],
        "waiting": callback.status in (CallbackStatus.PENDING, CallbackStatus.SENDING),
        "next_attempt": both_times(callback, zones) if callback.next_attempt_at else "",
        "scheduled_for": (
            whose_time(callback.scheduled_for, callback.agent_group, zones)
            if callback.scheduled_for
            else ""
        ),
        "requested_at": site_time(callback.requested_at),
        "contact_time": contact_now(zones, timezone.now()),
        "checks": check_stories(callback),
    }


def check_stories(callback: CallbackRequest) -> list[dict[str, str]]:
    """Each "checked, no action" on the callback, newest first: when, who, from which list, why."""
    lists = dict(Need.choices)
    return [
        {
            "when": site_time(check.checked_at),
            "who": person_name(check.checked_by),
            "list": str(lists.get(check.list_name, check.list_name)),
            "note": check.note,
        }
        for check in callback.checks.select_related("checked_by")
    ]


def group_time(callback: CallbackRequest) -> str:
    """When a waiting callback goes out, in its group's zone: «08.12.2026 09:00 (group time,
    Asia/Omsk)»."""
    assert callback.next_attempt_at is not None
    return in_group_time(callback.next_attempt_at, callback.agent_group)


def both_times(callback: CallbackRequest, zones: ContactZones | None = None) -> str:
    """When a waiting callback goes out, in its group's zone and, where it is known, the
    contact's."""
    assert callback.next_attempt_at is not None
    zones = contact_zones(callback.contact) if zones is None else zones
    return whose_time(callback.next_attempt_at, callback.agent_group, zones)


def site_time(moment: datetime) -> str:
    """A time in the zone the site shows times in, saying which: «08.12.2026 09:00
    (Europe/Moscow)»."""
    return shown_in_zone(moment, timezone.get_current_timezone_name())
