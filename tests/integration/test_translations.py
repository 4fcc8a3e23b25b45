"""The Russian catalog: compiled, consistent with its source, and what a Russian browser gets."""

import gettext
import re

import pytest
from django.urls import reverse

from tests.helpers import PROJECT

LOCALE = PROJECT / "locale" / "ru" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%\((\w+)\)\.\d+f|\{(\w+)\}")


class Entry:
    """One message of django.po: its context, msgid and msgstr, or for a count its msgid_plural
    and one msgstr per plural form."""

    def __init__(self):
        self.parts = {}

    def text(self, name):
        return unescape("".join(self.parts.get(name, [])))

    @property
    def context(self):
        return self.text("msgctxt") if "msgctxt" in self.parts else None

    @property
    def forms(self):
        """msgstr[0], msgstr[1], …: the translations of a count, in the catalog's plural order."""
        numbered = sorted(name for name in self.parts if name.startswith("msgstr["))
        return [self.text(name) for name in numbered]


FIELD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$")


def po_entries():
    """The entries of django.po (not obsolete), each context, msgid, plural and msgstr read from
    one or more quoted lines."""
    entries, current, field = [], None, None
    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        match = FIELD.match(line)
        if match:
            field, quoted = match.groups()
            if field == "msgctxt" or (field == "msgid" and not awaits_msgid(current)):
                current = Entry()
                entries.append(current)
            current.parts[field] = [quoted[1:-1]]
        elif line.startswith('"') and field is not None:
            current.parts[field].append(line[1:-1])
        elif not line.strip():
            field = None
    return [entry for entry in entries if entry.text("msgid")]


def awaits_msgid(entry):
    return entry is not None and "msgctxt" in entry.parts and "msgid" not in entry.parts


def unescape(text):
    return text.replace('\\"', '"').replace("\\n", "\n")


def placeholders(text):
    return sorted({name for match in PLACEHOLDER.findall(text) for name in match if name})


def test_every_message_is_translated_and_keeps_its_placeholders():
    entries = po_entries()
    assert len(entries) > 100
    for entry in entries:
        msgid = entry.text("msgid")
        for msgstr in entry.forms or [entry.text("msgstr")]:
            assert msgstr, f"untranslated: {msgid!r}"
            assert placeholders(msgid) == placeholders(msgstr), msgid


def test_every_count_has_its_russian_plural_forms():
    """Russian counts one (1, 21), few (2–4, 22) and many (5–20, 25): each form filled, the
    number kept in each, and the forms not all the same (after «не больше», «меньше» the genitive
    makes few and many alike: «двух номеров», «пяти номеров»)."""
    counts = [entry for entry in po_entries() if entry.forms]
    assert len(counts) > 10
    header = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "nplurals=4;" in header  # as Django's own Russian catalogs, so that they merge
    for entry in counts:
        assert len(entry.forms) == 4, entry.text("msgid")
        assert all(entry.forms), entry.text("msgid")
        assert entry.text("msgid_plural"), entry.text("msgid")
        assert len(set(entry.forms[:3])) >= 2, entry.forms


def test_the_catalog_reads_contexts_and_counts():
    """The parser itself: a word in the accusative and a count, as the catalog writes them."""
    entries = {(entry.context, entry.text("msgid")): entry for entry in po_entries()}
    assert entries[("accusative", "contact")].text("msgstr") == "клиента"
    assert entries[(None, "%(count)d contact")].forms[:3] == [
        "%(count)d клиент",
        "%(count)d клиента",
        "%(count)d клиентов",
    ]


def test_the_compiled_catalog_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    for entry in po_entries():
        msgid, context = entry.text("msgid"), entry.context
        if entry.forms:
            compiled = [catalog.ngettext(msgid, entry.text("msgid_plural"), n) for n in (1, 2, 5)]
            expected = entry.forms[:3]
        elif context is not None:
            compiled, expected = catalog.pgettext(context, msgid), entry.text("msgstr")
        else:
            compiled, expected = catalog.gettext(msgid), entry.text("msgstr")
        assert compiled == expected, f"django.mo is stale for {msgid!r}: run compilemessages"


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
