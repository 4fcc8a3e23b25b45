"""Our models' names declined on Django's admin pages (see callbacks.wording): the list's count,
"select all", the add link and the add page's breadcrumb."""

from typing import Any

from django import template
from django.utils.text import capfirst
from django.utils.translation import gettext

from ..wording import counted, wording_of

register = template.Library()


@register.simple_tag
def count_of(changelist: Any) -> str:
    """«5 клиентов» under a list."""
    opts = changelist.opts
    return counted(
        opts.label_lower, opts.verbose_name, opts.verbose_name_plural, changelist.result_count
    )


@register.simple_tag
def select_all(changelist: Any) -> str:
    """«Выбрать всех клиентов (12)» across a list's pages."""
    opts, number = changelist.opts, changelist.result_count
    wording = wording_of(opts.label_lower)
    if wording:
        return wording.select_all(number)
    return gettext("Select all %(total_count)s %(module_name)s") % {
        "total_count": number,
        "module_name": opts.verbose_name_plural,
    }


@register.simple_tag
def add_title(opts: Any) -> str:
    """«Добавить клиента» on the list's add link and the add page's breadcrumb."""
    wording = wording_of(opts.label_lower)
    return wording.add() if wording else capfirst(gettext("Add %s") % opts.verbose_name)
