"""Our models' names in the forms a sentence needs, where Django's admin would glue the nominative
into its phrases ("Изменить клиент", "Добавить группа операторов", "2 запросы обратного звонка").

Each model has its accusative (add, change, delete, choose), its genitive (view), "all of them"
(select all) and a count through ngettext (1 клиент, 2 клиента, 5 клиентов). In English every form
is the plain name. The table is keyed by the model's label ("callbacks.contact"); the trail of
changes of a model ("callbacks.historicalcontact") is worded from its model's genitive."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy
from django_stubs_ext import StrOrPromise

Count = Callable[[int], str]


@dataclass(frozen=True)
class Wording:
    accusative: StrOrPromise  # Добавить клиента
    genitive: StrOrPromise  # Просмотр клиента
    all_of_them: StrOrPromise  # Выбрать всех клиентов (5)
    count: Count  # 5 клиентов
    selected: StrOrPromise | None = None  # Удалить выбранных клиентов (a list that deletes)
    # Where adding puts it in other words than the accusative: «номер в список «не звонить»», not
    # «номер из списка …» (the name of a row already in the list).
    added: StrOrPromise | None = None

    def add(self) -> str:
        return capfirst(gettext("Add %(object)s") % {"object": self.added or self.accusative})

    def add_another(self) -> str:
        return capfirst(gettext("Add another %(object)s") % {"object": self.accusative})

    def change(self) -> str:
        return capfirst(gettext("Change %(object)s") % {"object": self.accusative})

    def view(self) -> str:
        return capfirst(gettext("View %(object)s") % {"object": self.genitive})

    def delete(self) -> str:
        return capfirst(gettext("Delete %(object)s") % {"object": self.accusative})

    def choose_to_change(self) -> str:
        return gettext("Choose %(object)s to change") % {"object": self.accusative}

    def choose_to_view(self) -> str:
        return gettext("Choose %(object)s to view") % {"object": self.accusative}

    def delete_selected(self) -> str | None:
        if self.selected is None:
            return None
        return gettext("Delete %(selected)s") % {"selected": self.selected}

    def select_all(self, number: int) -> str:
        return gettext("Select %(all_of_them)s (%(count)d)") % {
            "all_of_them": self.all_of_them,
            "count": number,
        }


# ngettext's msgids must be literal for makemessages: each count below spells out its own pair.
WORDINGS: dict[str, Wording] = {
    "callbacks.agentgroup": Wording(
        pgettext_lazy("accusative", "agent group"),
        pgettext_lazy("genitive", "agent group"),
        pgettext_lazy("all of them", "all agent groups"),
        lambda n: ngettext("%(count)d agent group", "%(count)d agent groups", n) % {"count": n},
        pgettext_lazy("selected", "selected agent groups"),
    ),
    "callbacks.destination": Wording(
        pgettext_lazy("accusative", "destination"),
        pgettext_lazy("genitive", "destination"),
        pgettext_lazy("all of them", "all destinations"),
        lambda n: ngettext("%(count)d destination", "%(count)d destinations", n) % {"count": n},
    ),
    "callbacks.workinghours": Wording(
        pgettext_lazy("accusative", "working hours"),
        pgettext_lazy("genitive", "working hours"),
        pgettext_lazy("all of them", "all working hours"),
        lambda n: (
            ngettext("%(count)d working hours row", "%(count)d working hours rows", n)
            % {"count": n}
        ),
    ),
    "callbacks.holiday": Wording(
        pgettext_lazy("accusative", "holiday"),
        pgettext_lazy("genitive", "holiday"),
        pgettext_lazy("all of them", "all holidays"),
        lambda n: ngettext("%(count)d holiday", "%(count)d holidays", n) % {"count": n},
    ),
    "callbacks.mediaresource": Wording(
        pgettext_lazy("accusative", "media resource"),
        pgettext_lazy("genitive", "media resource"),
        pgettext_lazy("all of them", "all media resources"),
        lambda n: (
            ngettext("%(count)d media resource", "%(count)d media resources", n) % {"count": n}
        ),
        pgettext_lazy("selected", "selected media resources"),
    ),
    "callbacks.ttspreset": Wording(
        pgettext_lazy("accusative", "TTS preset"),
        pgettext_lazy("genitive", "TTS preset"),
        pgettext_lazy("all of them", "all TTS presets"),
        lambda n: ngettext("%(count)d TTS preset", "%(count)d TTS presets", n) % {"count": n},
        pgettext_lazy("selected", "selected TTS presets"),
    ),
    "callbacks.contact": Wording(
        pgettext_lazy("accusative", "contact"),
        pgettext_lazy("genitive", "contact"),
        pgettext_lazy("all of them", "all contacts"),
        lambda n: ngettext("%(count)d contact", "%(count)d contacts", n) % {"count": n},
        pgettext_lazy("selected", "selected contacts"),
    ),
    "callbacks.contactnumber": Wording(
        pgettext_lazy("accusative", "phone number"),
        pgettext_lazy("genitive", "phone number"),
        pgettext_lazy("all of them", "all phone numbers"),
        lambda n: ngettext("%(count)d phone number", "%(count)d phone numbers", n) % {"count": n},
    ),
    "callbacks.callbackrequest": Wording(
        pgettext_lazy("accusative", "callback"),
        pgettext_lazy("genitive", "callback"),
        pgettext_lazy("all of them", "all callbacks"),
        lambda n: ngettext("%(count)d callback", "%(count)d callbacks", n) % {"count": n},
    ),
    "callbacks.callbackattempt": Wording(
        pgettext_lazy("accusative", "callback attempt"),
        pgettext_lazy("genitive", "callback attempt"),
        pgettext_lazy("all of them", "all callback attempts"),
        lambda n: (
            ngettext("%(count)d callback attempt", "%(count)d callback attempts", n) % {"count": n}
        ),
    ),
    "callbacks.callevent": Wording(
        pgettext_lazy("accusative", "call event"),
        pgettext_lazy("genitive", "call event"),
        pgettext_lazy("all of them", "all call events"),
        lambda n: ngettext("%(count)d call event", "%(count)d call events", n) % {"count": n},
    ),
    "callbacks.donotcallnumber": Wording(
        pgettext_lazy("accusative", "do-not-call number"),
        pgettext_lazy("genitive", "do-not-call number"),
        pgettext_lazy("all of them", "all do-not-call numbers"),
        lambda n: (
            ngettext("%(count)d do-not-call number", "%(count)d do-not-call numbers", n)
            % {"count": n}
        ),
        pgettext_lazy("selected", "selected do-not-call numbers"),
        pgettext_lazy("added", "a number to the do-not-call list"),
    ),
}

HISTORICAL_PREFIX = "historical"


def _change_of(changed: Wording) -> Wording:
    """«изменение клиента» (accusative), «изменения клиента» (genitive), «5 изменений»."""
    names = {"object": changed.genitive}
    return Wording(
        accusative=lazy(lambda: gettext("a change of %(object)s") % names, str)(),
        genitive=lazy(lambda: gettext("the change of %(object)s") % names, str)(),
        all_of_them=pgettext_lazy("all of them", "all changes"),
        count=lambda n: ngettext("%(count)d change", "%(count)d changes", n) % {"count": n},
    )


def wording_of(label: str) -> Wording | None:
    """The wording of a model by its label_lower, the trail's models included; None for a model
    not of ours (Django's users and groups), whose pages keep Django's own phrases."""
    if label in WORDINGS:
        return WORDINGS[label]
    app, _dot, model = label.partition(".")
    if model.startswith(HISTORICAL_PREFIX):
        changed = WORDINGS.get(f"{app}.{model.removeprefix(HISTORICAL_PREFIX)}")
        return _change_of(changed) if changed else None
    return None


def counted(label: str, name: StrOrPromise, plural: StrOrPromise, number: int) -> str:
    """«5 клиентов»; for a model without a wording, a form that reads right with any noun."""
    wording = wording_of(label)
    if wording:
        return wording.count(number)
    return gettext("%(name)s: %(count)d") % {"name": capfirst(plural), "count": number}


# Django's own messages that glue a name into a sentence that agrees with it in gender ("был
# успешно добавлен"): our catalog (first in LOCALE_PATHS) words them so they read right for
# every name. Listed here so that makemessages keeps them.
DJANGO_MESSAGES = [
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    # The related widget's buttons (their tooltips), and simple-history's "no user".
    gettext_noop("Add another %(model)s"),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("None"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following "
        "objects and their related items will be deleted:"
    ),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the '
        "following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the following "
        "protected related objects:"
    ),
]
