"""The outcome is total: whatever a stored event holds (it came from outside), the legs and the
outcome are computed, and what cannot be believed reads as unknown."""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks import outcomes

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(10**400)])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
final_payloads = st.fixed_dictionaries(
    {},
    optional={
        "duration": json_values,
        "started": json_values
        | st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"]),
        "cause": json_values,
        "hangup_cause": json_values,
    },
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a loaded 2-core CI
@given(first=final_payloads, second=final_payloads)
def test_any_final_event_gives_legs_and_an_outcome(first, second):
    events = [("A", "o", AT, {}), ("A", "d", AT, first), ("B", "o", AT, {}), ("B", "d", AT, second)]
    legs = [outcomes.leg(side, events) for side in (outcomes.FIRST_LEG, outcomes.SECOND_LEG)]
    assert outcomes.call_outcome(*legs, contact_first=False) in {
        "connected",
        "agents_no_answer",
        "contact_no_answer",
        "failed",
    }
    for leg in legs:
        assert leg.talk_seconds is None or 0 <= leg.talk_seconds <= outcomes.LONGEST_TALK_MS / 1000
        assert len(leg.cause) <= outcomes.CODE_MAX_LENGTH
        assert leg.answered_at is None or leg.answered_at.tzinfo is not None


@pytest.mark.parametrize(
    ("duration", "talk_seconds"),
    [
        (54000, 54),
        (0, 0),
        (int("9" * 400), None),  # 400 digits: round(talk_ms / 1000) overflowed
        (float("inf"), None),
        (float("nan"), None),
        (-1000, None),
        ("54000", None),
        (True, None),
    ],
)
def test_a_talk_time_that_cannot_be_believed_is_unknown(duration, talk_seconds):
    leg = outcomes.leg("A", [("A", "d", AT, {"duration": duration, "cause": "16"})])
    assert leg.talk_seconds == talk_seconds


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("2026-11-28T10:00:01Z", datetime(2026, 11, 28, 10, 0, 1, tzinfo=UTC)),
        ("2026-11-28T10:00:01", None),  # no offset
        ("2026-02-30T10:00:00Z", None),
        ("0001-01-01T00:00:00+05:00", None),  # before year 1 in UTC
        ("9999-12-31T23:00:00-05:00", None),  # after 9999 in UTC
        ("1999-12-31T23:59:59Z", None),
        (20261128, None),
        (None, None),
    ],
)
def test_a_time_is_rfc_3339_with_its_offset_within_sane_years(value, parsed):
    assert outcomes.parse_time(value) == parsed


def test_a_cause_is_a_short_code_or_nothing():
    leg = outcomes.leg("A", [("A", "d", AT, {"cause": 17, "hangup_cause": ["x"] * 100})])
    assert (leg.cause, leg.hangup_cause) == ("17", "")
    assert outcomes.leg("A", [("A", "d", AT, {"cause": "x" * 1000})]).cause == "x" * 64


def legs_from(*events):
    """(side, type, payload) events, in any order, as the two legs."""
    rows = [(side, kind, AT, payload) for side, kind, payload in events]
    return [outcomes.leg(side, rows) for side in (outcomes.FIRST_LEG, outcomes.SECOND_LEG)]


CLEARED = {"cause": "16", "duration": 0}  # the agents' end when the contact never answered
NO_ANSWER = {"cause": "19", "duration": 0}


@pytest.mark.parametrize(
    ("events", "settled"),
    [
        ([("A", "s", {}), ("A", "d", CLEARED), ("B", "d", NO_ANSWER)], True),
        ([("A", "d", NO_ANSWER)], True),  # the first leg not answered: the second never rings
        ([("A", "d", {"cause": "38"})], True),
        # The first leg's answer is still on its way: its end alone says nothing about it.
        ([("A", "d", CLEARED)], False),
        ([("A", "d", CLEARED), ("B", "d", NO_ANSWER)], False),
        ([("A", "d", {}), ("B", "d", NO_ANSWER)], False),
        # The second leg's answer is still on its way: a person may have spoken.
        ([("A", "s", {}), ("A", "d", CLEARED), ("B", "d", {"cause": "16"})], False),
        ([("A", "s", {}), ("A", "d", CLEARED)], False),  # the second leg may still ring
    ],
)
def test_an_outcome_is_settled_only_once_every_leg_that_ended_says_whether_it_was_answered(
    events, settled
):
    assert outcomes.is_settled(*legs_from(*events)) is settled
