"""What each side of the call hears: a recorded media resource uploaded to Exolve, or a text Exolve
reads aloud (a TTS preset), with our estimate of how long a text takes to speak and the contact's
details ({name}, {company}) filled in when a callback is made."""

from decimal import Decimal
from string import Formatter
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .constraints import range_check, range_validators

# Our estimate of how fast a TTS voice reads at speed 1.0, in characters (letters, spaces and
# punctuation) a second, a little slower than ordinary speech (Russian about 15-17, English
# about 16), so that a text we estimate within Exolve's 24-second limit is spoken within it.
# Keyed by Lang's values; callbacks/static/callbacks/tts_estimate.js is handed the same table.
TTS_CHARACTERS_PER_SECOND = {1: 14, 2: 15}
TTS_MAX_SECONDS = 24
# What a text may say of the contact, as {name}: filled in when a callback is made.
TTS_PLACEHOLDERS = ("name", "company")


def _rate(speed: Decimal | float, lang: int) -> float:
    """Characters a second at this speed in this language (the slowest language's if unknown)."""
    per_second = TTS_CHARACTERS_PER_SECOND.get(lang, min(TTS_CHARACTERS_PER_SECOND.values()))
    return per_second * float(speed)


def estimated_speech_seconds(text: str, speed: Decimal | float, lang: int) -> float:
    return len(text.strip()) / _rate(speed, lang)


def max_tts_characters(speed: Decimal | float, lang: int) -> int:
    """The longest text estimated within the limit."""
    return int(TTS_MAX_SECONDS * _rate(speed, lang))


class Addressee(Protocol):
    """What a text may name: a contact (models/contacts.py, which imports this module)."""

    name: str
    company: str


def placeholder_errors(text: str) -> list[str]:
    """What is wrong with the text's placeholders: each unknown one, or braces without a pair."""
    try:
        fields = [
            _placeholder(field, spec, conversion)
            for _literal, field, spec, conversion in Formatter().parse(text)
            if field is not None
        ]
    except ValueError:
        return [
            str(
                _(
                    "A brace has no pair: braces only surround a placeholder, {name} or "
                    "{company}. To say a brace itself, double it: {{ or }}."
                )
            )
        ]
    unknown = [field for field in fields if field.strip("{}") not in TTS_PLACEHOLDERS]
    return [
        str(
            _("Unknown placeholder %(placeholder)s: the text may use {name} and {company}.")
            % {"placeholder": field}
        )
        for field in dict.fromkeys(unknown)
    ]


def _placeholder(field: str, spec: str | None, conversion: str | None) -> str:
    conversion = f"!{conversion}" if conversion else ""
    spec = f":{spec}" if spec else ""
    return f"{{{field}{conversion}{spec}}}"


def spoken_text(text: str, contact: Addressee) -> str:
    """The text with the contact's details in place of its placeholders (checked when saved)."""
    parts = []
    for literal, field, _spec, _conversion in Formatter().parse(text):
        parts.append(literal)
        if field is not None:
            parts.append(str(getattr(contact, field)) if field in TTS_PLACEHOLDERS else "")
    return "".join(parts)


SPEED_RANGE = _(
    "The speed must be from {low} to {high}, with at most two decimals (1.0 is the usual pace)."
)
# Django's decimal checks (too many digits) say our range instead.
DIGITS = ("max_digits", "max_decimal_places", "max_whole_digits")


class Voice(models.IntegerChoices):
    ALYONA = 1, _("Алёна")
    ERMIL = 2, _("Ермиль")
    JANE = 3, _("Джейн")
    OMAZH = 4, _("Омаж")
    ZAHAR = 5, _("Захар")


class Lang(models.IntegerChoices):
    RUSSIAN = 1, _("Russian")
    ENGLISH = 2, _("English")


class Emotion(models.IntegerChoices):
    NEUTRAL = 1, _("Neutral")
    FRIENDLY = 2, _("Friendly")
    ANGRY = 3, _("Angry")


