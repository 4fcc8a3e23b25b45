"""Endpoints outside the admin."""

import hmac

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import call_events


@csrf_exempt
def exolve_events(request, secret):
    """Exolve's Callback Call Events, one JSON object per POST (the URL set in Exolve's cabinet)."""
    expected = settings.EXOLVE_EVENTS_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        return JsonResponse({"error": "forbidden"}, status=403)
    if request.method != "POST":
        return JsonResponse({"error": "only POST"}, status=405, headers={"Allow": "POST"})
    try:
        payload = call_events.parse_event(request.body)
    except call_events.BadEvent as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    event, stored = call_events.receive_event(payload)
    return JsonResponse({"stored": stored, "linked": event.attempt_id is not None})
