"""Callbacks in every state the board counts, and the board's numbers and links read off its
page (the tests compare them with counts of their own over the same rows)."""

import html
import math
import re
from datetime import timedelta

from django.utils import timezone

from callbacks.board.today import day_bounds
from callbacks.dates import wait_words
from callbacks.models import (
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    FinalState,
    ManagerReview,
    Refusal,
)
from tests.helpers import make_callbacks

FIGURE_LINK = re.compile(
    r'<a class="figure[^"]*" data-figure="(?P<figure>\w+)" href="(?P<url>[^"]+)">'
    r"(?P<text>[^<]*)</a>"
)
CALLBACK_LINK = re.compile(r"/callbackrequest/(\d+)/change/")


def one_of_each(agent_group, user, now=None):
    """A callback in each state, all pressed today in the group's zone (at least ten minutes
    after its midnight when there is time, so no condition sits on a boundary)."""
    now = now or timezone.now()
    start, _end = day_bounds(agent_group, now)
    base = max(start + timedelta(seconds=30), now - timedelta(minutes=50))
    states = {
        "connected_fast": {
            "call_outcome": CallOutcome.CONNECTED,
            "final_state": FinalState.CONNECTED,
            "first_placed_at": base + timedelta(seconds=20),
            "connected_at": base + timedelta(seconds=60),
        },
        "connected_slow": {
            "call_outcome": CallOutcome.CONNECTED,
            "final_state": FinalState.CONNECTED,
            "first_placed_at": base + timedelta(seconds=40),
            "connected_at": base + timedelta(minutes=9),
        },
        "not_reached": {
            "call_outcome": CallOutcome.CONTACT_NO_ANSWER,
            "final_state": FinalState.NOT_REACHED,
            "first_placed_at": base + timedelta(seconds=30),
            "placement_count": 2,
        },
        "agents_no_answer": {
            "call_outcome": CallOutcome.AGENTS_NO_ANSWER,
            "final_state": FinalState.NOT_REACHED,
            "first_placed_at": base + timedelta(seconds=25),
            "placement_count": 1,
        },
        "not_placed": {"status": CallbackStatus.FAILED, "finished_at": now - timedelta(minutes=5)},
        "unknown": {"status": CallbackStatus.UNKNOWN},
        "waiting": {
            "status": CallbackStatus.PENDING,
            "next_attempt_at": now - timedelta(minutes=3),
        },
        "next_hour": {
            "status": CallbackStatus.PENDING,
            "next_attempt_at": now + timedelta(minutes=30),
            "scheduled_for": now + timedelta(minutes=30),
        },
        "redial_later": {
            "status": CallbackStatus.PENDING,
            "next_attempt_at": now + timedelta(hours=2),
            "placement_count": 1,
            "call_outcome": CallOutcome.CONTACT_NO_ANSWER,
            "first_placed_at": base + timedelta(seconds=15),
        },
        "sending": {"status": CallbackStatus.SENDING, "claimed_at": now},
        "cooldown": {
            "status": CallbackStatus.REFUSED,
            "refusal": Refusal.COOLDOWN,
            "manager_review": ManagerReview.WAITING,
        },
        "no_outcome": {
            "outcome_expected_by": now - timedelta(minutes=2),
            "first_placed_at": base,
            "call_id": "cal-x",
        },
        "scheduled_on_time": {
            "scheduled_for": base,
            "first_placed_at": base + timedelta(minutes=2),
            "call_outcome": CallOutcome.CONNECTED,
            "connected_at": base + timedelta(minutes=3),
        },
        "connected_at_unknown_moment": {
            "call_outcome": CallOutcome.CONNECTED,
            "final_state": FinalState.CONNECTED,
            "first_placed_at": base + timedelta(seconds=35),
        },
        "test_call": {"is_test": True, "status": CallbackStatus.UNKNOWN},
    }
    made = {}
    for number, (name, changes) in enumerate(states.items()):
        (callback,) = make_callbacks(
            1, agent_group, user, first=number, requested_at=base, **changes
        )
        made[name] = CallbackRequest.objects.get(pk=callback.pk)
    (yesterday,) = make_callbacks(
        1,
        agent_group,
        user,
        first=len(states),
        requested_at=start - timedelta(hours=3),
        call_outcome=CallOutcome.CONNECTED,
    )
    made["yesterday"] = yesterday
    return made


