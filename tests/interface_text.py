"""Our pages as a reader sees them: their visible text, what stored data they show, and the
Russian phrases that give away a name glued into Django's sentence."""

import json
import re
from html.parser import HTMLParser

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.utils import translation

from callbacks.wording import wording_of

# Code (an HTTP request as sent, too), the raw JSON and stored notes.
HIDDEN = {"script", "style", "pre", "code", "textarea"}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label"}
WORD = re.compile(r"[^\W\d_]+(?:[’'-][^\W\d_]+)*")
LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
ADDRESS = re.compile(r"\S+://\S+|\S+@\S+|\b\w+(?:_\w+)+\b|\S+/\S+")
# Names a Russian page writes in Latin letters: the provider, protocols, formats, the language's
# own name on the switch.
LATIN_ALLOWED = {
    "Exolve", "MTS", "SIP", "URI", "TTS", "ID", "HTTP", "JSON", "CSV", "RFC", "DNS", "NUL",
    "MakeCallback", "English", "Yandex", "Axes", "UTC",
}  # fmt: skip
CYRILLIC_ALLOWED = {"Русский"}  # the switch names Russian in Russian, on an English page too


class VisibleText(HTMLParser):
    """Text nodes outside code, tooltips and placeholders, button captions, an inline's add
    button (in its data-inline-formset), and the filters' headings apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.filter_headings: list[str] = []
        self.hidden_depth = 0
        self.in_summary = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in HIDDEN:
            self.hidden_depth += 1
        self.in_summary = tag == "summary"
        self.chunks += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.chunks.append(attributes.get("value") or "")
        if "data-inline-formset" in attributes:
            self.chunks.append(json.loads(attributes["data-inline-formset"])["options"]["addText"])

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden_depth -= 1
        if tag == "summary":
            self.in_summary = False

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text or self.hidden_depth:
            return
        self.chunks.append(text)
        if self.in_summary:
            self.filter_headings.append(text)


def words(text: str) -> list[str]:
    """The words of a text, a compound's parts apart (HTTP-статус, SIP-URI)."""
    return [part for word in WORD.findall(text) for part in word.split("-") if part]


def visible_text(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def stored_words() -> set[str]:
    """Every word of the stored data (names, texts, numbers' labels, user names, JSON): a page
    shows them as they were typed, in whatever language."""
    found: set[str] = set()
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:  # values_list() of no field would be every field
            continue
        for row in model._default_manager.values_list(*(f.attname for f in fields)):
            for value in row:
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found.update(words(text))
    return found


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def foreign_words(chunks: list[str], letters: re.Pattern[str], allowed: set[str]) -> set[str]:
    """Words in `letters` that are neither allowed, nor stored data, nor one letter (the legs A
    and B, the events' o, s, h, d, e)."""
    found = set()
    for chunk in chunks:
        for word in words(ADDRESS.sub(" ", chunk)):
            if letters.search(word) and len(word) > 1 and word not in allowed:
                found.add(word)
    return found


def our_names_in_russian() -> list[tuple[str, str, str, object]]:
    """(nominative, nominative plural, model label, wording) for each of our admin's models."""
    names = []
    with translation.override("ru"):
        for model in admin.site._registry:
            wording = wording_of(model._meta.label_lower)
            if model._meta.app_label == "callbacks" and wording:
                opts = model._meta
                names.append(
                    (str(opts.verbose_name), str(opts.verbose_name_plural), opts.label, wording)
                )
    return names


# One word for one thing: destinations are «номера операторов» (not «абоненты» beside
# «клиенты»), a support manager is a «руководитель», a call id is an «ID звонка».
OTHER_WORDS = re.compile(r"\b[Аа]бонент\w*|\b[Мм]енеджер\w*|\bCall id\b|\bcall id\b")


def glued_phrases(chunks: list[str], filter_headings: list[str]) -> list[str]:
    """Russian that gives away a name glued into Django's sentence: «Изменить клиент»,
    «Добавить еще один …», «По статус», «2 запросы обратного звонка»."""
    text = "\n".join(chunks)
    # A filter's heading is its title, capitalised: not «По статус», nor «статус».
    found = [h for h in filter_headings if re.match(r"\s*(По\s|[а-яё])", h)]
    found += re.findall(r"Добавить ещ[её] один\b.*", text)
    found += re.findall(OTHER_WORDS, text)
    for nominative, plural, _label, wording in our_names_in_russian():
        with translation.override("ru"):
            accusative = str(wording.accusative)
            counts = {n: wording.count(n) for n in range(30)}
        verbs = ["Изменить", "Добавить", "Удалить", "Выберите", "Выбрать"]
        if accusative != nominative:
            found += re.findall(rf"(?:{'|'.join(verbs)}) {re.escape(nominative)}\b", text)
        found += re.findall(rf"(?:Просмотр|Просмотреть) {re.escape(nominative)}\b", text)
        found += re.findall(rf"\b\d+ {re.escape(plural)}\b", text)
        found += wrong_counts(text, counts)
    return found


def wrong_counts(text: str, counts: dict[int, str]) -> list[str]:
    """A count of ours with the wrong plural form («2 клиентов»), for counts up to 29."""
    forms = {phrase.split(" ", 1)[1] for phrase in counts.values()}
    pattern = "|".join(sorted(map(re.escape, forms), key=len, reverse=True))
    return [
        match.group(0)
        for match in re.finditer(rf"\b(\d+) (?:{pattern})\b", text)
        if int(match.group(1)) in counts and match.group(0) != counts[int(match.group(1))]
    ]
