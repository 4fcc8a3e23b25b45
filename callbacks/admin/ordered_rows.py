"""Inline rows a support manager puts in order (an agent group's destinations, a contact's
numbers): moved in the page by dragging or with the up and down buttons (ordered_rows.js), and
numbered 1…n by the server on save, in the order of the posted positions (ties by row order), so a
page without JavaScript orders them too. Their formsets' messages say what Exolve needs, not
Django's "Please submit at least 1 form". Those who may only look (auditors) read the rows: no
handles, no limit, the numbers as people read them."""

import math
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ..numbers import readable_number
from .base import BoundedInline, M, Row

NUMBER = "number"  # the field of the rows' number (an agent's or the contact's)
SHOWN_NUMBER = "shown_number"  # that number as people read it, for those who may only look


class PositionField(forms.IntegerField):
    """A row's place as posted. Never a change by itself: a blank row the page numbered stays
    blank (and unsaved), and the formset marks the rows whose place it changed."""

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class OrderedRowForm(forms.ModelForm):  # type: ignore[type-arg]
    position = PositionField(
        label=_("position"),
        required=False,
        widget=forms.NumberInput(attrs={"class": "row-position"}),
    )

    def _get_validation_exclusions(self) -> set[str]:
        # The formset gives every kept row its place, 1…n: the posted number is only an order.
        exclusions: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        return exclusions | {"position"}


class WordedFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """An inline formset whose duplicate rows are refused in our words; its inline sets them."""

    duplicate_message: Any = _("A row is entered twice: remove the repeat.")
    duplicate_row_message: Any = _("This row repeats one above.")

    def get_unique_error_message(self, unique_check: Any) -> str:
        return str(self.duplicate_message)

    def get_form_error(self) -> str:
        return str(self.duplicate_row_message)


class OrderedFormSet(WordedFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [(index, form) for index, form in enumerate(self.forms) if self._is_kept(form)]
        kept.sort(key=lambda row: (posted_place(row[1]), row[0]))
        for place, (_index, form) in enumerate(kept, start=1):
            give_place(form, place)

    def _is_kept(self, form: forms.ModelForm) -> bool:  # type: ignore[type-arg]
        if not hasattr(form, "cleaned_data"):
            return False
        if self.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME):
            return False
        is_new = form in self.extra_forms
        return not is_new or form.has_changed()


def posted_place(form: forms.ModelForm) -> float:  # type: ignore[type-arg]
    """Where the row was posted; a row without a position goes after those with one."""
    position = form.cleaned_data.get("position")
    return math.inf if position is None else float(position)


def give_place(form: forms.ModelForm, place: int) -> None:  # type: ignore[type-arg]
    form.cleaned_data["position"] = place
    form.instance.position = place
    moved = form.instance.pk is not None and form.initial.get("position") != place
    if moved and "position" not in form.changed_data:
        form.changed_data.append("position")  # so that the row is saved, and its trail says so


class WordedInline(BoundedInline[Row, M]):
    """A bounded inline whose formset says its limits and duplicates in the inline's words."""

    formset = WordedFormSet
    too_few_message: Any
    too_many_message: Any  # an ngettext_lazy of "num", as Django's own
    duplicate_message: Any
    duplicate_row_message: Any

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.default_error_messages = {
            "too_few_forms": self.too_few_message,
            "too_many_forms": self.too_many_message,
        }
        formset.duplicate_message = self.duplicate_message
        formset.duplicate_row_message = self.duplicate_row_message
        return formset


def number_as_read(model: type[Any]) -> Callable[[Any], str]:
    """A row's number as people read it (+7 912 345-67-89), under the number field's own name:
    Django shows a read-only field's stored digits as they are."""

    @admin.display(description=model._meta.get_field(NUMBER).verbose_name)
    def shown_number(row: Any) -> str:
        return readable_number(getattr(row, NUMBER))

    return shown_number


class OrderedInline(WordedInline[Row, M]):
    """Rows in the order they are dialled, with the limit said next to them (`limit_note`)."""

    form = OrderedRowForm
    formset = OrderedFormSet
    template = "admin/callbacks/edit_inline/ordered_tabular.html"
    limit_note: Any  # an ngettext_lazy of "num": said below the rows

    class Media:
        js = ["callbacks/ordered_rows.js"]
        css = {"all": ["callbacks/ordered_rows.css"]}

    def __init__(self, parent_model: type[M], admin_site: admin.AdminSite) -> None:
        super().__init__(parent_model, admin_site)
        self.shown_number = number_as_read(self.model)  # found by SHOWN_NUMBER's name

    def max_rows_note(self) -> str:
        # The class's limit: the admin sets an instance's max_num to 0 for one who may not add.
        return str(self.limit_note % {"num": type(self).max_num})

    # Any: the stubs allow only names here, as the admin's own lists are.
    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [SHOWN_NUMBER if name == NUMBER else name for name in fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [*fields, SHOWN_NUMBER]


class OrderedContactNumbers(OrderedInline[Row, M]):
    """A contact's numbers, in the order their side is rung, in the words of the contact's page."""

    too_few_message = _("Add at least one of the contact's numbers: Exolve needs one to ring.")
    too_many_message = ngettext_lazy(
        "A contact may have at most %(num)d number: Exolve rings no more on one side.",
        "A contact may have at most %(num)d numbers: Exolve rings no more on one side.",
        "num",
    )
    limit_note = ngettext_lazy(
        "At most %(num)d number: that is Exolve's limit.",
        "At most %(num)d numbers: that is Exolve's limit.",
        "num",
    )
    duplicate_message = _("A number is entered twice: keep it in one row.")
    duplicate_row_message = _("This number is already in a row above.")
