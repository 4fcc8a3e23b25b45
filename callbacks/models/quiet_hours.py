"""The contact's quiet hours an agent group keeps: no call before `contact_calls_from` or after
`contact_calls_until`, in the contact's own time (callbacks/local_time.py says what that is)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactQuietHours(models.Model):
    contact_calls_from = models.TimeField(
        _("call contacts from"),
        null=True,
        blank=True,
        help_text=_("The contact's local time, e.g. 09:00. Empty: no limit."),
    )
    contact_calls_until = models.TimeField(
        _("call contacts until"),
        null=True,
        blank=True,
        help_text=_("The contact's local time, e.g. 21:00. Empty: no limit."),
    )

    class Meta:
        abstract = True
