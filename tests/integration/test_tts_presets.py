"""The TTS preset form as a support manager uses it: the estimate of the spoken length against
Exolve's 24 seconds, a warning (not an error) after saving a text estimated over it, and the
contact's placeholders checked on the text field."""

import pytest
from django.contrib.messages import WARNING
from django.urls import reverse

from callbacks.models import TtsPreset
from tests.admin_pages import preset_data

GREETING = "Здравствуйте, {name}! Вам перезванивает служба поддержки."

pytestmark = pytest.mark.django_db
ADD = reverse("admin:callbacks_ttspreset_add")


def greeting(**fields):
    return preset_data(**{"name": "Приветствие", "text": GREETING, **fields})


def test_the_form_shows_the_estimate_and_the_placeholders_it_may_use(as_user, manager, tts_preset):
    page = as_user(manager).get(reverse("admin:callbacks_ttspreset_change", args=[tts_preset.pk]))
    text = page.content.decode()
    # 23 characters at 14 a second times 1.5
    assert '<span id="tts-estimate"' in text
    assert "about 1.1 s of the 24 s Exolve allows" in text
    assert "callbacks/tts_estimate.js" in text
    assert "<code>{name}</code> and <code>{company}</code> say the contact" in text


def test_an_add_form_has_the_estimate_for_the_script_to_fill(as_user, manager):
    text = as_user(manager).get(ADD).content.decode()
    assert 'id="tts-estimate"' in text
    assert 'data-rates="{&quot;1&quot;: 14, &quot;2&quot;: 15}"' in text


def test_a_text_within_the_limit_saves_without_a_warning(as_user, manager):
    response = as_user(manager).post(ADD, greeting(), follow=True)
    assert TtsPreset.objects.filter(name="Приветствие").exists()
    assert [m.level for m in response.context["messages"]] == [25]  # success only


def test_a_text_over_the_estimate_is_saved_with_a_warning_naming_it(as_user, manager):
    response = as_user(manager).post(ADD, greeting(text="слово " * 60), follow=True)
    preset = TtsPreset.objects.get(name="Приветствие")
    assert len(preset.text) == 359
    warnings = [str(m) for m in response.context["messages"] if m.level == WARNING]
    assert warnings == [
        "“Приветствие” would take about 25.6 seconds to speak at speed 1.0; Exolve allows 24, "
        "and may cut it short or refuse the call. Shorten it to 336 characters or raise the "
        "speed, and try it with a test call."
    ]


def test_english_reads_a_little_faster(as_user, manager):
    response = as_user(manager).post(
        ADD, greeting(text="word " * 70, lang="2"), follow=True
    )  # 349 characters: 23.3 s at 15 a second
    assert not [m for m in response.context["messages"] if m.level == WARNING]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Здравствуйте, {phone}!", "Unknown placeholder {phone}: the text may use {name} and"),
        ("Здравствуйте, {name!", "A brace has no pair"),
    ],
)
def test_an_unknown_placeholder_is_an_error_on_the_text(as_user, manager, text, message):
    response = as_user(manager).post(ADD, greeting(text=text))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["text"]
    assert message in errors["text"][0]
    assert not TtsPreset.objects.exists()
