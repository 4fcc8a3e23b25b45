"""{% section_crumb opts %}: the breadcrumb to a model's section of the navigation («Настройка»,
«Клиенты и обратные звонки», «Журналы»), where Django's leads to the app, whose name every model
of ours shares."""

from typing import Any

from django import template
from django.urls import reverse

from ..sections import SECTIONS, section_of

register = template.Library()


@register.inclusion_tag("admin/callbacks/section_crumb.html", takes_context=True)
def section_crumb(context: template.Context, opts: Any) -> dict[str, Any]:
    key = section_of(opts.object_name) if opts.app_label == "callbacks" else None
    current_app = getattr(context.get("request"), "current_app", None)
    if key is None:
        url = reverse("admin:app_list", kwargs={"app_label": opts.app_label})
        return {"url": url, "name": opts.app_config.verbose_name}
    index = reverse("admin:index", current_app=current_app)
    return {"url": f"{index}#section-{key}", "name": SECTIONS[key][0]}
