from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from callbacks.views import callback_history, callback_history_csv, exolve_events

urlpatterns = [
    path("admin/", admin.site.urls),
    path("exolve/events/<str:secret>/", exolve_events, name="exolve_events"),
    path("history/", callback_history, name="callback_history"),
    path("history/export.csv", callback_history_csv, name="callback_history_csv"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
