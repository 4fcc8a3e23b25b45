"""What happened: one CallbackRequest per "Call back" press, one CallbackAttempt per HTTP call to Exolve.

Both are written only by the dispatch service; nobody edits them in the admin.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .configuration import AgentGroup
from .contacts import Contact


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting for a worker (first try or a retry)
    SENDING = "sending", _("Sending")  # claimed by a worker, MakeCallback in flight
    PLACED = "placed", _("Placed")  # Exolve accepted it and returned a call_id
    FAILED = "failed", _("Failed")  # refused by Exolve, or out of retries


OPEN_STATUSES = [CallbackStatus.PENDING, CallbackStatus.SENDING]
CALL_ID_MAX_LENGTH = 100  # Exolve's call ids are about 40 characters


class CallbackRequest(models.Model):
    contact = models.ForeignKey(
        Contact, models.PROTECT, related_name="callback_requests", verbose_name=_("contact"), db_index=False
    )
    agent_group = models.ForeignKey(
        AgentGroup, models.PROTECT, related_name="callback_requests", verbose_name=_("agent group"), db_index=False
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="callback_requests",
        verbose_name=_("requested by"),
        db_index=False,
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.PENDING
    )
    request_description = models.CharField(
        _("request description"), max_length=64, unique=True, help_text=_("Our id for the request, sent to Exolve.")
    )
    request_body = models.JSONField(_("request body"), help_text=_("The MakeCallback body, fixed when staff confirmed."))
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    call_id = models.CharField(_("call id"), max_length=CALL_ID_MAX_LENGTH, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # The foreign keys have no index of their own: each one leads a composite index below.
    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")
        permissions = [("place_callback", _("Can place a callback"))]
        constraints = [
            # One callback on its way per contact and group: a double click, or two staff
            # pressing at once, cannot ring the customer twice.
            models.UniqueConstraint(
                fields=["contact", "agent_group"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="callbackrequest_one_open_per_contact_and_group",
            ),
        ]
        indexes = [
            models.Index(fields=["-requested_at", "-id"], name="callbackrequest_recent"),
            models.Index(fields=["contact", "-requested_at"], name="callbackrequest_contact"),
            models.Index(fields=["status", "-requested_at"], name="callbackrequest_status"),
            models.Index(fields=["agent_group", "-requested_at"], name="callbackrequest_group"),
            models.Index(fields=["requested_by", "-requested_at"], name="callbackrequest_user"),
            models.Index(fields=["call_id"], name="callbackrequest_call_id"),
            models.Index(
                fields=["requested_at"], name="callbackrequest_open", condition=models.Q(status__in=OPEN_STATUSES)
            ),
        ]

    def __str__(self):
        return _("Callback to %(contact)s at %(time)s") % {
            "contact": self.contact,
            "time": timezone.localtime(self.requested_at).strftime("%Y-%m-%d %H:%M"),
        }


class AttemptOutcome(models.TextChoices):
    SENDING = "sending", _("Sending")
    PLACED = "placed", _("Placed")
    REJECTED = "rejected", _("Rejected")  # a final answer: 400, 401, 403, 404
    TRANSIENT = "transient", _("Transient error")  # 5xx, 429 or a network error: retried


class CallbackAttempt(models.Model):
    """One MakeCallback HTTP request: saved before it is sent, completed when the answer comes."""

    request = models.ForeignKey(
        CallbackRequest, models.PROTECT, related_name="attempts", verbose_name=_("callback request"), db_index=False
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), null=True, blank=True)
    request_body = models.JSONField(_("request body"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING
    )
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    call_id = models.CharField(_("call id"), max_length=CALL_ID_MAX_LENGTH, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="callbackattempt_unique_number"),
        ]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="callbackattempt_recent"),
            models.Index(fields=["outcome", "-started_at"], name="callbackattempt_outcome"),
            models.Index(fields=["http_status", "-started_at"], name="callbackattempt_http_status"),
            models.Index(fields=["call_id"], name="callbackattempt_call_id"),
        ]

    def __str__(self):
        return _("Attempt %(number)d of %(request)s") % {"number": self.number, "request": self.request_id}
