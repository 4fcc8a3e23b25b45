"""List filters of our own: a date range typed in the sidebar, placed calls whose outcome never
came, cooldown refusals waiting for a support manager, the users who asked for a callback, an
attempt's result in its own words, a field's values found by its index, and a field's stock filter
under a title of ours."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .. import call_events
from ..dates import plausible
from ..filters import users_who_asked
from ..models import AttemptResult, CallbackStatus, ManagerReview
from ..models.events import EVENT_TYPES
from ..selectors import distinct_values


class DateRangeFilter(admin.FieldListFilter):
    """From and to dates typed in the sidebar (the field's __date__gte / __date__lte lookups)."""

    template = "admin/callbacks/date_range_filter.html"

    def __init__(
        self,
        field: models.Field[Any, Any],
        request: HttpRequest,
        params: dict[str, Any],
        model: type[models.Model],
        model_admin: admin.ModelAdmin[Any],
        field_path: str,
    ) -> None:
        self.since_parameter = f"{field_path}__date__gte"
        self.until_parameter = f"{field_path}__date__lte"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("%(field)s between") % {"field": field.verbose_name}

    def expected_parameters(self) -> list[str | None]:
        return [self.since_parameter, self.until_parameter]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The days as moments, from the first day's midnight to the midnight after the last, in
        the current time zone: a range the field's index serves (`__date` converts every row's
        time before comparing: two seconds for a day ten months back at 3,000,000 callbacks)."""
        bounds = {}
        for parameter, lookup, later in (
            (self.since_parameter, "gte", 0),
            (self.until_parameter, "lt", 1),
        ):
            typed = _first(self.used_parameters.get(parameter))
            if typed:
                bounds[f"{self.field_path}__{lookup}"] = _midnight(typed, later)
        return queryset.filter(**bounds)

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        # One "choice": the form; the template reads the current values and what to keep (not
        # the selected / query_string / display of a stock filter's links).
        mine = (self.since_parameter, self.until_parameter)
        yield {
            "since": _first(self.used_parameters.get(self.since_parameter)),
            "until": _first(self.used_parameters.get(self.until_parameter)),
            "since_parameter": self.since_parameter,
            "until_parameter": self.until_parameter,
            "kept": [
                (name, value)
                for name, values in changelist.get_filters_params().items()
                if name not in mine
                for value in (values if isinstance(values, list) else [values])
            ],
        }


def _first(value: Any) -> Any:
    return (value[0] if value else "") if isinstance(value, list) else (value or "")


def _midnight(typed: str, days_later: int) -> datetime:
    """The start of the typed day (or of a day after it) in the current time zone."""
    try:
        day: date | None = parse_date(typed)
    except ValueError:
        day = None
    if day is None or not plausible(day):
        raise IncorrectLookupParameters(f"not a date: {typed!r}")
    return timezone.make_aware(datetime.combine(day + timedelta(days=days_later), time.min))


class NoOutcomeReceivedFilter(admin.SimpleListFilter):
    """Placed callbacks whose final call event has not come long after the call must have ended."""

    title = _("call events")
    parameter_name = "no_outcome"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, Any]]:
        return [("1", _("No outcome received"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "1":
            return queryset & call_events.no_outcome_received()
        return queryset


class NeedsManagerFilter(admin.SimpleListFilter):
    """Cooldown refusals staff handed over to a support manager, who has not decided yet: the
    managers' "Needs a manager" list (?needs_manager=1)."""

    title = _("support manager's decision")
    parameter_name = "needs_manager"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, Any]]:
        return [("1", _("Needs a manager"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "1":
            return queryset.filter(
                manager_review=ManagerReview.WAITING, status=CallbackStatus.REFUSED
            )
        return queryset


class TestCallFilter(admin.SimpleListFilter):
    """Customers' callbacks or support managers' test calls (the list shows both by default: it
    is the record of what was sent)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, Any]]:
        return [("customer", _("Customers' calls")), ("test", _("Test calls"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("customer", "test"):
            return queryset.filter(is_test=self.value() == "test")
        return queryset


def titled(
    list_filter: type[admin.FieldListFilter], title: StrOrPromise
) -> type[admin.FieldListFilter]:
    """A field's list filter under our own title (the change trail's fields have English names
    only)."""

    class Titled(list_filter):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


class RequestedByFilter(admin.RelatedFieldListFilter):
    """Only the users who asked for at least one callback (an EXISTS per user on an index), not
    every account, nor a DISTINCT over all the callbacks."""

    def field_choices(
        self, field: models.Field[Any, Any], request: HttpRequest, model_admin: Any
    ) -> list[tuple[str, StrOrPromise]]:
        return [(str(user.pk), str(user)) for user in users_who_asked()]


# An attempt's result in words of its own: the callback's statuses ("Refused", "Placed") say what
# became of the whole callback, these what Exolve answered one MakeCallback.
ATTEMPT_RESULT_WORDS: dict[str, StrOrPromise] = {
    AttemptResult.SENDING: _("Sent, no answer yet"),
    AttemptResult.PLACED: _("Accepted by Exolve"),
    AttemptResult.REJECTED: _("Turned down by Exolve"),
    AttemptResult.TRANSIENT: _("Exolve busy or unreachable: nothing placed"),
    AttemptResult.UNKNOWN: _("No clear answer from Exolve"),
}


def attempt_result_words(result: str) -> str:
    return str(ATTEMPT_RESULT_WORDS.get(result, result))


class AttemptResultFilter(admin.SimpleListFilter):
    title = _("result")
    parameter_name = "result"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, Any]]:
        return list(ATTEMPT_RESULT_WORDS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(result=self.value()) if self.value() else queryset


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """The stock filter of a field's values, which it finds by walking the field's index instead
    of a SELECT DISTINCT over the table (half a second at 10 million attempts)."""

    def __init__(
        self,
        field: models.Field[Any, Any],
        request: HttpRequest,
        params: dict[str, Any],
        model: type[models.Model],
        model_admin: admin.ModelAdmin[Any],
        field_path: str,
    ) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        # choices() only iterates it: the values in a list do as well as the stock queryset.
        self.lookup_choices = distinct_values(model, field_path)  # type: ignore[assignment]


class EventTypeFilter(admin.SimpleListFilter):
    """A call event's type, in words (Exolve sends one letter)."""

    title = _("type")
    parameter_name = "type"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, Any]]:
        return list(EVENT_TYPES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(type=self.value()) if self.value() else queryset
