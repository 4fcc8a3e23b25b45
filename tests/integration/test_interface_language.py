"""Every page of ours, read in Russian and in English: no name glued into Django's phrases
(«Изменить клиент», «По статус», «2 запросы обратного звонка»), no English left in the Russian
interface, no Russian of ours in the English one. Stored data (names, texts) is shown as typed."""

from pprint import pformat

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import strip_tags

from callbacks import call_events
from callbacks.admin.callback_actions import CALLBACK_ACTIONS
from callbacks.models import CallbackAttempt, Contact, DoNotCallNumber
from tests.admin_pages import CONTACT_ADD, GROUP_ADD, contact_data, group_data
from tests.integration.call_event_data import connected_events, events_secret, placed  # noqa: F401
from tests.interface_text import (
    CYRILLIC,
    CYRILLIC_ALLOWED,
    LATIN,
    LATIN_ALLOWED,
    foreign_words,
    glued_phrases,
    stored_words,
    visible_text,
)


@pytest.fixture
def everything(placed, admin_user):  # noqa: F811
    """A group with destinations, a contact, a placed callback with its attempt and call events,
    a do-not-call number, and the change trail of all that."""
    for payload in connected_events(placed.call_id):
        call_events.receive_event(payload)
    DoNotCallNumber.objects.create(number="79161234567", reason="Просил не звонить")
    return placed


CALLBACKS = "/admin/callbacks/callbackrequest/"


def our_pages():
    """Each of our models' list, add, change, delete and History pages, a past version, the Call
    back page, a callback's action pages, the call log page, the change trail page and the list of
    callbacks waiting for a support manager."""
    pages = [reverse("admin:index"), reverse("admin:app_list", args=["callbacks"])]
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label != "callbacks":
            continue
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        pages += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        for view in ("change", "history", "delete"):
            pages.append(reverse(f"{prefix}_{view}", args=[first.pk]))
        pages += past_version(prefix, first)
    attempt = CallbackAttempt.objects.select_related("callback").get()
    contact_id = attempt.callback.contact_id
    pages += [reverse("admin:callbacks_contact_callback", args=[contact_id]), reverse("call_log")]
    changes = reverse("admin:change_trail")
    pages += [changes, f"{changes}?model=contact", f"{CALLBACKS}?needs_manager=1"]
    actions = CALLBACK_ACTIONS.values()  # each confirmation page (saying when it does not apply)
    return pages + [reverse(f"admin:{a.url_name}", args=[attempt.callback_id]) for a in actions]


def past_version(prefix, obj):
    history = getattr(obj, "history", None)
    if history is None:
        return []
    try:
        return [reverse(f"{prefix}_simple_history", args=[obj.pk, history.first().pk])]
    except NoReverseMatch:
        return []


def read_all(client, language):
    """(url, visible text) of every page of ours that answers 200, as a superuser."""
    read = []
    for url in our_pages():
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if page.status_code == 200:
            read.append((url, visible_text(page.content.decode())))
        else:  # a page we may not open (adding a read-only record) must say so, not break
            assert page.status_code in (302, 403), (url, page.status_code)
    return read


@pytest.mark.django_db
def test_the_crawl_reaches_every_kind_of_page(client, everything, admin_user):
    client.force_login(admin_user)
    urls = [url for url, _text in read_all(client, "ru")]
    kinds = ["/add/", "/change/", "/history/", "/delete/", "/callback/", "/call-log/", "/cancel/"]
    for kind in kinds:
        assert any(kind in url for url in urls), kind
    assert len(urls) > 50


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin_user", "auditor"])  # may change / may only view
def test_russian_pages_read_as_written_in_russian(client, everything, role, request):
    reader = request.getfixturevalue(role)
    client.force_login(reader)
    allowed = LATIN_ALLOWED | stored_words() | {reader.username}
    problems = {}
    for url, text in read_all(client, "ru"):
        glued = glued_phrases(text.chunks, text.filter_headings)
        english = foreign_words(text.chunks, LATIN, allowed)
        if glued or english:
            problems[url] = {"glued": glued, "english": sorted(english)}
    assert not problems, pformat(problems, width=100)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin_user", "auditor"])
def test_english_pages_have_no_russian_of_ours(client, everything, role, request):
    client.force_login(request.getfixturevalue(role))
    allowed = CYRILLIC_ALLOWED | stored_words()
    problems = {}
    for url, text in read_all(client, "en"):
        russian = foreign_words(text.chunks, CYRILLIC, allowed)
        if russian:
            problems[url] = sorted(russian)
    assert not problems, pformat(problems, width=100)


def test_the_checks_catch_what_django_glues():
    """The phrases the issue lists are caught, and their declined forms pass."""
    wrong = ["Изменить клиент", "Добавить группа операторов", "Добавить еще один Абонент",
             "2 обратные звонки", "5 клиента", "Менеджер поддержки", "Call id"]  # fmt: skip
    found = glued_phrases(wrong, ["По статус", "статус"])
    assert len(found) == 10, found  # «Абонент» twice: glued, and the other word for an agent
    right = ["Изменить клиента", "Добавить группу операторов", "Добавить ещё номер оператора",
             "2 обратных звонка", "5 клиентов", "21 клиент", "По очереди", "ID звонка",
             "Руководитель поддержки"]  # fmt: skip
    assert glued_phrases(right, ["Статус"]) == []


def test_english_words_are_caught_and_names_of_things_are_not():
    chunks = ["Сохранить и Continue", "Exolve, SIP и TTS", "sip:user@host", "line_1", "A"]
    assert foreign_words(chunks, LATIN, LATIN_ALLOWED) == {"Continue"}


@pytest.mark.django_db
def test_what_the_admin_says_after_saving_reads_right_for_any_gender(client, admin_user):
    client.force_login(admin_user)
    ru = {"HTTP_ACCEPT_LANGUAGE": "ru", "follow": True}
    group = client.post(GROUP_ADD, group_data(name="Продажи"), **ru)
    assert "Добавлено: группа операторов «Продажи»." in messages_of(group)
    contact = client.post(CONTACT_ADD, contact_data("+7 912 345-67-89"), **ru)
    assert "Добавлено: клиент «Мария Сидорова»." in messages_of(contact)
    person = Contact.objects.get(name="Мария Сидорова")
    contacts = client.get(reverse("admin:callbacks_contact_changelist"), **ru)
    assert "Удалить выбранных клиентов" in visible_text(contacts.content.decode()).chunks
    confirm = client.get(reverse("admin:callbacks_contact_delete", args=[person.pk]), **ru)
    asks = "Вы уверены, что хотите удалить клиента «Мария Сидорова»?"
    assert asks in " ".join(visible_text(confirm.content.decode()).chunks)
    deleted = client.post(reverse("admin:callbacks_contact_delete", args=[person.pk]),
                          {"post": "yes"}, **ru)  # fmt: skip
    assert "Удалено: клиент «Мария Сидорова»." in messages_of(deleted)


def messages_of(response):
    """The page's messages as read (without the link to the object)."""
    return [strip_tags(str(message)) for message in response.context["messages"]]


@pytest.mark.django_db
def test_the_login_page_offers_the_other_language_and_the_choice_sticks(client):
    login = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="ru")
    assert 'id="language-switch"' in login.content.decode()
    assert "Русский" not in " ".join(visible_text(login.content.decode()).chunks)
    chosen = client.post(reverse("set_language"), {"language": "en", "next": "/admin/login/"})
    assert chosen.status_code == 302
    assert chosen.url == "/admin/login/"
    again = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Log in" in again.content.decode()