def figure_links(page, group_pk):
    """{figure: (count shown, call log URL)} of the group's row on the board."""
    row = re.search(
        rf'<tr class="group-row" data-group="{group_pk}">(.*?)</tr>', page, re.DOTALL
    ).group(1)
    return {
        match["figure"]: (match["text"], html.unescape(match["url"]))
        for match in FIGURE_LINK.finditer(row)
    }


def listed_ids(page):
    """The callbacks a call log page lists, by id."""
    rows = re.findall(r'<tr class="call-log-row">.*?</tr>', page, re.DOTALL)
    return {int(CALLBACK_LINK.search(row).group(1)) for row in rows}


def expected_figures(group, now):
    """Each figure counted in plain Python over every callback (not the board's queries)."""
    start, end = day_bounds(group, now)
    day = [
        c
        for c in CallbackRequest.objects.all()
        if c.agent_group_id == group.pk and not c.is_test and start <= c.requested_at < end
    ]
    served = [c for c in day if c.status not in (CallbackStatus.REFUSED, CallbackStatus.CANCELLED)]
    within = timedelta(minutes=group.service_level_minutes)
    at_once = [c for c in served if c.scheduled_for is None]
    # A connection at a moment nobody knows is not measured.
    measured = [c for c in at_once if c.connected_at or c.call_outcome != CallOutcome.CONNECTED]
    counted = [c for c in measured if c.connected_at or c.requested_at <= now - within]
    on_time_after = timedelta(minutes=group.punctuality_minutes)
    scheduled = [
        c
        for c in served
        if c.scheduled_for and (c.first_placed_at or c.scheduled_for <= now - on_time_after)
    ]

    def ids(rows):
        return {c.pk for c in rows}

    def outcome(value):
        return ids(c for c in day if c.call_outcome == value)

    return {
        "requested": ids(day),
        "placed": ids(c for c in day if c.first_placed_at),
        "connected": outcome(CallOutcome.CONNECTED),
        "agents_no_answer": outcome(CallOutcome.AGENTS_NO_ANSWER),
        "contact_no_answer": outcome(CallOutcome.CONTACT_NO_ANSWER),
        "call_failed": outcome(CallOutcome.FAILED),
        "not_placed": ids(
            c for c in day if c.status == CallbackStatus.FAILED and not c.first_placed_at
        ),
        "timed_placed": ids(c for c in day if c.scheduled_for is None and c.first_placed_at),
        "timed_connected": ids(c for c in day if c.scheduled_for is None and c.connected_at),
        "service_counted": ids(counted),
        "service_met": ids(
            c for c in counted if c.connected_at and c.connected_at <= c.requested_at + within
        ),
        "punctuality_counted": ids(scheduled),
        "punctuality_on_time": ids(
            c
            for c in scheduled
            if c.first_placed_at and c.first_placed_at <= c.scheduled_for + on_time_after
        ),
    }


def expected_waits(figure, ids):
    """«20 s / 40 s»: the nearest-rank median and 90th percentile, worked out here."""
    end = "first_placed_at" if figure == "timed_placed" else "connected_at"
    waits = sorted(
        getattr(c, end) - c.requested_at for c in CallbackRequest.objects.filter(pk__in=ids)
    )
    if not waits:
        return "— / —"

    def rank(share):
        return waits[max(1, math.ceil(share * len(waits))) - 1]

    return f"{wait_words(rank(0.5))} / {wait_words(rank(0.9))}"
