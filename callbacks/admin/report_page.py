"""The report page: a period, an agent group (or all) and a granularity; charts of the outcomes,
the connect rate, the time to connect and the service level per bucket (Chart.js, served from our
own static files), the weekday × hour grid, and the same figures as a table and as CSV. The table
and the grid need no JavaScript."""

import csv
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..dates import plausible
from ..export import CSV_DELIMITER
from ..models import AgentGroup
from ..permissions import VIEW_CALL_LOG
from ..reports import series, table

LONGEST_PERIOD = timedelta(days=92)
LONGEST_BY_HOUR = timedelta(days=7)  # 168 bars: more would not read as a chart
WEEKDAYS = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


# A browser's date input takes and gives ISO dates, whatever the page's language.
DAY_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ReportForm(forms.Form):
    first = forms.DateField(label=gettext_lazy("From"), widget=DAY_INPUT)
    last = forms.DateField(label=gettext_lazy("To"), widget=DAY_INPUT)
    agent_group = forms.ModelChoiceField(
        AgentGroup.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All groups"),
        label=gettext_lazy("Agent group"),
    )
    granularity = forms.ChoiceField(
        choices=series.Granularity.choices,
        initial=series.Granularity.DAY,
        label=gettext_lazy("Per"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first"), cleaned.get("last")
        if first is None or last is None:
            return cleaned
        for name, day in (("first", first), ("last", last)):
            if not plausible(day):
                self.add_error(name, ValidationError(_("Enter a date from 2000 to 2999.")))
                return cleaned
        if last < first:
            self.add_error("last", ValidationError(_("The period ends before it starts.")))
        elif last - first >= LONGEST_PERIOD:
            self.add_error("last", ValidationError(_("A report covers 92 days at most.")))
        elif (
            cleaned.get("granularity") == series.Granularity.HOUR
            and last - first >= LONGEST_BY_HOUR
        ):
            self.add_error(
                "granularity", ValidationError(_("Per hour, a report covers 7 days at most."))
            )
        return cleaned


def default_period() -> dict[str, Any]:
    today = timezone.localdate()
    return {"first": today - timedelta(days=29), "last": today, "granularity": "day"}


def _report(form: ReportForm) -> tuple[series.Report, str, list[AgentGroup]]:
    data = form.cleaned_data
    group = data.get("agent_group")
    groups = [group] if group else list(AgentGroup.objects.order_by("name"))
    zone = group.time_zone if group else settings.TIME_ZONE
    built = series.report(data["first"], data["last"], groups, data["granularity"], zone)
    return built, zone, groups


def report_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_CALL_LOG):
        return redirect("admin:index")
    asked = {name: value for name, value in request.GET.items() if value}
    form = ReportForm(default_period() | asked)  # what is not asked: the last 30 days, per day
    if not form.is_valid():
        if request.GET.get("format") == "csv":
            messages = "; ".join(str(error) for errors in form.errors.values() for error in errors)
            return HttpResponse(messages, status=400, content_type="text/plain; charset=utf-8")
        return _page(request, form, None)
    built, zone, groups = _report(form)
    if request.GET.get("format") == "csv":
        return _csv(built, form.cleaned_data)
    return _page(request, form, (built, zone, groups))


def _page(
    request: HttpRequest,
    form: ReportForm,
    result: tuple[series.Report, str, list[AgentGroup]] | None,
) -> HttpResponse:
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": _("Reports"),
        "form": form,
    }
    if result is not None:
        built, zone, groups = result
        rows = table.rows(built.buckets, form.cleaned_data["granularity"])
        context |= {
            "zone": zone,
            "headings": table.headings(),
            "rows": table_rows(rows),
            "charts": chart_data(rows, groups),
            "grid": weekday_grid(built),
            "hours": range(24),
            "csv_query": _query(form) + "format=csv",
        }
    return render(request, "admin/callbacks/reports.html", context)


