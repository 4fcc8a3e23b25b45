"""{{ number|readable_number }}: a stored number as people read it, +7 912 345-67-89."""

from django import template

from ..numbers import readable_number as readable

register = template.Library()


@register.filter
def readable_number(stored: str) -> str:
    return readable(stored)
