"""Limits against harm and abuse, checked before a request is queued (and the do-not-call list
again before every attempt). A refusal is a (Refusal, message) pair the service records on the
request, so an auditor sees every one."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import (
    RINGING_STATUSES,
    CallbackNumber,
    CallbackRequest,
    CallbackStatus,
    DoNotCallNumber,
    Refusal,
)
from .numbers import check_customer_number


def refusal_for(*, numbers, user, now):
    """The first limit a new callback to `numbers` by `user` breaks, or None."""
    # The hourly limit comes before the cooldown: a manager may override the cooldown only.
    return (
        _number_policy_refusal(numbers)
        or _do_not_call_refusal(numbers)
        or _hourly_limit_refusal(user, now)
        or _cooldown_refusal(numbers, now)
    )


def _number_policy_refusal(numbers):
    for number in numbers:
        try:
            check_customer_number(number)
        except ValidationError as exc:
            return Refusal.NUMBER_POLICY, " ".join(exc.messages)
    return None


def numbers_on_do_not_call_list(request):
    """The numbers of a callback request (an id, or OuterRef("pk")) that are on the do-not-call list."""
    return CallbackNumber.objects.filter(
        request_id=request, number__in=DoNotCallNumber.objects.values("number")
    )


def do_not_call_numbers(numbers):
    return sorted(
        DoNotCallNumber.objects.filter(number__in=numbers).values_list("number", flat=True)
    )


def do_not_call_message(blocked):
    return _("On the do-not-call list: %(numbers)s. Nothing was sent.") % {
        "numbers": ", ".join(blocked)
    }


def _do_not_call_refusal(numbers):
    blocked = do_not_call_numbers(numbers)
    return (Refusal.DO_NOT_CALL, do_not_call_message(blocked)) if blocked else None


def recently_called(numbers, now):
    """Numbers a callback is about to ring or ringing (pending, sending), may have rung (unknown,
    until a person decides), or rang within the cooldown (placed)."""
    cutoff = now - timedelta(minutes=settings.CALLBACK_NUMBER_COOLDOWN_MINUTES)
    ringing = Q(request__status__in=RINGING_STATUSES) & (
        ~Q(request__status=CallbackStatus.PLACED) | Q(request__finished_at__gte=cutoff)
    )
    return sorted(
        set(
            CallbackNumber.objects.filter(ringing, number__in=numbers).values_list(
                "number", flat=True
            )
        )
    )


def _cooldown_refusal(numbers, now):
    recent = recently_called(numbers, now)
    if not recent:
        return None
    message = _(
        "%(numbers)s was called back less than %(minutes)d minutes ago. A support manager can place it anyway."
    ) % {"numbers": ", ".join(recent), "minutes": settings.CALLBACK_NUMBER_COOLDOWN_MINUTES}
    return Refusal.COOLDOWN, message


def _hourly_limit_refusal(user, now):
    limit = settings.CALLBACK_USER_HOURLY_LIMIT
    asked = (
        CallbackRequest.objects.filter(
            requested_by=user, requested_at__gte=now - timedelta(hours=1)
        )
        .exclude(status=CallbackStatus.REFUSED)
        .count()
    )
    if asked < limit:
        return None
    return Refusal.HOURLY_LIMIT, _(
        "You have asked for %(count)d callbacks in the last hour, the limit."
    ) % {"count": asked}
