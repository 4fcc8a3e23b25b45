"""The call log page: which callbacks to show (django-filter)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from . import call_events, work_list
from .board import queue_now, today
from .dates import plausible
from .models import (
    AgentGroup,
    CallbackNumber,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    FinalState,
)
from .numbers import normalize_typed_or_stored_number

NO_OUTCOME = "no_outcome"
# Which calls: customers' by default (test calls are not counted in what the log reports).
TEST_CALLS, ALL_CALLS = "test", "all"
# The values a yes/no select sent before ("true", "false"), so bookmarked addresses still work.
YES, NO = "true", "false"
ANY = _("Any")  # every select's empty choice: no filter


def users_who_asked() -> QuerySet[AbstractBaseUser]:
    """The accounts with at least one callback: an EXISTS per account on the index that leads with
    requested_by, not a DISTINCT over every callback."""
    asked = CallbackRequest.objects.filter(requested_by=OuterRef("pk"))
    users: QuerySet[AbstractBaseUser] = get_user_model().objects.filter(Exists(asked))
    return users.order_by("username")


class CallLogFilterForm(forms.Form):
    def clean_number(self) -> str:
        typed: str = self.cleaned_data.get("number", "")
        # A number typed any way becomes the stored form; anything else, a message on the field.
        return normalize_typed_or_stored_number(typed) if typed else typed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        period = cleaned.get("period")
        if period and not all(plausible(end) for end in (period.start, period.stop) if end):
            self.add_error("period", ValidationError(_("Enter a date from 2000 to 2999.")))
            return cleaned
        if period and period.start and period.stop and period.start > period.stop:
            self.add_error("period", ValidationError(_("The period ends before it starts.")))
        if period and cleaned.get("zone"):
            cleaned["period"] = in_zone(period, cleaned["zone"])
        figure = cleaned.get("figure")
        if figure in today.GROUP_TARGET_FIGURES and not cleaned.get("agent_group"):
            message = _("Choose the agent group too: its targets say what counts.")
            self.add_error("figure", ValidationError(message))
        return cleaned


def in_zone(period: slice, zone: str) -> slice:
    """The period's days in another zone: django-filter made them in the site's (the same
    wall-clock midnights, in `zone`)."""

    def moved(moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        return timezone.make_aware(timezone.make_naive(moment), ZoneInfo(zone))

    return slice(moved(period.start), moved(period.stop), period.step)


def zone_choices() -> list[tuple[str, str]]:
    """The time zones the agent groups work in, besides the site's (the empty choice)."""
    zones = AgentGroup.objects.exclude(time_zone=settings.TIME_ZONE).values_list(
        "time_zone", flat=True
    )
    return [(zone, zone) for zone in sorted(set(zones))]


class CallLogFilter(django_filters.FilterSet):
    period = django_filters.DateFromToRangeFilter(
        field_name="requested_at",
        label=_("Requested between"),
        widget=DateRangeWidget(attrs={"type": "date"}),
    )
    status = django_filters.ChoiceFilter(
        choices=CallbackStatus.choices, label=_("Status"), empty_label=ANY
    )
    outcome = django_filters.ChoiceFilter(
        choices=[*CallOutcome.choices, (NO_OUTCOME, _("No outcome received"))],
        method="filter_outcome",
        label=_("Call outcome"),
        empty_label=ANY,
    )
    final_state = django_filters.ChoiceFilter(
        choices=FinalState.choices, label=_("Final state"), empty_label=ANY
    )
    agent_group = django_filters.ModelChoiceFilter(
        queryset=AgentGroup.objects.order_by("name"), label=_("Agent group"), empty_label=ANY
    )
    requested_by = django_filters.ModelChoiceFilter(
        queryset=lambda request: users_who_asked(), label=_("Requested by"), empty_label=ANY
    )
    contact = django_filters.CharFilter(
        field_name="contact__name", lookup_expr="istartswith", label=_("Contact name starts with")
    )
    number = django_filters.CharFilter(method="filter_number", label=_("Number"))
    zone = django_filters.ChoiceFilter(
        choices=zone_choices,
        empty_label=settings.TIME_ZONE,
        method="filter_nothing",  # the period's dates are read in it (CallLogFilterForm.clean)
        label=_("Dates in the time zone"),
    )
    needs = django_filters.ChoiceFilter(
        choices=work_list.Need.choices,
        method="filter_needs",
        label=_("Needs a person"),
        empty_label=ANY,
    )
    queue = django_filters.ChoiceFilter(
        choices=queue_now.InQueue.choices,
        method="filter_queue",
        label=_("In the queue now"),
        empty_label=ANY,
    )
    figure = django_filters.ChoiceFilter(
        choices=today.Figure.choices,
        method="filter_figure",
        label=_("Counted on the board as"),
        empty_label=ANY,
    )
    kind = django_filters.ChoiceFilter(
        choices=[(TEST_CALLS, _("Test calls only")), (ALL_CALLS, _("Customers' and test calls"))],
        empty_label=_("Customers' calls"),
        method="filter_kind",
        label=_("Calls"),
    )
    has_error = django_filters.ChoiceFilter(
        choices=[(YES, _("Yes")), (NO, _("No"))],
        empty_label=ANY,
        method="filter_has_error",
        label=_("Has an error"),
    )

    class Meta:
        model = CallbackRequest
        fields: list[str] = []
        form = CallLogFilterForm

    def filter_queryset(self, queryset: QuerySet[CallbackRequest]) -> QuerySet[CallbackRequest]:
        if not self.form.cleaned_data.get("kind"):  # the default: customers' calls only
            queryset = queryset.filter(is_test=False)
        self.now = timezone.now()  # one moment for every filter that reads the clock
        filtered: QuerySet[CallbackRequest] = super().filter_queryset(queryset)
        return filtered

    def filter_nothing(
        self, queryset: QuerySet[CallbackRequest], name: str, value: str
    ) -> QuerySet[CallbackRequest]:
        return queryset

    def filter_needs(
        self, queryset: QuerySet[CallbackRequest], name: str, value: str
    ) -> QuerySet[CallbackRequest]:
        return queryset.filter(work_list.condition(work_list.Need(value), self.now))

    def filter_queue(
        self, queryset: QuerySet[CallbackRequest], name: str, value: str
    ) -> QuerySet[CallbackRequest]:
        return queryset.filter(queue_now.condition(queue_now.InQueue(value), self.now))

    def filter_figure(
        self, queryset: QuerySet[CallbackRequest], name: str, value: str
    ) -> QuerySet[CallbackRequest]:
        group = self.form.cleaned_data.get("agent_group")
        return queryset.filter(today.condition(today.Figure(value), group, self.now))

    def filter_kind(
        self, queryset: QuerySet[CallbackRequest], name: str, value: str
    ) -> QuerySet[CallbackRequest]:
        return queryset.filter(is_test=True) if value == TEST_CALLS else queryset

    def filter_outcome(
        self, queryset: QuerySet[CallbackRequest], name: str, value: str
    ) -> QuerySet[CallbackRequest]:
        if value == NO_OUTCOME:
            return queryset & call_events.no_outcome_received()
        return queryset.filter(call_outcome=value)

    def filter_number(
        self, queryset: QuerySet[CallbackRequest], name: str, value: str
    ) -> QuerySet[CallbackRequest]:
        return queryset.filter(
            Exists(CallbackNumber.objects.filter(callback=OuterRef("pk"), number=value))
        )

    def filter_has_error(
        self, queryset: QuerySet[CallbackRequest], name: str, value: str
    ) -> QuerySet[CallbackRequest]:
        return queryset.exclude(error="") if value == YES else queryset.filter(error="")
