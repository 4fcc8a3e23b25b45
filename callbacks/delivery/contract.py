"""The MakeCallback contract's rules, checked before anything is queued: an active group, 1 to 10
destinations on each side, and every range of the API on the rows the body is built from."""

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
    ContactNumber,
    Destination,
)


def validate_callback(
    agent_group: AgentGroup, destinations: Sequence[Destination], numbers: Sequence[ContactNumber]
) -> None:
    """Every rule of the MakeCallback contract; a ValidationError lists each one broken."""
    messages = []
    if not agent_group.is_active:
        messages.append(inactive_group_message(agent_group.name))
    messages += _line_size_errors(agent_group, destinations, numbers)
    presets = [agent_group.side(side).tts_preset for side in SIDES]
    messages += _row_errors([agent_group, *[preset for preset in presets if preset], *destinations])
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
