from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from callbacks.views import (
    call_log_csv,
    call_log_page,
    exolve_events,
    exolve_events_legacy,
    prometheus_metrics,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switch in the user tools posts here (Django's set_language: a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("exolve/events/", exolve_events, name="exolve_events"),
    # The old form, the secret in the path: for the migration period (EXOLVE_EVENTS_LEGACY_URL).
    path("exolve/events/<str:secret>/", exolve_events_legacy, name="exolve_events_legacy"),
    path("call-log/", call_log_page, name="call_log"),
    path("metrics", prometheus_metrics, name="metrics"),
    path("call-log/export.csv", call_log_csv, name="call_log_csv"),
    # The call log page's first address, kept for bookmarks (filters included).
    path("history/", RedirectView.as_view(pattern_name="call_log", query_string=True)),
    path(
        "history/export.csv", RedirectView.as_view(pattern_name="call_log_csv", query_string=True)
    ),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