class TtsProvider(models.IntegerChoices):
    YANDEX = 1, _("Yandex")


class MediaResource(models.Model):
    """A recorded audio message uploaded to Exolve, referred to by its id."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("A media resource with this name already exists.")},
    )
    media_resource_id = models.PositiveBigIntegerField(
        _("media resource id"),
        unique=True,
        error_messages={"unique": _("This Exolve id is already given to another media resource.")},
        validators=range_validators(
            1, 2**63 - 1, _("Enter the id Exolve gave the uploaded audio file, e.g. 685.")
        ),
        help_text=_("The id Exolve gave the uploaded audio file."),
    )

    # Who changed what: a row per save and delete, with its values and the user (README, "Who
    # changed what").
    history = HistoricalRecords(
        verbose_name=_("media resource change"),
        verbose_name_plural=_("Change trail: media resources"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("media resource")
        verbose_name_plural = _("media resources")
        constraints = [range_check("mediaresource", "media_resource_id", 1, 2**63 - 1)]

    def __str__(self) -> str:
        return self.name


class TtsPreset(models.Model):
    """A text Exolve reads aloud to one side of the call, with its voice settings."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("A TTS preset with this name already exists.")},
    )
    text = models.TextField(
        _("text"),
        help_text=_(
            "Read aloud to the party; it must be spoken within 24 seconds at the chosen speed."
        ),
    )
    voice = models.PositiveSmallIntegerField(
        _("voice"), choices=Voice.choices, default=Voice.ALYONA
    )
    lang = models.PositiveSmallIntegerField(
        _("language"), choices=Lang.choices, default=Lang.RUSSIAN
    )
    volume = models.SmallIntegerField(
        _("volume"),
        default=-19,
        validators=range_validators(
            -149, 0, _("The volume must be from {low} to {high} (0 is the loudest).")
        ),
        help_text=_("From -149 to 0 (default -19)."),
    )
    speed = models.DecimalField(
        _("speed"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.0"),
        validators=range_validators(Decimal("0.1"), Decimal("3.0"), SPEED_RANGE),
        error_messages={code: format_lazy(SPEED_RANGE, low="0.1", high="3.0") for code in DIGITS},
        help_text=_("From 0.1 to 3.0 (default 1.0)."),
    )
    emotion = models.PositiveSmallIntegerField(
        _("emotion"), choices=Emotion.choices, default=Emotion.NEUTRAL
    )
    provider = models.PositiveSmallIntegerField(
        _("provider"), choices=TtsProvider.choices, default=TtsProvider.YANDEX
    )

    history = HistoricalRecords(
        verbose_name=_("TTS preset change"), verbose_name_plural=_("Change trail: TTS presets")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("TTS preset")
        verbose_name_plural = _("TTS presets")
        constraints = [
            range_check("ttspreset", "voice", 1, 5),
            range_check("ttspreset", "lang", 1, 2),
            range_check("ttspreset", "volume", -149, 0),
            range_check("ttspreset", "speed", Decimal("0.1"), Decimal("3.0")),
            range_check("ttspreset", "emotion", 1, 3),
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="ttspreset_text_not_empty",
                violation_error_message=_("Enter a text."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An unknown placeholder is an error; a text estimated over 24 seconds is not (the
        contract sets no length in characters, and our estimate is only an estimate): the admin
        warns after saving it (admin/configuration.py)."""
        super().clean()
        if not self.text:  # a missing text is said by its field
            return
        self.text = self.text.strip()
        if not self.text:
            raise ValidationError({"text": _("Enter a text to be read aloud.")})
        errors = placeholder_errors(self.text)
        if errors:
            raise ValidationError({"text": errors})

    @property
    def estimated_seconds(self) -> float:
        return estimated_speech_seconds(self.text, self.speed or 1, self.lang)
