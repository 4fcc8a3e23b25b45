"""Django's error page, DEBUG's included, shows no secret: not the broker's password (in
CELERY_BROKER_URL), not the database's (DATABASE_URL among runserver's environment variables),
not the events secret in the URL, the request or the events view's variables, not the API key."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse

from callbacks import call_events, metrics
from tests.integration import call_event_data
from tests.integration.call_event_data import (
    SECRET,
    basic_credentials,
    event,
    events_url,
    legacy_events_url,
)

pytestmark = pytest.mark.django_db

events_secret = call_event_data.events_secret

BROKER_PASSWORD = "broker-password-0451"
DATABASE_PASSWORD = "database-password-0452"
# runserver hands the process's environment to every request (wsgiref copies os.environ in).
RUNSERVER_ENVIRONMENT = {
    "DATABASE_URL": f"postgres://callbacks:{DATABASE_PASSWORD}@db:5432/callbacks",
    "CELERY_BROKER_URL": f"redis://:{BROKER_PASSWORD}@redis:6379/0",
}


@pytest.fixture
def failing_events_view(settings, monkeypatch):
    """The events view fails after it has checked the secret; DEBUG shows the technical page."""
    settings.DEBUG = True
    settings.CELERY_BROKER_URL = f"redis://:{BROKER_PASSWORD}@redis:6379/0"

    def fail(payload):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(call_events, "receive_event", fail)


def error_page(url, accept, **headers):
    client = Client(raise_request_exception=False)
    response = client.post(
        url,
        event("cal-1", "A", "o", 0),
        content_type="application/json",
        headers={"Accept": accept, **headers},
        **RUNSERVER_ENVIRONMENT,
    )
    assert response.status_code == 500
    return response.content.decode()


@pytest.mark.parametrize("accept", ["text/html", "text/plain"])
@pytest.mark.parametrize("form", ["header", "legacy path"])
def test_the_debug_page_shows_no_secret(failing_events_view, settings, accept, form):
    if form == "header":
        page = error_page(events_url(), accept, Authorization=basic_credentials())
    else:
        page = error_page(legacy_events_url(), accept)

    assert "the database went away" in page  # it is the technical page, with what it shows
    assert "CELERY_BROKER_URL" in page
    assert "DATABASE_URL" in page
    assert "exolve_events" in page
    for secret in (
        SECRET,
        base64.b64encode(f"exolve:{SECRET}".encode()).decode(),
        settings.EXOLVE_API_KEY,
        BROKER_PASSWORD,
        DATABASE_PASSWORD,
    ):
        assert secret not in page


def test_the_events_views_variables_are_hidden_under_debug_too(failing_events_view):
    """sensitive_variables, which Django's own filter honours only when DEBUG is off."""
    page = error_page(legacy_events_url(), "text/html")
    for name in ("secret", "expected"):
        shown = rf'<td>{name}</td>\s*<td class="code"><pre>&#x27;\*{{20}}&#x27;</pre></td>'
        assert re.search(shown, page), name


def test_the_metrics_views_token_is_hidden_under_debug(settings, monkeypatch):
    settings.DEBUG = True
    settings.METRICS_TOKEN = "metrics-token-for-the-page-0123"

    def fail():
        raise RuntimeError("the registry went away")

    monkeypatch.setattr(metrics, "exposition", fail)
    client = Client(raise_request_exception=False)
    response = client.get(
        reverse("metrics"), headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"}
    )
    page = response.content.decode()
    assert response.status_code == 500
    assert "the registry went away" in page
    assert settings.METRICS_TOKEN not in page
    for name in ("expected", "given"):
        shown = rf'<td>{name}</td>\s*<td class="code"><pre>&#x27;\*{{20}}&#x27;</pre></td>'
        assert re.search(shown, page), name