def _query(form: ReportForm) -> str:
    data = form.cleaned_data
    group = data.get("agent_group")
    parts = [f"first={data['first']}", f"last={data['last']}", f"granularity={data['granularity']}"]
    if group:
        parts.append(f"agent_group={group.pk}")
    return "&".join(parts) + "&"


def chart_data(rows: list[list[Any]], groups: list[AgentGroup]) -> dict[str, Any]:
    """What reports.js draws: the buckets' labels and each series, with the words of the axes."""
    names = ["label", *[name for name, _heading, _value in table.COLUMNS]]

    def column(name: str) -> list[Any]:
        return [row[names.index(name)] for row in rows]

    target = groups[0].service_level_target if len(groups) == 1 else None
    return {
        "labels": column("label"),
        "ends": [{"label": str(label), "data": column(name)} for name, label in table.ENDS],
        "connect_rate": column("connect_rate"),
        "service_level": column("service_level"),
        "service_target": target,
        "wait_median": column("wait_median"),
        "wait_p90": column("wait_p90"),
        "words": {
            "callbacks": _("Callbacks"),
            "percent": _("Per cent"),
            "minutes": _("Minutes"),
            "connect_rate": _("Connect rate, %"),
            "service_level": _("Service level, %"),
            "target": _("Target, %"),
            "median": _("Median"),
            "p90": _("90th percentile"),
        },
    }


def weekday_grid(built: series.Report) -> list[dict[str, Any]]:
    """A row per weekday, a cell per hour: callbacks and the connect rate, shaded by callbacks
    (the cells made here: 168 of them through the template took longer than the report)."""
    busiest = max((b.counts["requested"] for b in built.weekday_hours.values()), default=0)
    grid = []
    for weekday, name in enumerate(WEEKDAYS):
        cells = [
            _grid_cell(built.weekday_hours.get((weekday, hour)), busiest) for hour in range(24)
        ]
        shown = (
            (shade, css, f"{name} {hour}:00", content)
            for hour, (shade, css, content) in enumerate(cells)
        )
        row = '<td style="background: rgba(65, 118, 144, {})" class="{}" title="{}">{}</td>'
        grid.append({"name": name, "cells": format_html_join("", row, shown)})
    return grid


def _grid_cell(bucket: series.Bucket | None, busiest: int) -> tuple[str, str, SafeString | str]:
    """(shade, class, content) of one hour of one weekday."""
    requested = bucket.counts["requested"] if bucket else 0
    if not requested or bucket is None:
        return "0.00", "", ""
    shade = requested / busiest
    rate = bucket.connect_rate
    content = format_html(
        '<span class="grid-requests">{}</span><span class="grid-rate">{}</span>',
        requested,
        f"{rate:.0%}" if rate is not None else "",
    )
    return f"{shade:.2f}", "grid-dark" if shade > 0.55 else "", content


def table_rows(rows: list[list[Any]]) -> list[SafeString]:
    """The table's rows, their cells made here (as the grid's)."""
    return [
        format_html_join("", "<td>{}</td>", ((_shown(value),) for value in row)) for row in rows
    ]


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return str(formats.localize(value))


def _cell(value: Any) -> Any:
    """A share or a wait as the page's language writes it (33,3 in Russian, so Excel in a
    Russian locale reads a number); nothing for no value."""
    if value is None:
        return ""
    return formats.number_format(value, decimal_pos=2) if isinstance(value, float) else value


def _csv(built: series.Report, data: dict[str, Any]) -> HttpResponse:
    answer = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"report-{data['first']:%Y%m%d}-{data['last']:%Y%m%d}-{data['granularity']}.csv"
    answer["Content-Disposition"] = f'attachment; filename="{name}"'
    answer.write("\ufeff")  # Excel reads it as UTF-8
    writer = csv.writer(answer, delimiter=CSV_DELIMITER)
    writer.writerow(table.headings())
    for row in table.rows(built.buckets, data["granularity"]):
        writer.writerow([_cell(value) for value in row])
    return answer
