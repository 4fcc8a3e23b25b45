"""The MakeCallback contract's rules, checked before anything is queued: an active group, 1 to 10
destinations on each side, every range of the API on the rows the body is built from, and a TTS
text that, with the contact's details filled in, still says something within the time allowed."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from ..limits import inactive_group_message
from ..models import (
    MAX_DESTINATIONS_PER_LINE,
    MAX_NUMBERS_PER_CONTACT,
    SIDES,
    AgentGroup,
    Contact,
    ContactNumber,
    Destination,
    TtsPreset,
)
from ..models.audio import (
    TTS_MAX_SECONDS,
    estimated_speech_seconds,
    placeholder_errors,
    spoken_text,
)


def validate_callback(
    agent_group: AgentGroup,
    destinations: Sequence[Destination],
    numbers: Sequence[ContactNumber],
    contact: Contact | None = None,
) -> None:
    """Every rule of the MakeCallback contract; a ValidationError lists each one broken. With the
    `contact`, the TTS texts as said to that contact too."""
    messages = []
    if not agent_group.is_active:
        messages.append(inactive_group_message(agent_group.name))
    messages += _line_size_errors(agent_group, destinations, numbers)
    presets = list(dict.fromkeys(p for side in SIDES if (p := agent_group.side(side).tts_preset)))
    messages += _row_errors([agent_group, *presets, *destinations])
    if contact is not None:
        messages += _spoken_text_errors(presets, contact)
    # Which customer numbers may be called is a limit: a refusal the service records (limits.py).
    messages += _row_errors(numbers, exclude=["number"])
    if messages:
        raise ValidationError(messages)


def _row_errors(rows: Iterable[models.Model], exclude: Sequence[str] = ()) -> list[str]:
    """Every contract rule the rows break, as messages naming the row and field. No queries:
    the rows come from the database, so their foreign keys need no look-up to be valid."""
    messages = []
    for row in rows:
        relations = [field.name for field in row._meta.fields if field.is_relation]
        try:
            row.full_clean(
                exclude=[*exclude, *relations], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                label = (
                    getattr(row._meta.get_field(field), "verbose_name", field)
                    if field != NON_FIELD_ERRORS
                    else ""
                )
                messages += [
                    _("%(model)s “%(row)s”, %(field)s: %(error)s")
                    % {"model": row._meta.verbose_name, "row": row, "field": label, "error": error}
                    for error in errors
                ]
    return messages


def _spoken_text_errors(presets: Sequence[TtsPreset], contact: Contact) -> list[str]:
    """A text with the contact's details in it must say something, and the details may not take
    it past the limit: over it, the preset's own text was a manager's choice (warned when saved);
    a customer's long name is nobody's."""
    messages = []
    for preset in presets:
        if placeholder_errors(preset.text):
            continue  # said by the preset's row errors
        said = spoken_text(preset.text, contact)
        seconds = estimated_speech_seconds(said, preset.speed, preset.lang)
        names = {"preset": preset, "contact": contact}
        if not said.strip():
            message = _("TTS preset “%(preset)s” would say nothing to %(contact)s: it is empty.")
            messages.append(message % names)
        elif seconds > max(TTS_MAX_SECONDS, preset.estimated_seconds):
            message = _(
                "TTS preset “%(preset)s”, said to %(contact)s, would take about %(seconds).0f "
                "seconds to speak; Exolve allows %(limit)d. Shorten the preset's text, or the "
                "contact's name or company."
            )
            messages.append(message % {**names, "seconds": seconds, "limit": TTS_MAX_SECONDS})
    return messages


def _line_size_errors(
    agent_group: AgentGroup, destinations: Sequence[Destination], numbers: Sequence[ContactNumber]
) -> list[str]:
    messages = []
    if not 1 <= len(destinations) <= MAX_DESTINATIONS_PER_LINE:
        messages.append(
            _("Agent group “%(group)s” has %(count)d destinations; it needs 1 to %(max)d.")
            % {"group": agent_group, "count": len(destinations), "max": MAX_DESTINATIONS_PER_LINE}
        )
    if not 1 <= len(numbers) <= MAX_NUMBERS_PER_CONTACT:
        messages.append(
            _("The contact has %(count)d phone numbers; a callback needs 1 to %(max)d.")
            % {"count": len(numbers), "max": MAX_NUMBERS_PER_CONTACT}
        )
    return messages
