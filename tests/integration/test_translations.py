"""The Russian catalog: compiled, consistent with its source, and what a Russian browser gets."""

import gettext
import re

import pytest
from django.urls import reverse

from tests.helpers import PROJECT

LOCALE = PROJECT / "locale" / "ru" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%\((\w+)\)\.\d+f|\{(\w+)\}")


def po_entries():
    """msgid → msgstr from django.po (single and continued lines; no plurals are used)."""
    entries, current = {}, None
    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = [line[6:]]
        elif line.startswith("msgstr "):
            msgid = "".join(part[1:-1] for part in current)
            current = entries[msgid] = [line[7:]]
        elif line.startswith('"') and current is not None:
            current.append(line)
    return {
        unescape(msgid): unescape("".join(p[1:-1] for p in parts))
        for msgid, parts in entries.items()
        if msgid
    }


def unescape(text):
    return text.replace('\\"', '"').replace("\\n", "\n")


def placeholders(text):
    return sorted(name for match in PLACEHOLDER.findall(text) for name in match if name)


def test_every_message_is_translated_and_keeps_its_placeholders():
    entries = po_entries()
    assert len(entries) > 100
    for msgid, msgstr in entries.items():
        assert msgstr, f"untranslated: {msgid!r}"
        assert placeholders(msgid) == placeholders(msgstr), msgid


def test_the_compiled_catalog_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    for msgid, msgstr in po_entries().items():
        assert catalog.gettext(msgid) == msgstr, (
            f"django.mo is stale for {msgid!r}: run compilemessages"
        )


@pytest.mark.django_db
def test_a_russian_browser_gets_the_russian_admin(client, staff_user, contact, agent_group):
    client.force_login(staff_user)
    page = client.get(
        reverse("admin:callbacks_contact_change", args=[contact.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    )
    text = page.content.decode()
    assert "Перезвонить" in text
    assert "Обратные звонки" in text
    confirm = client.get(
        reverse("admin:callbacks_contact_callback", args=[contact.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "Перезвонить сейчас" in confirm.content.decode()


@pytest.mark.django_db
def test_a_bad_number_is_explained_in_russian(client, staff_user):
    client.force_login(staff_user)
    data = {
        "name": "Пётр",
        "numbers-TOTAL_FORMS": "1",
        "numbers-INITIAL_FORMS": "0",
        "numbers-MIN_NUM_FORMS": "1",
        "numbers-MAX_NUM_FORMS": "10",
        "numbers-0-position": "0",
        "numbers-0-number": "привет",
    }
    page = client.post(reverse("admin:callbacks_contact_add"), data, HTTP_ACCEPT_LANGUAGE="ru")
    assert "«привет» — неверный номер телефона." in page.content.decode()
