"""What keeps the history lists fast at millions of rows: a count that is estimated past a few
thousand rows, pages fetched by primary key, and a search that goes to one index by what was typed."""

import re

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .models import CallbackAttempt, CallbackNumber
from .numbers import normalize_typed_or_stored_number

EXACT_COUNT_UP_TO = 10_000
MAX_PAGE = 100_000  # a page number past this is a typo, not a page (and would overflow the OFFSET)
CALL_ID = re.compile(r"cal[0-9a-f-]{8,}", re.IGNORECASE)
REQUEST_DESCRIPTION = re.compile(r"callback-[0-9a-f-]{8,}", re.IGNORECASE)


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to EXACT_COUNT_UP_TO rows and, beyond that on PostgreSQL, takes the
    planner's estimate instead of a COUNT(*) over the whole table on every page. A page reads the
    ids of its rows first (a narrow index scan, however deep), then only those rows with their joins."""

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        exact = queryset.order_by()[: EXACT_COUNT_UP_TO + 1].count()
        if exact <= EXACT_COUNT_UP_TO:
            return exact
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = plan[0] if isinstance(plan, list) else plan  # psycopg may hand back parsed JSON
        return max(exact, int(plan["Plan"]["Plan Rows"]))

    def validate_number(self, number):
        """Any page from 1 to MAX_PAGE: past an estimated count there may still be rows (a page
        past the last one is simply empty)."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if not 1 <= number <= MAX_PAGE:
            raise EmptyPage(_("That page contains no results"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def search_history(queryset, term):
    """Requests matching what was typed, by its shape: a call id (of the request or of any of its
    attempts), our request description, a phone number however typed, or else the start of the
    contact's name. Each goes to one index; an OR of them all would read the whole table."""
    term = term.strip()
    if not term:
        return queryset
    if CALL_ID.fullmatch(term) or REQUEST_DESCRIPTION.fullmatch(term):
        term = term.lower()  # ours and Exolve's ids are lower case
    if CALL_ID.fullmatch(term):
        earlier_calls = CallbackAttempt.objects.filter(call_id=term).values_list(
            "request_id", flat=True
        )
        return queryset.filter(
            pk__in=[*queryset.filter(call_id=term).values_list("pk", flat=True), *earlier_calls]
        )
    if REQUEST_DESCRIPTION.fullmatch(term):
        request_description = (
            term.rsplit("-", 1)[0] if term.count("-") > 5 else term
        )  # an attempt's id ends in -<n>
        return queryset.filter(request_description=request_description)
    try:
        number = normalize_typed_or_stored_number(term)
    except ValidationError:
        return queryset.filter(contact__name__istartswith=term)
    return queryset.filter(pk__in=CallbackNumber.objects.filter(number=number).values("request_id"))


class DateRangeFilter(admin.FieldListFilter):
    """From and to dates typed in the sidebar (the field's __gte / __lt lookups)."""

    template = "admin/callbacks/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.since_parameter = f"{field_path}__date__gte"
        self.until_parameter = f"{field_path}__date__lte"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("%(field)s between") % {"field": field.verbose_name}

    def expected_parameters(self):
        return [self.since_parameter, self.until_parameter]

    def choices(self, changelist):
        # One "choice": the form; the template reads the current values and what to keep.
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


def _first(value):
    return (value[0] if value else "") if isinstance(value, list) else (value or "")
