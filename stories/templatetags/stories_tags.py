from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..selectors import MARK_START, MARK_STOP

register = template.Library()


@register.filter
def highlighted(text):
    """Escape user text, then turn the search's markers into <mark>: the only markup that gets through."""
    if not text:
        return ""
    escaped = escape(str(text))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))  # noqa: S308


@register.filter
def strip_marks(text):
    return str(text or "").replace(MARK_START, "").replace(MARK_STOP, "")
