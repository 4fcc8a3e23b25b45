"""The supervisor's board: the queue now, the work list of callbacks that need a person, and each
agent group's day. Every number links to the call log page filtered to exactly the callbacks it
counts (the same conditions: callbacks/board/, callbacks/work_list.py). Its parts keep themselves
current (live.js)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import health, work_list
from ..board import queue_now, today
from ..dates import shown_datetime, wait_words
from ..models import CallbackRequest
from ..permissions import VIEW_CALL_LOG
from ..selectors import STATUS_PEOPLE
from .callback_actions import CallbackAction, offered

ROWS_PER_LIST = 10  # the newest of each list; its count links to all of them
# A list's count is exact up to this many (a list that long is read in the call log, filtered):
# counting 90,000 unknown results at 3,000,000 callbacks took 30 ms of every refresh.
COUNT_UP_TO = 1_000
AMBER_POINTS = 10  # below the target by up to this many points: amber, further: red


def call_log_url(**filters: Any) -> str:
    return f"{reverse('call_log')}?{urlencode(filters)}"


@dataclass(frozen=True)
class WorkRow:
    callback: CallbackRequest
    actions: list[CallbackAction]


@dataclass(frozen=True)
class WorkList:
    need: work_list.Need
    count: int  # COUNT_UP_TO + 1 stands for "more than COUNT_UP_TO"
    rows: list[WorkRow]
    url: str

    @property
    def more_than(self) -> int | None:
        return COUNT_UP_TO if self.count > COUNT_UP_TO else None


def work_lists(now: datetime, user: User | AnonymousUser) -> list[WorkList]:
    lists = []
    for need in work_list.Need:
        on_list = CallbackRequest.objects.filter(work_list.condition(need, now))
        newest = "-finished_at" if need == work_list.Need.FAILED else "-requested_at"
        rows = on_list.select_related("contact", "agent_group", *STATUS_PEOPLE).order_by(
            newest, "-id"
        )[:ROWS_PER_LIST]
        lists.append(
            WorkList(
                need=need,
                count=on_list.order_by()[: COUNT_UP_TO + 1].count(),
                rows=[WorkRow(callback, offered(callback, user)) for callback in rows],
                url=call_log_url(needs=need.value),
            )
        )
    return lists


def shown_wait(wait: Any) -> str:
    return wait_words(wait) if wait is not None else "—"


def shown_share(share: float | None) -> str:
    return f"{share:.0%}" if share is not None else "—"


def target_colour(share: float | None, target_percent: int) -> str:
    """green at or above the target, amber up to AMBER_POINTS below it, red further below."""
    if share is None:
        return "none"
    if share * 100 >= target_percent:
        return "green"
    return "amber" if share * 100 >= target_percent - AMBER_POINTS else "red"


def group_row(day: today.GroupDay, now: datetime) -> dict[str, Any]:
    group = day.group
    start, _end = today.day_bounds(group, now)
    date = start.date().isoformat()
    scope = {"agent_group": group.pk, "period_after": date, "period_before": date}
    if group.time_zone != settings.TIME_ZONE:
        scope["zone"] = group.time_zone

    def cell(figure: today.Figure) -> dict[str, Any]:
        return {
            "count": day.counts[figure],
            "url": call_log_url(**scope, figure=figure.value),
            "figure": figure.value,
        }

    figures = {figure.value: cell(figure) for figure in today.Figure}
    return {
        "group": group,
        "figures": figures,
        "connect_rate": shown_share(day.connect_rate),
        "to_placed": (shown_wait(day.to_placed.median), shown_wait(day.to_placed.p90)),
        "to_connected": (shown_wait(day.to_connected.median), shown_wait(day.to_connected.p90)),
        "service_level": shown_share(day.service_level),
        "service_colour": target_colour(day.service_level, group.service_level_target),
        "punctuality": shown_share(day.punctuality),
    }


def sweeper_words(state: str) -> tuple[bool, str]:
    """(whether it works, the words for it)."""
    if state == health.OK:
        return True, _("Sweeper: working")
    if state == health.NEVER:
        return False, _("Sweeper: never ran")
    return False, _("Sweeper: stopped")


def board_context(request: HttpRequest, now: datetime) -> dict[str, Any]:
    queue = queue_now.queue_now(now)
    workers = queue_now.live_workers(now)
    return {
        "now": shown_datetime(now),
        "queue": [
            {
                "state": state,
                "count": queue.counts[state],
                "url": call_log_url(queue=state.value),
            }
            for state in queue_now.InQueue
        ],
        "waiting_for": shown_wait(now - queue.waiting_since) if queue.waiting_since else "—",
        "next_redial_at": shown_datetime(queue.next_redial_at) if queue.next_redial_at else "",
        "workers": workers,
        "sending_alive": queue_now.sending_worker_alive(workers),
        "sweeper": sweeper_words(health.sweeper_state()),
        "work_lists": work_lists(now, request.user),
        "groups": [group_row(day, now) for day in today.groups_today(now)],
        "board_url": request.get_full_path(),
    }


def board_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_CALL_LOG):  # someone who only sets groups up, say
        return redirect("admin:index")
    context = board_context(request, timezone.now())
    context |= {**admin.site.each_context(request), "title": _("Board")}
    return render(request, "admin/callbacks/board.html", context)
