"""A property of redials, through the real services: for any policy and any sequence of outcomes
(each kind, or no events at all), duplicated, reordered and late events, sweeps, claims (placed or
a transient error) and stops (cancel, the do-not-call list, the group deactivated, the contact's
numbers changed, the expiry passed) at any point, a callback is never placed more often than its
group's most connection attempts, and no attempt is made after it stopped."""

import random
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks import call_events, exolve
from callbacks.delivery import recording, sending, staff_actions, sweeper
from callbacks.models import (
    AgentGroup,
    AttemptResult,
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    ContactNumber,
    DoNotCallNumber,
    WhenClosed,
)
from tests.helpers import ask_for_callback
from tests.integration.call_event_data import connected_events
from tests.integration.delivery.redials import AGENTS_NO_ANSWER, CONTACT_NO_ANSWER, FAILED, KINDS

pytestmark = pytest.mark.django_db

OUTCOMES = {
    "contact_no_answer": CONTACT_NO_ANSWER,
    "agents_no_answer": AGENTS_NO_ANSWER,
    "failed": FAILED,
    "connected": connected_events("{call}"),
    "no events": [],
}
STOPS = ("cancel", "do-not-call", "deactivate", "number changed", "expiry")

policies = st.fixed_dictionaries(
    {
        "max_attempts": st.integers(1, 4),
        "expiry_hours": st.sampled_from([1, 24]),
        "when_closed": st.sampled_from(WhenClosed.values),
        **{f"redial_{kind}": st.sampled_from([True, True, False]) for kind in KINDS},
        **{f"redial_{kind}_delay": st.sampled_from([0, 0, 5, 90]) for kind in KINDS},
    }
)
outcome_events = st.tuples(st.sampled_from(list(OUTCOMES)), st.booleans(), st.integers())
answers = st.sampled_from(["placed", "placed", "transient"])
operations = st.lists(
    st.one_of(
        # A whole placement: its call's events, then the redial made due, queued and claimed.
        st.tuples(st.just("round"), outcome_events, answers),
        st.tuples(st.just("round"), outcome_events, answers),
        st.tuples(st.just("events"), outcome_events),
        st.tuples(st.just("late"), st.sampled_from(list(OUTCOMES)), st.integers(0, 3)),
        st.tuples(st.just("due")),
        st.tuples(st.just("sweep")),
        st.tuples(st.just("claim"), answers),
        st.tuples(st.just("stop"), st.sampled_from(STOPS)),
    ),
    max_size=14,
)


@pytest.fixture(autouse=True)
def no_broker(queued):
    """Tasks go nowhere: the story's own claims are the workers."""


class Story:
    """One callback, placed once, and what the operations did to it."""

    def __init__(self, callback, user):
        self.callback = callback
        self.user = user
        self.call_ids = []
        self.stopped_with = None  # attempts made when something stopped it
        self.late_shift = 0

    # --- operations ---

    def round(self, events, answer):
        self.events(events)
        self.due()
        self.sweep()
        self.claim(answer)

    def events(self, events):
        """The latest call's events, some of them twice, in any order."""
        outcome, duplicated, seed = events
        call_id = self.call_ids[-1]
        sent = [{**each, "call_sid": call_id} for each in OUTCOMES[outcome]]
        if duplicated:
            sent += sent[: len(sent) // 2 + 1]
        random.Random(seed).shuffle(sent)
        self.receive(sent)

    def late(self, outcome, which):
        """Events for an earlier (or the current) call, at times not seen before."""
        call_id = self.call_ids[which % len(self.call_ids)]
        self.late_shift += 100
        self.receive(
            {**each, "call_sid": call_id, "date_time": shifted(each["date_time"], self.late_shift)}
            for each in OUTCOMES[outcome]
        )

    def receive(self, events):
        for each in events:
            call_events.receive_event(each)

    def due(self):
        CallbackRequest.objects.filter(pk=self.callback.pk, status=CallbackStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )

    def sweep(self):
        sweeper.queue_due(timezone.now())

    def claim(self, answer):
        """What a worker's task does: claim, then record Exolve's answer, or settle it."""
        now = timezone.now()
        attempts = sending.claim([self.callback.pk], now)
        if not attempts:
            sending.settle_unclaimed([self.callback.pk], now)
        for attempt in attempts:
            recording.record(attempt, self.answer(answer))

    def answer(self, kind):
        if kind == "transient":
            return exolve.Answer(AttemptResult.TRANSIENT, http_status=503, error="busy")
        call_id = f"call-{len(self.call_ids) + 1}"
        self.call_ids.append(call_id)
        return exolve.Answer(AttemptResult.PLACED, http_status=200, call_id=call_id)

    def stop(self, kind):
        callback = self.callback
        if kind == "cancel":
            try:
                staff_actions.cancel_callback(callback, self.user)
            except ValidationError:
                return  # not waiting: nothing was stopped
        elif kind == "do-not-call":
            DoNotCallNumber.objects.get_or_create(number=callback.numbers.first().number)
        elif kind == "deactivate":
            AgentGroup.objects.filter(pk=callback.agent_group_id).update(is_active=False)
        elif kind == "number changed":
            ContactNumber.objects.get_or_create(
                contact_id=callback.contact_id, number="79161112233"
            )
        else:
            expiry = AgentGroup.objects.get(pk=callback.agent_group_id).expiry
            CallbackRequest.objects.filter(pk=callback.pk).update(
                requested_at=timezone.now() - expiry - timedelta(minutes=1)
            )
        if self.stopped_with is None:
            self.stopped_with = self.attempts().count()

    # --- what must hold ---

    def attempts(self):
        return CallbackAttempt.objects.filter(callback=self.callback)

    def check(self, max_attempts):
        self.callback.refresh_from_db()
        placements = self.attempts().filter(result=AttemptResult.PLACED).count()
        assert placements == self.callback.placement_count
        assert placements <= max_attempts
        if self.callback.final_state and self.stopped_with is None:
            self.stopped_with = self.attempts().count()  # it ended: nothing more goes out
        if self.stopped_with is not None:
            assert self.attempts().count() == self.stopped_with


def shifted(moment, seconds):
    return (datetime.fromisoformat(moment) + timedelta(seconds=seconds)).isoformat()


def placed_once(contact, agent_group, user):
    callback = ask_for_callback(contact, agent_group, user)
    story = Story(callback, user)
    story.claim("placed")
    story.callback.refresh_from_db()
    assert story.callback.status == CallbackStatus.PLACED
    return story


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(policy=policies, steps=operations)
def test_never_more_placements_than_the_policy_allows_and_none_after_a_stop(
    contact, agent_group, staff_user, policy, steps
):
    with transaction.atomic():  # each example's rows go with it
        AgentGroup.objects.filter(pk=agent_group.pk).update(**policy)
        agent_group.refresh_from_db()
        story = placed_once(contact, agent_group, staff_user)
        for name, *arguments in steps:
            getattr(story, name)(*arguments)
            story.check(policy["max_attempts"])
        transaction.set_rollback(True)
