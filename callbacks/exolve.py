"""The one module that speaks Exolve's MakeCallback: builds the body, sends it, reads the answer.

The API key lives only in the Authorization header built here; it never reaches a log
line, an exception message or anything the caller stores.
"""

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from urllib3.exceptions import NewConnectionError

from .models import (
    CALL_ID_MAX_LENGTH,
    AgentGroup,
    AttemptResult,
    Contact,
    ContactNumber,
    Destination,
    MediaResource,
    TtsPreset,
)
from .models.audio import spoken_text
from .models.configuration import SideSettings

Json = dict[str, Any]

MAKE_CALLBACK_PATH = "/call/v1/MakeCallback"
MASKED_AUTHORIZATION = "Bearer ••••••"  # what pages show of the header: never the key
SECONDS = re.compile(r"[0-9]{1,9}")


# --- the request body -------------------------------------------------------------------


def make_callback_url(base_url: str) -> str:
    return base_url.rstrip("/") + MAKE_CALLBACK_PATH


def build_audio(
    media_resource: MediaResource | None, tts_preset: TtsPreset | None, contact: Contact
) -> Json | None:
    """A TTS text is said with the contact's details in its placeholders ({name}, {company})."""
    if media_resource is not None:
        return {"media_resource_id": media_resource.media_resource_id}
    if tts_preset is not None:
        return {
            "tts": {
                "text": spoken_text(tts_preset.text, contact),
                "voice": tts_preset.voice,
                "lang": tts_preset.lang,
                "volume": tts_preset.volume,
                "speed": float(tts_preset.speed),
                "emotion": tts_preset.emotion,
                "provider": tts_preset.provider,
            }
        }
    return None


def build_line(
    destinations: Sequence[tuple[str, int]], side: SideSettings, contact: Contact
) -> Json:
    """destinations: (number, timeout) pairs in dialling order; side: the group's SideSettings;
    contact: whom a TTS text may name."""
    line: Json = {
        "destinations": [
            {"number": number, "timeout": timeout} for number, timeout in destinations
        ],
        "ring_logic": side.ring_logic,
    }
    if side.display_number:
        line["display_number"] = side.display_number
    audio = build_audio(side.media_resource, side.tts_preset, contact)
    if audio is not None:
        line["audio"] = audio
    return line


def build_make_callback_body(
    *,
    agent_group: AgentGroup,
    agent_destinations: Sequence[Destination],
    contact: Contact,
    contact_numbers: Sequence[ContactNumber],
    request_description: str,
) -> Json:
    """The MakeCallback JSON body: a pure function of already loaded rows.

    agent_destinations: the group's Destination rows; contact_numbers: the contact's
    ContactNumber rows, each list in dialling order; contact: whom the TTS texts name.
    """
    agents = build_line(
        [(d.number, d.timeout) for d in agent_destinations], agent_group.side("agent"), contact
    )
    contact_line = build_line(
        [(n.number, agent_group.contact_timeout) for n in contact_numbers],
        agent_group.side("contact"),
        contact,
    )
    line_1, line_2 = (contact_line, agents) if agent_group.contact_first else (agents, contact_line)
    return {
        "request_description": request_description,
        "number_code": agent_group.number_code,
        "callback_resource_id": agent_group.callback_resource_id,
        "duration": agent_group.duration,
        "line_1": line_1,
        "line_2": line_2,
    }


# --- the answer -------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """Exolve's answer to one MakeCallback attempt, read.

    result is an AttemptResult: PLACED; REJECTED (final, nothing placed); TRANSIENT
    (nothing placed, worth retrying); UNKNOWN (may have been placed: never resent blindly).
    """

    result: str
    http_status: int | None = None
    response_body: str = ""
    call_id: str = ""
    error: str = ""
    retry_after: float | None = None  # seconds, when Exolve said how long to wait

    @property
    def is_transient(self) -> bool:
        return self.result == AttemptResult.TRANSIENT


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date; anything else is ignored."""
    value = (value or "").strip()
    if SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no zone given
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - timezone.now()).total_seconds())


def error_message(response: requests.Response) -> str:
    """Exolve's own words for an error: the message field of its JSON body, or the body itself."""
    text = response.text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        text = str(data.get("message") or data.get("error") or text)
    reason = text or response.reason or ""
    message = f"HTTP {response.status_code}: {reason}".strip().rstrip(":")
    return message[: settings.EXOLVE_RESPONSE_BODY_LIMIT]


