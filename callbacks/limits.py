"""Limits against harm and abuse, checked before a callback is queued (and the do-not-call list
again before every attempt). A refusal is a (Refusal, message) pair the service saves on the
callback, so an auditor sees every one."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import (
    RINGING_STATUSES,
    AgentGroup,
    CallbackNumber,
    CallbackRequest,
    CallbackStatus,
    DoNotCallNumber,
    Refusal,
)
from .numbers import check_customer_number, readable_number

RefusalReason = tuple[Refusal, str]


def refusal_for(
    *,
    numbers: Sequence[str],
    user: User,
    now: datetime,
    reopening: int | None = None,
    cooldown: bool = True,
    rings_at: datetime | None = None,
) -> RefusalReason | None:
    """The first limit a callback to `numbers` by `user` breaks, or None: a new one, or the
    callback `reopening` placed once more (itself not counted; `cooldown` False when a manager
    overrides it). `rings_at`: when it will ring, if later than now (scheduled): the cooldown
    counts back from then, so tomorrow's callback is not refused for a call a minute ago."""
    # The hourly limit comes before the cooldown: a manager may override the cooldown only.
    return (
        _number_policy_refusal(numbers)
        or _do_not_call_refusal(numbers)
        or _hourly_limit_refusal(user, now, reopening)
        or (_cooldown_refusal(numbers, max(now, rings_at or now), reopening) if cooldown else None)
    )


def refusal_at_claim(callback_id: int) -> RefusalReason | None:
    """Why a pending callback may no longer be sent: its group was deactivated, or one of its
    numbers went onto the do-not-call list."""
    inactive = CallbackRequest.objects.filter(pk=callback_id, agent_group__is_active=False)
    group_name = inactive.values_list("agent_group__name", flat=True).first()
    if group_name is not None:
        return Refusal.GROUP_INACTIVE, inactive_group_message(group_name)
    blocked = sorted(numbers_on_do_not_call_list(callback_id).values_list("number", flat=True))
    return (Refusal.DO_NOT_CALL, do_not_call_message(blocked)) if blocked else None


def inactive_group_message(group_name: str) -> str:
    return _("Agent group “%(group)s” is not active. Nothing was sent.") % {"group": group_name}


def no_opening_message(agent_group: AgentGroup) -> str:
    return _("“%(group)s” has no working hours in the coming year.") % {"group": agent_group}


def _number_policy_refusal(numbers: Iterable[str]) -> RefusalReason | None:
    for number in numbers:
        try:
            check_customer_number(number)
        except ValidationError as exc:
            return Refusal.NUMBER_POLICY, " ".join(exc.messages)
    return None


def numbers_on_do_not_call_list(callback: Any) -> QuerySet[CallbackNumber]:
    """The numbers of a callback (an id, or OuterRef("pk") in a query over callbacks) that are on
    the do-not-call list."""
    return CallbackNumber.objects.filter(
        callback_id=callback, number__in=DoNotCallNumber.objects.values("number")
    )


def do_not_call_numbers(numbers: Iterable[str]) -> list[str]:
    return sorted(
        DoNotCallNumber.objects.filter(number__in=numbers).values_list("number", flat=True)
    )


def do_not_call_message(blocked: Iterable[str]) -> str:
    return _("On the do-not-call list: %(numbers)s. Nothing was sent.") % {
        "numbers": readable_numbers(blocked)
    }


def _do_not_call_refusal(numbers: Iterable[str]) -> RefusalReason | None:
    blocked = do_not_call_numbers(numbers)
    return (Refusal.DO_NOT_CALL, do_not_call_message(blocked)) if blocked else None


def recently_called(
    numbers: Iterable[str], now: datetime, excluding: int | None = None
) -> tuple[list[str], list[str]]:
    """Numbers a callback (other than `excluding`) is about to ring or ringing (pending, sending)
    or may have rung (unknown, until a person decides); and numbers one rang within the cooldown
    (placed)."""
    cutoff = now - timedelta(minutes=settings.CALLBACK_NUMBER_COOLDOWN_MINUTES)
    ringing = Q(callback__status__in=RINGING_STATUSES) & (
        ~Q(callback__status=CallbackStatus.PLACED) | Q(callback__finished_at__gte=cutoff)
    )
    called = CallbackNumber.objects.filter(ringing, number__in=numbers).exclude(
        callback_id=excluding
    )
    rows = set(called.values_list("number", "callback__status"))
    waiting = sorted({number for number, status in rows if status != CallbackStatus.PLACED})
    placed = sorted({number for number, _status in rows} - set(waiting))
    return waiting, placed


def _cooldown_refusal(
    numbers: Iterable[str], now: datetime, excluding: int | None
) -> RefusalReason | None:
    waiting, placed = recently_called(numbers, now, excluding)
    if waiting:  # no call yet, or none known: "called back a minute ago" would not be true
        message = _(
            "Another callback to %(numbers)s is waiting, being placed, or awaiting a person's "
            "decision. A support manager can place this one anyway."
        ) % {"numbers": readable_numbers(waiting)}
        return Refusal.COOLDOWN, message
    if not placed:
        return None
    recent = placed
    minutes = settings.CALLBACK_NUMBER_COOLDOWN_MINUTES
    message = ngettext(
        "%(numbers)s was called back less than %(minutes)d minute ago. "
        "A support manager can place it anyway.",
        "%(numbers)s was called back less than %(minutes)d minutes ago. "
        "A support manager can place it anyway.",
        minutes,
    ) % {"numbers": readable_numbers(recent), "minutes": minutes}
    return Refusal.COOLDOWN, message


def _hourly_limit_refusal(user: User, now: datetime, excluding: int | None) -> RefusalReason | None:
    asked = (
        CallbackRequest.objects.filter(
            requested_by=user, requested_at__gte=now - timedelta(hours=1)
        )
        .exclude(status=CallbackStatus.REFUSED)
        .exclude(pk__in=[excluding] if excluding else [])
        .count()
    )
    if asked < settings.CALLBACK_USER_HOURLY_LIMIT:
        return None
    message = ngettext(
        "You have asked for %(count)d callback in the last hour, the limit.",
        "You have asked for %(count)d callbacks in the last hour, the limit.",
        asked,
    )
    return Refusal.HOURLY_LIMIT, message % {"count": asked}


def readable_numbers(numbers: Iterable[str]) -> str:
    return ", ".join(readable_number(number) for number in numbers)
