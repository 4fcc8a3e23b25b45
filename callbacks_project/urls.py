from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from callbacks.views import exolve_events

urlpatterns = [
    path("admin/", admin.site.urls),
    path("exolve/events/<str:secret>/", exolve_events, name="exolve_events"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
