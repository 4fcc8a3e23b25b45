"""Reads shared by the admin, the call log page and the delivery services."""

import re
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q, QuerySet

from .models import (
    AgentGroup,
    CallbackAttempt,
    CallbackNumber,
    CallbackRequest,
    Contact,
    ContactNumber,
    Destination,
)
from .numbers import normalize_typed_or_stored_number

AUDIO_RELATIONS = [
    "agent_media_resource",
    "agent_tts_preset",
    "contact_media_resource",
    "contact_tts_preset",
]
CALL_ID = re.compile(r"cal[0-9a-f-]{8,}", re.IGNORECASE)
REQUEST_DESCRIPTION = re.compile(r"callback-[0-9a-f-]{8,}", re.IGNORECASE)


def active_agent_groups() -> QuerySet[AgentGroup]:
    return (
        AgentGroup.objects.filter(is_active=True)
        .select_related(*AUDIO_RELATIONS)
        .prefetch_related("destinations", "working_hours", "holidays")
    )


def agent_line(agent_group: AgentGroup) -> list[Destination]:
    """The agent group's destinations in dialling order."""
    return list(agent_group.destinations.all())


def callback_lines(
    agent_group: AgentGroup, contact: Contact
) -> tuple[list[Destination], list[ContactNumber]]:
    """The agent group's destinations and the contact's numbers, each in dialling order."""
    return agent_line(agent_group), list(contact.numbers.all())


def latest_test_call(agent_group: AgentGroup, manager: User) -> CallbackRequest | None:
    """The manager's last test call through the group (delivery/test_call.py)."""
    return (
        CallbackRequest.objects.filter(
            agent_group=agent_group, is_test=True, contact__test_caller=manager
        )
        .select_related(*STATUS_PEOPLE)
        .order_by("-requested_at", "-id")
        .first()
    )


# Whom a callback's status_text names: the manager who decided, the person who handed it over.
STATUS_PEOPLE = ("decided_by", "reviewed_by", "handed_over_by")


def recent_callbacks(contact: Contact, limit: int = 20) -> QuerySet[CallbackRequest]:
    return (
        CallbackRequest.objects.filter(contact=contact)
        .select_related(*STATUS_PEOPLE, "agent_group", "requested_by")
        .order_by("-requested_at", "-id")[:limit]
    )


def call_log() -> QuerySet[CallbackRequest]:
    """Callbacks for the call log's lists and its export: newest first, with what each row shows."""
    return (
        CallbackRequest.objects.select_related(
            "contact", "agent_group", "requested_by", *STATUS_PEOPLE
        )
        .prefetch_related("numbers")
        .order_by("-requested_at", "-id")
    )


def search_callbacks(queryset: QuerySet[CallbackRequest], term: str) -> QuerySet[CallbackRequest]:
    """Callbacks matching what was typed, by its shape: a call id (of the callback or of any of
    its attempts), our request description (a callback's or an attempt's), a phone number however
    typed, or else the start of the contact's name. Each goes to one index; an OR of them all
    would read the whole table."""
    term = term.strip()
    if not term:
        return queryset
    if CALL_ID.fullmatch(term) or REQUEST_DESCRIPTION.fullmatch(term):
        term = term.lower()  # ours and Exolve's ids are lower case
    if CALL_ID.fullmatch(term):
        earlier_calls = CallbackAttempt.objects.filter(call_id=term).values_list(
            "callback_id", flat=True
        )
        return queryset.filter(
            pk__in=[*queryset.filter(call_id=term).values_list("pk", flat=True), *earlier_calls]
        )
    if REQUEST_DESCRIPTION.fullmatch(term):
        # An attempt's id is its callback's with -<sequence> at the end.
        request_description = term.rsplit("-", 1)[0] if term.count("-") > 5 else term
        return queryset.filter(request_description=request_description)
    try:
        number = normalize_typed_or_stored_number(term)
    except ValidationError:
        return queryset.filter(contact__name__istartswith=term)
    called = CallbackNumber.objects.filter(number=number).values("callback_id")
    return queryset.filter(pk__in=called)


def search_attempts(queryset: QuerySet[CallbackAttempt], term: str) -> QuerySet[CallbackAttempt]:
    """Attempts whose call id or own request description is what was typed: two index lookups,
    where the admin's case-insensitive search (UPPER(call_id) = UPPER(…)) reads every attempt."""
    term = term.strip()
    if not term:
        return queryset
    if CALL_ID.fullmatch(term) or REQUEST_DESCRIPTION.fullmatch(term):
        term = term.lower()  # ours and Exolve's ids are lower case
    return queryset.filter(Q(call_id=term) | Q(request_description=term))


def distinct_values(model: type[models.Model], field_name: str) -> list[object]:
    """A column's distinct values in order, None last if some row has none. It walks the index
    that leads with the column, one probe per value (a recursive query), where SELECT DISTINCT
    reads every row: for a column of few values, such as an attempt's HTTP status."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    field = cast("models.Field[Any, Any]", model._meta.get_field(field_name))
    column = quote(field.column)
    walk = f"""
        WITH RECURSIVE walk(value) AS (
            SELECT MIN({column}) FROM {table}
            UNION ALL
            SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > walk.value)
            FROM walk WHERE walk.value IS NOT NULL
        )
        SELECT value FROM walk WHERE value IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(walk)
        values: list[object] = [value for (value,) in cursor.fetchall()]
    if model._default_manager.filter(**{f"{field_name}__isnull": True}).exists():
        values.append(None)
    return values
