"""The work list's two readings agree: for any callback, the list `need_of` names in Python is the
one list whose database condition holds (and none when no condition does), so the board's rows,
its counts, the call log's filter and the "checked, no action" step never disagree."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks import work_list
from callbacks.models import (
    CallbackRequest,
    CallbackStatus,
    FinalState,
    ManagerReview,
)
from tests.helpers import make_callbacks

pytestmark = pytest.mark.django_db
MOMENTS = st.sampled_from([None, -48 * 3600, -3600, -60, 60])

CALLBACKS = st.fixed_dictionaries(
    {
        "status": st.sampled_from(list(CallbackStatus.values)),
        "final_state": st.sampled_from(["", *FinalState.values]),
        "manager_review": st.sampled_from(list(ManagerReview.values)),
        "is_test": st.booleans(),
        "checked_on": st.sampled_from(["", *work_list.Need.values]),
        "finished_at": MOMENTS,
        "outcome_expected_by": MOMENTS,
        "final_event_at": MOMENTS,
        "requested_at": st.sampled_from([-10 * 86400, -6 * 86400, -60]),
    }
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fields=CALLBACKS)
def test_need_of_names_the_one_list_whose_condition_holds(fields, agent_group, staff_user):
    now = timezone.now()
    moments = {
        name: (now + timedelta(seconds=fields[name]) if fields[name] is not None else None)
        for name in ("finished_at", "outcome_expected_by", "final_event_at", "requested_at")
    }
    with transaction.atomic():
        (callback,) = make_callbacks(
            1,
            agent_group,
            staff_user,
            first=0,
            status=fields["status"],
            final_state=fields["final_state"],
            manager_review=fields["manager_review"],
            is_test=fields["is_test"],
            checked_on=fields["checked_on"],
            **moments,
        )
        callback = CallbackRequest.objects.get(pk=callback.pk)
        holding = [
            need
            for need in work_list.Need
            if CallbackRequest.objects.filter(
                work_list.condition(need, now), pk=callback.pk
            ).exists()
        ]
        assert len(holding) <= 1, holding
        assert work_list.need_of(callback, now) == (holding[0] if holding else None)
        transaction.set_rollback(True)
