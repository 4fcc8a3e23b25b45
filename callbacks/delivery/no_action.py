"""A person's "checked, no action" on a callback of the board's work list: it leaves the list,
and who checked it, when and why is kept (CallbackCheck) for auditors and its page."""

import logging

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import log_context, work_list
from ..models import CallbackCheck, CallbackRequest

logger = logging.getLogger(__name__)
NOTE_MAX_LENGTH = 1000


def mark_checked(callback: CallbackRequest, user: User, note: str) -> None:
    """One conditional UPDATE: a callback that left the list meanwhile (placed again, decided)
    is left as it is and the person is told why."""
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("The note is too long: %(most)d characters at most.") % {"most": NOTE_MAX_LENGTH},
            code="note_too_long",
        )
    now = timezone.now()
    with log_context.about_callback(callback.pk), transaction.atomic():
        rows = CallbackRequest.objects.select_for_update().filter(
            work_list.checkable(now), pk=callback.pk
        )
        current = rows.first()
        need = work_list.need_of(current, now) if current is not None else None
        if current is None or need is None:
            raise ValidationError(
                _("This callback is no longer on the work list."), code="not_on_list"
            )
        CallbackRequest.objects.filter(pk=callback.pk).update(checked_on=need)
        CallbackCheck.objects.create(
            callback=current, checked_by=user, checked_at=now, list_name=need, note=note
        )
        logger.info("Callback %s checked with no action by user %s", callback.pk, user.pk)
