"""The board as staff, auditors and support managers read it: its numbers equal counts of the
callbacks made here, and each links to the call log page listing exactly those callbacks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callbacks.board.today import day_bounds
from tests.helpers import make_callbacks
from tests.integration.board.board_data import (
    expected_figures,
    expected_waits,
    figure_links,
    listed_ids,
    one_of_each,
)

pytestmark = pytest.mark.django_db
BOARD = reverse("admin:board")


@pytest.mark.parametrize("role", ["staff_user", "auditor", "manager"])
def test_each_number_counts_and_links_to_exactly_its_callbacks(
    role, request, agent_group, staff_user, as_user
):
    one_of_each(agent_group, staff_user)
    client = as_user(request.getfixturevalue(role))
    page = client.get(BOARD).content.decode()
    shown = figure_links(page, agent_group.pk)
    expected = expected_figures(agent_group, timezone.now())
    assert set(expected) <= set(shown)
    for figure, rows in expected.items():
        text, url = shown[figure]
        if figure.startswith("timed_"):  # the waits' median and 90th percentile of these rows
            assert text == expected_waits(figure, rows), figure
        else:
            assert int(text) == len(rows), figure
        assert listed_ids(client.get(url).content.decode()) == rows, figure
    assert len(expected["requested"]) == 14  # every state but the test call and yesterday's


def test_the_service_level_reads_the_groups_target(agent_group, staff_user, as_user):
    one_of_each(agent_group, staff_user)
    page = as_user(staff_user).get(BOARD).content.decode()
    # Connected within 5 minutes: one of the two connected at once, of those counted.
    expected = expected_figures(agent_group, timezone.now())
    share = len(expected["service_met"]) / len(expected["service_counted"])
    assert f'<strong class="group-service">{share:.0%}</strong>' in page


def test_the_queue_counts_link_to_their_callbacks(agent_group, staff_user, as_user):
    made = one_of_each(agent_group, staff_user)
    client = as_user(staff_user)
    page = client.get(BOARD).content.decode()
    for state, names in {
        "waiting": {"waiting"},
        "next_hour": {"next_hour"},
        "later": {"redial_later"},
        "sending": {"sending"},
        "redials": {"redial_later"},
    }.items():
        url = reverse("call_log") + f"?queue={state}"
        assert f'id="queue-{state}" href="{url}"><span class="board-number">{len(names)}<' in page
        assert listed_ids(client.get(url).content.decode()) == {made[n].pk for n in names}


def test_the_work_list_lists_each_kind_once_and_leaves_out_test_calls(
    agent_group, staff_user, as_user
):
    made = one_of_each(agent_group, staff_user)
    client = as_user(staff_user)
    for need, names in {
        "unknown": {"unknown"},
        "no_outcome": {"no_outcome"},
        "failed": {"not_placed"},
        "cooldown": {"cooldown"},
        "not_reached": {"not_reached", "agents_no_answer"},
    }.items():
        url = reverse("call_log") + f"?needs={need}"
        assert listed_ids(client.get(url).content.decode()) == {made[n].pk for n in names}, need


def test_staff_mark_a_callback_checked_and_an_auditor_reads_who_and_why(
    agent_group, staff_user, auditor, as_user
):
    made = one_of_each(agent_group, staff_user)
    unknown = made["unknown"]
    client = as_user(staff_user)
    page = client.get(BOARD).content.decode()
    action = reverse("admin:callbacks_callbackrequest_checked", args=[unknown.pk])
    assert f'href="{action}?next=' in page
    answer = client.post(f"{action}?next={BOARD}", {"note": "Клиент дозвонился сам", "next": BOARD})
    assert answer.status_code == 302
    assert answer["Location"] == BOARD
    assert f'data-callback="{unknown.pk}"' not in client.get(BOARD).content.decode()
    unknown.refresh_from_db()
    assert unknown.checked_on == "unknown"
    story = as_user(auditor).get(
        reverse("admin:callbacks_callbackrequest_change", args=[unknown.pk])
    )
    text = story.content.decode()
    assert 'id="callback-checks"' in text
    assert "Клиент дозвонился сам" in text
    assert ">staff<" in text
    assert "callback-checked" not in text  # an auditor is offered no action


def test_auditors_see_no_buttons_on_the_work_list(agent_group, staff_user, auditor, as_user):
    one_of_each(agent_group, staff_user)
    page = as_user(auditor).get(BOARD).content.decode()
    assert 'class="work-row"' in page
    assert 'class="button callback-' not in page


def test_a_check_of_a_callback_off_the_list_is_refused(agent_group, staff_user, as_user):
    made = one_of_each(agent_group, staff_user)
    action = reverse("admin:callbacks_callbackrequest_checked", args=[made["connected_fast"].pk])
    answer = as_user(staff_user).post(action, {"note": "x"})
    assert answer.status_code == 200
    assert "no longer on the work list" in answer.content.decode()
    assert not made["connected_fast"].checks.exists()


def test_everyone_lands_on_the_board_after_logging_in(client, staff_user):
    page = client.get(reverse("admin:login"))
    assert f'name="next" value="{BOARD}"' in page.content.decode()
    answer = client.post(
        reverse("admin:login"), {"username": "staff", "password": "pass-1234", "next": BOARD}
    )
    assert answer["Location"] == BOARD


def test_a_group_in_another_zone_counts_and_links_its_own_day(agent_group, staff_user, as_user):
    """Vladivostok's day starts at 17:00 Moscow time the day before: a callback just after its
    midnight is today there, one just before is yesterday, whatever the site's date."""
    agent_group.time_zone = "Asia/Vladivostok"
    agent_group.save()
    now = timezone.now()
    start, _end = day_bounds(agent_group, now)
    after = start + min(timedelta(minutes=30), (now - start) / 2)
    make_callbacks(1, agent_group, staff_user, first=0, requested_at=after)
    make_callbacks(1, agent_group, staff_user, first=1, requested_at=start - timedelta(minutes=30))
    client = as_user(staff_user)
    count, url = figure_links(client.get(BOARD).content.decode(), agent_group.pk)["requested"]
    expected = expected_figures(agent_group, timezone.now())["requested"]
    assert int(count) == len(expected) == 1
    assert "zone=Asia%2FVladivostok" in url
    assert listed_ids(client.get(url).content.decode()) == expected


def test_a_long_list_says_more_than_its_limit(agent_group, staff_user, as_user, monkeypatch):
    from callbacks.admin import board_page

    monkeypatch.setattr(board_page, "COUNT_UP_TO", 2)
    make_callbacks(3, agent_group, staff_user, status="unknown")
    page = as_user(staff_user).get(BOARD).content.decode()
    assert '<span class="board-count">more than 2</span>' in page
