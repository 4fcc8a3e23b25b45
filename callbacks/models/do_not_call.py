"""The do-not-call list: numbers nobody may call back, checked at the press and before every
attempt."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..numbers import PHONE_DIGITS_REGEX, readable_number
from .constraints import dial_number_check
from .fields import PhoneNumberField


class DoNotCallNumber(models.Model):
    """A number nobody may call back; checked when staff press and again before every attempt."""

    number = PhoneNumberField(
        _("number"), unique=True, help_text=_("+7 912 123-45-67 or 8 (912) 123-45-67")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name = _("do-not-call number")
        verbose_name_plural = _("do-not-call list")
        constraints = [dial_number_check("donotcallnumber", PHONE_DIGITS_REGEX)]

    def __str__(self) -> str:
        return readable_number(self.number)
