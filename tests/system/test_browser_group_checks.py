"""A support manager checks a group before a customer hears it, in Chromium at 1366 × 900: the
request Exolve would receive (the key masked, the TTS text said to the sample contact), then a
test call to their own number, sent by a real Celery worker to the sandbox, whose call events
bring its outcome to the group's page without a reload. And the TTS preset form: its estimate
follows the typing, and an unknown placeholder is said on the text."""

import pytest
from django.conf import settings

from callbacks.models import CallbackRequest, CallbackStatus, Contact
from tests.integration.call_event_data import events_secret, live_events_url  # noqa: F401
from tests.system import test_daily_paths as daily_paths
from tests.system.browser import LIVE_WAIT_MS, log_in, right_edges_inside_the_viewport

# The daily paths' real worker, the sandbox posting events back, its open group and screenshots.
worker, exolve = daily_paths.worker, daily_paths.exolve
open_group, shots = daily_paths.open_group, daily_paths.shots
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WORDS = {
    "ru-RU": {
        "sample": "Анна Образцова",
        "button": "Пробный звонок",
        "queued": "Пробный звонок поставлен в очередь",
        "connected": "Соединены",
        "contact": "Пробный звонок: manager",
        "within": "из 24 с, допустимых в Exolve",
        "over": "больше 24 с, допустимых в Exolve",
        "unknown": "Неизвестная подстановка {phone}",
    },
    "en-GB": {
        "sample": "Anna Obraztsova",
        "button": "Test call",
        "queued": "Test call queued",
        "connected": "Connected",
        "contact": "Test call: manager",
        "within": "of the 24 s Exolve allows",
        "over": "over the 24 s Exolve allows",
        "unknown": "Unknown placeholder {phone}",
    },
}
LOCALES = pytest.mark.parametrize("locale", list(WORDS))


@LOCALES
def test_a_manager_sees_the_request_then_makes_a_test_call_and_sees_its_outcome(
    chromium, live_server, exolve, manager, open_group, tts_preset, shots, locale
):
    words = WORDS[locale]
    tts_preset.text = "{name}, вам перезванивают с сайта"
    tts_preset.save()
    page = log_in(chromium, live_server, manager.username, locale)
    page.goto(f"{live_server.url}/admin/callbacks/agentgroup/{open_group.pk}/change/")

    preview = page.locator("#make-callback-preview")
    assert "Bearer ••••••" in preview.inner_text()
    assert settings.EXOLVE_API_KEY not in page.content()
    assert f"{words['sample']}, вам перезванивают с сайта" in preview.inner_text()
    assert "/call/v1/MakeCallback" in preview.inner_text()
    preview.evaluate("element => element.scrollIntoView()")
    shots(page, f"manager-group-request-preview-{locale}")

    page.fill("#test-call-form input[name=number]", "+7 916 555-12-34")
    page.get_by_role("button", name=words["button"], exact=True).click()
    page.wait_for_selector(".messagelist")
    assert words["queued"] in page.inner_text(".messagelist")
    page.evaluate("window.notReloaded = true")  # gone if the page reloads
    # The worker sends it, the sandbox answers and posts the call's events back to this server.
    page.wait_for_function(
        "text => document.querySelector('#test-call .test-call-outcome')?.innerText.includes(text)",
        arg=words["connected"],
        timeout=LIVE_WAIT_MS,
    )
    assert page.evaluate("window.notReloaded") is True
    callback = CallbackRequest.objects.get()
    assert (callback.is_test, callback.status) == (True, CallbackStatus.PLACED)
    assert callback.call_id
    assert Contact.objects.get().name == words["contact"]
    assert exolve.received()[0]["body"]["line_2"]["destinations"][0]["number"] == "79165551234"
    assert not right_edges_inside_the_viewport(page, ["#test-call-form", "#test-call"])
    page.locator("#test-call-module").evaluate("element => element.scrollIntoView()")
    shots(page, f"manager-test-call-connected-{locale}")

    page.click("#test-call a")  # the callback's own page
    page.wait_for_selector("#callback-story")
    assert words["contact"] in page.inner_text("#callback-asked")


@LOCALES
def test_the_tts_preset_form_estimates_while_typing_and_names_an_unknown_placeholder(
    chromium, live_server, manager, shots, locale
):
    words = WORDS[locale]
    page = log_in(chromium, live_server, manager.username, locale)
    page.goto(f"{live_server.url}/admin/callbacks/ttspreset/add/")
    page.fill("#id_name", "Приветствие")
    page.fill("#id_text", "Здравствуйте, {name}!")  # 21 characters: 1.5 s at 14 a second
    estimate = page.locator("#tts-estimate")
    assert words["within"] in estimate.inner_text()
    assert "1,5" in estimate.inner_text() or "1.5" in estimate.inner_text()

    page.fill("#id_text", "слово " * 60)  # 359 characters: 25.6 s
    assert words["over"] in estimate.inner_text()
    assert "over-limit" in estimate.get_attribute("class")
    shots(page, f"manager-tts-over-the-limit-{locale}")
    page.fill("#id_speed", "2")  # 12.8 s
    assert words["within"] in estimate.inner_text()
    shots(page, f"manager-tts-estimate-{locale}")

    page.fill("#id_text", "Здравствуйте, {phone}!")
    page.click("input[name=_save]")
    page.wait_for_selector(".errornote")
    assert words["unknown"] in page.inner_text(".field-text .errorlist")
    shots(page, f"manager-tts-unknown-placeholder-{locale}")
