"""Prometheus metrics: /metrics for the bearer of METRICS_TOKEN only, callbacks by status and the
queue lag from the database, attempts by result, Exolve's latency and call events counted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from callbacks.delivery import sending
from callbacks.models import CallbackRequest
from tests.integration import call_event_data
from tests.integration.call_event_data import event, post

pytestmark = pytest.mark.django_db
events_secret = call_event_data.events_secret

TOKEN = "metrics-token-0123456789"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client, token=TOKEN):
    return client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {token}")


def samples(client):
    response = scrape(client)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.parametrize(("configured", "given"), [(TOKEN, "wrong-token"), ("", "")])
def test_metrics_are_not_public(client, settings, configured, given):
    settings.METRICS_TOKEN = configured
    assert scrape(client, given).status_code == 404
    assert client.get(reverse("metrics")).status_code == 404


def test_callbacks_by_status_and_the_queue_lag(client, callback):
    late = timezone.now() - timedelta(seconds=90)
    CallbackRequest.objects.filter(pk=callback.pk).update(next_attempt_at=late)
    found = samples(client)
    assert found[("callbacks_requests", (("status", "pending"),))] == 1
    assert found[("callbacks_requests", (("status", "unknown"),))] == 0
    assert 90 <= found[("callbacks_queue_lag_seconds", ())] < 3600


def test_attempts_by_result_and_exolves_latency_are_counted(client, callback, sandbox):
    before = samples(client)
    placed = ("callbacks_attempts_total", (("result", "placed"),))
    sending.send_callback(callback.pk)
    after = samples(client)
    assert after[placed] == before.get(placed, 0) + 1
    count = ("callbacks_exolve_request_seconds_count", ())
    assert after[count] == before[count] + 1
    assert after[("callbacks_queue_lag_seconds", ())] == 0


def test_call_events_are_counted_by_what_became_of_them(client):
    key = ("callbacks_call_events_total", (("answer", "stored"),))
    refused = ("callbacks_call_events_total", (("answer", "refused"),))
    duplicate = ("callbacks_call_events_total", (("answer", "duplicate"),))
    before = samples(client)
    sent = event("cal-1", "A", "o", 0)
    post(client, sent)
    post(client, sent)
    post(client, "{not json")
    after = samples(client)
    assert after[key] == before.get(key, 0) + 1
    assert after[duplicate] == before.get(duplicate, 0) + 1
    assert after[refused] == before.get(refused, 0) + 1
