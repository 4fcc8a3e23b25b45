"""The CRM side: the people staff call back."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ..numbers import DIAL_NUMBER_REGEX, readable_number
from .configuration import MAX_DESTINATIONS_PER_LINE, validate_time_zone
from .constraints import dial_number_check
from .fields import CustomerNumberField

# All of a contact's numbers become the destinations of the contact's line.
MAX_NUMBERS_PER_CONTACT = MAX_DESTINATIONS_PER_LINE


class Contact(models.Model):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "Where the contact is, e.g. Asia/Vladivostok. Empty: guessed from the phone number."
        ),
    )
    test_caller = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="test_contact",
        verbose_name=_("test calls of"),
        help_text=_("Set for the contact a support manager's test calls ring; not a customer."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(
        verbose_name=_("contact change"), verbose_name_plural=_("Change trail: contacts")
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        # On PostgreSQL the search by the start of the name has an index of its own,
        # contact_name_prefix on UPPER(name) (migration 0017: SQLite cannot create it).
        indexes = [models.Index(fields=["name"], name="contact_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name


class ContactNumber(models.Model):
    """One of a contact's numbers; all of them, in order, are dialled on the contact's side."""

    contact = models.ForeignKey(
        Contact, models.CASCADE, related_name="numbers", verbose_name=_("contact")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    number = CustomerNumberField(
        _("phone number"), help_text=_("+7 912 123-45-67 or 8 (912) 123-45-67")
    )
    label = models.CharField(
        _("label"), max_length=50, blank=True, help_text=_("For example “mobile” or “office”.")
    )

    history = HistoricalRecords(
        verbose_name=_("phone number change"), verbose_name_plural=_("Change trail: phone numbers")
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            # Still admits a SIP-URI saved before contacts became phone-only; the press refuses it.
            dial_number_check("contactnumber", DIAL_NUMBER_REGEX),
            models.UniqueConstraint(
                fields=["contact", "number"],
                name="contactnumber_unique_per_contact",
                violation_error_message=_("The contact already has this number."),
            ),
        ]
        indexes = [models.Index(fields=["number"], name="contactnumber_number")]

    def __str__(self) -> str:
        return readable_number(self.number)  # as the contact's page shows each row's original
