"""A callback's page and its attempt's page read as a story: who asked, each attempt with its
legs and outcome in words, what happens next only while it waits, the MakeCallback body as a
table with the JSON one click away, and the staff actions it offers."""

import re

import pytest
from django.urls import reverse

from callbacks.admin.callback_story import hangup_in_words
from callbacks.models import (
    CallbackAttempt,
    CallbackRequest,
    CallbackStatus,
    MediaResource,
    Refusal,
    TtsPreset,
)
from tests.callback_stories import (
    send_first_attempt_busy,
    send_second_attempt_placed,
    two_attempts_and_an_outcome,
)

pytestmark = pytest.mark.django_db


def page_of(client, callback):
    url = reverse("admin:callbacks_callbackrequest_change", args=[callback.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html):
    """The page's words in order, without tags or runs of spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def in_order(text, *parts):
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


def test_the_page_tells_who_asked_then_each_attempt_with_its_legs_and_the_outcome(
    as_user, auditor, callback, sandbox
):
    two_attempts_and_an_outcome(callback, sandbox)
    text = text_of(page_of(as_user(auditor), callback))
    assert "Placed · contact did not answer" in text
    assert in_order(
        text,
        "Requested by staff",
        "Contact Иван Петров (Ромашка) +7 959 999-99-99, +7 999 999-99-99",
        "Agent group Sales",
        "Attempt 1",
        "Exolve busy or unreachable: nothing placed",
        "HTTP 503",
        "Attempt 2",
        "Accepted by Exolve",
        f"Call id: {callback.call_id}",
        "Agents answered",
        "Contact not answered",
        "No answer from user (NO_ANSWER, Q.850 19)",
        "Outcome: Contact did not answer",
    )


def test_what_happens_next_is_shown_only_while_it_waits(as_user, auditor, callback, sandbox):
    client = as_user(auditor)
    send_first_attempt_busy(callback, sandbox)
    assert "Next attempt at" in text_of(page_of(client, callback))
    send_second_attempt_placed(callback)
    assert "Next attempt at" not in text_of(page_of(client, callback))


def test_the_body_is_a_table_in_words_with_the_json_one_click_away(as_user, auditor, callback):
    html = page_of(as_user(auditor), callback)
    text = text_of(html)
    assert in_order(
        text,
        "Line 1: agents",
        "Rings One after another",
        "+7 812 999-99-99 — rings for 30 s",
        "+7 495 999-99-99 — rings for 30 s",
        "Hears recording “Greeting” (id 685)",
        "Line 2: contact",
        "Rings All at once",
        "Hears speech “Website”: “Обратный звонок с сайта”, voice Jane",
    )
    assert re.search(r"<details[^>]*><summary>The JSON as sent</summary><pre>\{", html)
    assert "Longest conversation 30 min" in text


def test_audio_whose_id_is_gone_says_so(as_user, auditor, callback):
    MediaResource.objects.update(media_resource_id=999)
    TtsPreset.objects.update(text="Другой текст")
    text = text_of(page_of(as_user(auditor), callback))
    assert "recording: unknown id 685" in text
    assert "speech (no preset has this text now): “Обратный звонок с сайта”" in text


def test_staff_get_the_actions_on_the_page_and_auditors_do_not(
    as_user, staff_user, auditor, callback
):
    cancel = reverse("admin:callbacks_callbackrequest_cancel", args=[callback.pk])
    assert f'href="{cancel}"' in page_of(as_user(staff_user), callback)
    assert f'href="{cancel}"' not in page_of(as_user(auditor), callback)


def test_the_status_and_the_attempts_keep_themselves_current(as_user, auditor, callback):
    html = page_of(as_user(auditor), callback)
    assert 'data-live="callback-status">' in html  # pending: followed
    assert 'data-live="callback-attempts">' in html
    assert "callbacks/live.js" in html


def test_a_callback_that_will_not_change_by_itself_is_no_longer_followed(
    as_user, auditor, callback
):
    """live.js stops once every part says data-live-done: no fetch every 3 s for ever."""
    CallbackRequest.objects.filter(pk=callback.pk).update(status=CallbackStatus.CANCELLED)
    html = page_of(as_user(auditor), callback)
    assert 'data-live="callback-status" data-live-done>' in html
    assert 'data-live="callback-attempts" data-live-done>' in html


def test_the_attempts_page_shows_its_result_legs_and_body_in_words(
    as_user, auditor, callback, sandbox
):
    two_attempts_and_an_outcome(callback, sandbox)
    attempt = CallbackAttempt.objects.get(callback=callback, sequence=2)
    url = reverse("admin:callbacks_callbackattempt_change", args=[attempt.pk])
    text = text_of(as_user(auditor).get(url).content.decode())
    assert "Accepted by Exolve" in text
    assert "No answer from user (NO_ANSWER, Q.850 19)" in text
    assert "+7 812 999-99-99 — rings for 30 s" in text
    listed = text_of(
        as_user(auditor).get(reverse("admin:callbacks_callbackattempt_changelist")).content.decode()
    )
    assert "Exolve busy or unreachable: nothing placed" in listed
    assert "Rejected" not in listed


def test_an_odd_body_is_shown_as_it_is_rather_than_stopping_the_page(as_user, auditor, callback):
    CallbackRequest.objects.filter(pk=callback.pk).update(
        request_body={
            "duration": "long",
            "line_1": {"destinations": ["x", {"number": 5}], "ring_logic": 7, "audio": []},
            "line_2": "nothing",
        }
    )
    text = text_of(page_of(as_user(auditor), callback))
    assert "Rings unknown (7)" in text
    assert "Longest conversation 30 min (default)" in text
    assert "— rings for 30 s (default)" in text


@pytest.mark.parametrize(
    ("hangup_cause", "cause", "words"),
    [
        ("NORMAL_CLEARING", "16", "Normal call clearing"),
        ("USER_BUSY", "", "User busy"),  # the name read as its Q.850 cause
        ("ORIGINATOR_CANCEL", "", "Cancelled before it was answered"),
        ("SOMETHING_NEW", "", "SOMETHING_NEW"),
        ("", "99", "cause 99"),
    ],
)
def test_a_legs_end_is_told_in_words(hangup_cause, cause, words):
    assert hangup_in_words(hangup_cause, cause) == words


def test_a_refused_callback_says_it_was_never_sent_and_what_stopped_it(as_user, auditor, callback):
    CallbackRequest.objects.filter(pk=callback.pk).update(
        status=CallbackStatus.REFUSED, refusal=Refusal.COOLDOWN
    )
    text = text_of(page_of(as_user(auditor), callback))
    assert "Refused: number called recently" in text
    assert "Never sent." in text
    assert "Not sent yet." not in text
