"""The change trail's rows across the tracked models, newest first, one page at a time.

Each model has its own history table, so a page is merged: every table gives its newest
`offset + size + 1` matching (date, id) pairs (an index scan on history_date), these are merged in
Python, and only the page's rows are then loaded, with their user, their related objects and the
row before each. The number of queries depends on the number of models, not on the rows."""

import heapq
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery

from ..models import (
    AgentGroup,
    Contact,
    ContactNumber,
    Destination,
    Holiday,
    MediaResource,
    TtsPreset,
    WorkingHours,
)
from .base import concrete_relations

# The models whose changes are recorded (README, "Who changed what"), in the order offered.
TRACKED_MODELS: list[type[models.Model]] = [
    AgentGroup,
    Destination,
    WorkingHours,
    Holiday,
    MediaResource,
    TtsPreset,
    Contact,
    ContactNumber,
]


@dataclass(frozen=True)
class TrailQuery:
    """What the page asks for: the models to read (already limited to what the user may read),
    and the filters."""

    tracked: Sequence[type[models.Model]]
    object_id: int | None = None
    user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def matching(self, model: type[models.Model]) -> QuerySet[Any]:
        history: QuerySet[Any] = model.history.all()  # type: ignore[attr-defined]
        conditions = Q()
        if self.object_id is not None:
            conditions &= Q(id=self.object_id)
        if self.user_id is not None:
            conditions &= Q(history_user_id=self.user_id)
        if self.since is not None:
            conditions &= Q(history_date__gte=self.since)
        if self.until is not None:
            conditions &= Q(history_date__lt=self.until)
        return history.filter(conditions)


@dataclass(frozen=True)
class TrailPage:
    rows: list[Any]  # historical records, each with `previous_record` (None for an object's first)
    has_next: bool


def trail_page(query: TrailQuery, offset: int, size: int) -> TrailPage:
    keys = list(itertools.islice(_newest_keys(query, offset + size + 1), offset, offset + size + 1))
    page_keys = keys[:size]
    loaded = _load(query.tracked, page_keys)
    rows = [loaded[(index, history_id)] for _date, index, history_id in page_keys]
    return TrailPage(rows=rows, has_next=len(keys) > size)


def _newest_keys(query: TrailQuery, limit: int) -> Iterator[tuple[datetime, int, int]]:
    """(date, model's index, history id) of the newest rows of every model, newest first."""
    per_model = [
        [
            (date, index, history_id)
            for date, history_id in query.matching(model)
            .order_by("-history_date", "-history_id")
            .values_list("history_date", "history_id")[:limit]
        ]
        for index, model in enumerate(query.tracked)
    ]
    return heapq.merge(*per_model, reverse=True)


def _load(
    tracked: Sequence[type[models.Model]], keys: Iterable[tuple[datetime, int, int]]
) -> dict[tuple[int, int], Any]:
    wanted: dict[int, list[int]] = {}
    for _date, index, history_id in keys:
        wanted.setdefault(index, []).append(history_id)
    loaded = {}
    for index, history_ids in wanted.items():
        for history_id, row in _rows_with_previous(tracked[index], history_ids).items():
            loaded[(index, history_id)] = row
    return loaded


def _rows_with_previous(model: type[models.Model], history_ids: list[int]) -> dict[int, Any]:
    history = model.history.model  # type: ignore[attr-defined]
    earlier = (
        history._default_manager.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    rows: dict[int, Any] = (
        history._default_manager.select_related("history_user", *concrete_relations(model))
        .annotate(previous_history_id=Subquery(earlier))
        .in_bulk(history_ids)
    )
    previous = history._default_manager.in_bulk(
        [row.previous_history_id for row in rows.values() if row.previous_history_id]
    )
    for row in rows.values():
        row.previous_record = previous.get(row.previous_history_id)
    return rows