def call_id_of(response: requests.Response) -> str:
    """The call_id of a 200 answer, or "" when there is no usable one."""
    try:
        call_id = response.json()["call_id"]
    except (ValueError, KeyError, TypeError):
        return ""
    if isinstance(call_id, str) and 0 < len(call_id) <= CALL_ID_MAX_LENGTH:
        return call_id
    return ""


# "Not now, nothing done": the server refused before acting, so asking again cannot ring twice.
# Any other 5xx came from a server that had the body and may have set the call up before
# failing (a crash, a gateway timeout): its result is unknown.
NOT_PROCESSED_STATUSES = {429, 503}


def read_answer(response: requests.Response) -> Answer:
    """Turn Exolve's HTTP response into an Answer."""
    body = response.text[: settings.EXOLVE_RESPONSE_BODY_LIMIT]
    status = response.status_code
    if status == 200:
        call_id = call_id_of(response)
        if not call_id:
            error = _(
                "HTTP 200 without a usable call_id; the call may have been placed. "
                "Check Exolve before calling again."
            )
            return Answer(AttemptResult.UNKNOWN, status, body, error=error)
        return Answer(AttemptResult.PLACED, status, body, call_id=call_id)
    if status in NOT_PROCESSED_STATUSES:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        error = error_message(response)
        return Answer(AttemptResult.TRANSIENT, status, body, error=error, retry_after=retry_after)
    if status >= 500:
        error = _(
            "%(error)s — the call may have been placed. Check Exolve before calling again."
        ) % {"error": error_message(response)}
        return Answer(AttemptResult.UNKNOWN, status, body, error=error)
    return Answer(AttemptResult.REJECTED, status, body, error=error_message(response))


# --- the client -------------------------------------------------------------------------


class ExolveClient:
    def __init__(
        self, base_url: str, api_key: str, connect_timeout: float, read_timeout: float
    ) -> None:
        self.url = make_callback_url(base_url)
        self._api_key = api_key
        self.timeout = (connect_timeout, read_timeout)
        self._local = threading.local()  # a requests.Session per thread: keep-alive, no sharing

    def __repr__(self) -> str:
        return f"ExolveClient({self.url!r})"  # no key, ever

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self._api_key}"
            # Proxies from the environment, read once: otherwise requests reads them (and looks
            # for ~/.netrc) on every post, a noticeable share of a callback's CPU time.
            session.proxies = requests.utils.get_environ_proxies(self.url)
            session.trust_env = False
            self._local.session = session
        return self._local.session  # type: ignore[no-any-return]

    def make_callback(self, body: Json) -> Answer:
        if not self._api_key:
            return Answer(
                AttemptResult.REJECTED, error=_("EXOLVE_API_KEY is not set; nothing was sent.")
            )
        try:
            response = self.session.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            return network_error_answer(exc, self.timeout)
        return read_answer(response)


def never_connected(exc: requests.RequestException) -> bool:
    """True when the connection was refused or the name did not resolve: no body left us.
    (A connect timeout is the other such case; requests raises ConnectTimeout for it.)"""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def network_error_answer(exc: requests.RequestException, timeout: tuple[float, float]) -> Answer:
    if isinstance(exc, requests.ConnectTimeout):
        error = _(
            "Network error: could not connect to Exolve within %(seconds)s s; nothing was sent."
        )
        return Answer(AttemptResult.TRANSIENT, error=error % {"seconds": timeout[0]})
    if never_connected(exc):
        error = _(
            "Network error: could not connect to Exolve (connection refused or DNS failure); "
            "nothing was sent."
        )
        return Answer(AttemptResult.TRANSIENT, error=error)
    if isinstance(exc, requests.ReadTimeout):
        error = _(
            "Exolve did not answer within %(seconds)s s after the request was sent; "
            "the call may have been placed."
        )
        return Answer(AttemptResult.UNKNOWN, error=error % {"seconds": timeout[1]})
    error = _(
        "The connection broke after the request was sent (%(kind)s); the call may have been placed."
    )
    return Answer(AttemptResult.UNKNOWN, error=error % {"kind": type(exc).__name__})


_client: ExolveClient | None = None
_client_lock = threading.Lock()


def get_client() -> ExolveClient:
    """One client per process, built from settings on first use."""
    global _client
    with _client_lock:
        if _client is None:
            _client = ExolveClient(
                settings.EXOLVE_API_URL,
                settings.EXOLVE_API_KEY,
                settings.EXOLVE_CONNECT_TIMEOUT,
                settings.EXOLVE_READ_TIMEOUT,
            )
        return _client


def reset_client() -> None:
    """Forget the cached client (settings changed, as in tests)."""
    global _client
    with _client_lock:
        _client = None
