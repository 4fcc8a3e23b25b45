"""One MakeCallback HTTP request of a callback, and what Exolve's answer to it means."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .call_log import CALL_ID_MAX_LENGTH, CallbackRequest


class AttemptResult(models.TextChoices):
    """What Exolve's answer to one attempt means (callbacks/exolve.py reads it)."""

    SENDING = "sending", _("Sending")  # no answer yet
    PLACED = "placed", _("Placed")
    REJECTED = "rejected", _("Rejected")  # a final answer (400, 401, 403, 404): nothing was placed
    TRANSIENT = (
        "transient",
        _("Transient error"),
    )  # nothing placed (429, 503, no connection): retried
    UNKNOWN = "unknown", _("Result unknown")  # the body may have been acted on: never retried alone


class CallbackAttempt(models.Model):
    """One MakeCallback HTTP request: saved before it is sent, completed when the answer comes."""

    callback = models.ForeignKey(
        CallbackRequest,
        models.PROTECT,
        related_name="attempts",
        verbose_name=_("callback"),
        db_index=False,
    )
    sequence = models.PositiveSmallIntegerField(
        _("attempt no."), help_text=_("1 for the callback's first attempt, 2 for the next …")
    )
    request_description = models.CharField(
        _("request description"),
        max_length=64,
        unique=True,
        help_text=_(
            "This attempt's own id, sent to Exolve: find the call in Exolve's records by it."
        ),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), null=True, blank=True)
    request_body = models.JSONField(_("request body"))
    result = models.CharField(
        _("result"), max_length=16, choices=AttemptResult.choices, default=AttemptResult.SENDING
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
            models.UniqueConstraint(
                fields=["callback", "sequence"], name="callbackattempt_unique_sequence"
            ),
        ]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="callbackattempt_recent"),
            models.Index(fields=["result", "-started_at"], name="callbackattempt_result"),
            models.Index(fields=["http_status", "-started_at"], name="callbackattempt_http_status"),
            models.Index(fields=["call_id"], name="callbackattempt_call_id"),
        ]

    def __str__(self) -> str:
        return _("Attempt %(sequence)d of callback %(callback)s") % {
            "sequence": self.sequence,
            "callback": self.callback_id,
        }
