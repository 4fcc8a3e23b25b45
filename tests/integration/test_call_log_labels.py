"""Labels of the call log that used to mislead: "Has an error: Unknown", a "Requested by" filter
listing users who never asked, a search help that says "request", the page's breadcrumb, an
untranslated "Call id", Django's "N results" wording, and call events' one-letter types."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callbacks import call_events
from callbacks.filters import users_who_asked
from tests.helpers import make_callbacks
from tests.integration.call_event_data import connected_events, events_secret, placed  # noqa: F401

pytestmark = pytest.mark.django_db
LIST = reverse("admin:callbacks_callbackrequest_changelist")
PAGE = reverse("call_log")


@pytest.fixture
def seven(agent_group, staff_user, make_user, queued):
    make_user("never-asked", "Staff")
    make_callbacks(1, agent_group, make_user("second", "Staff"))
    return make_callbacks(6, agent_group, staff_user)


def sidebar_users(html):
    return set(re.findall(r"requested_by__id__exact=\d+\">(.*?)</a>", html))


def test_requested_by_lists_only_those_who_asked_on_the_list_and_the_page(
    as_user, auditor, staff_user, seven
):
    client = as_user(auditor)
    assert sidebar_users(client.get(LIST).content.decode()) == {"second", "staff"}
    select = re.search(
        r'<select name="requested_by".*?</select>', client.get(PAGE).content.decode(), re.S
    )
    assert select is not None
    assert f'value="{staff_user.pk}"' in select.group()
    assert "never-asked" not in select.group()


def test_who_asked_is_an_exists_per_user_not_a_distinct_over_the_callbacks(seven):
    with CaptureQueriesContext(connection) as queries:
        assert [user.username for user in users_who_asked()] == ["second", "staff"]
    (sql,) = [query["sql"].upper() for query in queries]
    assert "EXISTS" in sql
    assert "DISTINCT" not in sql


def test_has_an_error_offers_any_yes_and_no_not_unknown(as_user, auditor, seven):
    html = as_user(auditor).get(PAGE).content.decode()
    select = re.search(r'<select name="has_error".*?</select>', html, re.S)
    assert select is not None
    options = re.findall(r">([^<]+)</option>", select.group())
    assert options == ["Any", "Yes", "No"]


def test_the_call_log_page_is_a_page_of_its_own_in_the_breadcrumbs(as_user, auditor, seven):
    html = as_user(auditor).get(PAGE).content.decode()
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S)
    assert crumbs is not None
    assert re.sub(r"<[^>]+>|\s+", " ", crumbs.group(1)).split() == [
        "Home",
        "&rsaquo;",
        "Call",
        "log",
    ]


def test_the_search_help_names_what_may_be_typed_without_request(as_user, auditor, seven):
    html = as_user(auditor).get(LIST).content.decode()
    help_text = re.search(r'<div class="help"[^>]*>(.*?)</div>', html, re.S)
    assert help_text is not None
    assert "request" not in help_text.group(1)
    assert "callback-…" in help_text.group(1)


@pytest.mark.parametrize(
    ("language", "count", "call_id"),
    [("en", "7 callbacks", "Call id"), ("ru", "7 обратных звонков", "ID звонка")],
)
def test_the_count_and_the_call_id_read_right_in_both_languages(
    client, auditor, seven, language, count, call_id
):
    client.force_login(auditor)
    html = client.get(LIST, headers={"accept-language": language}).content.decode()
    assert f'<span class="result-count">{count}</span>' in html
    assert call_id in html
    assert "Call id" not in html or language == "en"


def test_call_events_say_their_type_in_words_and_filter_by_it(as_user, auditor, placed):  # noqa: F811
    for payload in connected_events(placed.call_id):
        call_events.receive_event(payload)
    client = as_user(auditor)
    events = reverse("admin:callbacks_callevent_changelist")
    page = client.get(events, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert re.search(r'<td class="field-kind">ответ</td>', page)
    assert "?type=s" in page  # the filter, in words
    answered = client.get(events, {"type": "s"}).content.decode()
    assert re.findall(r'<td class="field-kind">(.*?)</td>', answered) == ["answered"] * len(
        re.findall(r'<td class="field-kind">', answered)
    )
