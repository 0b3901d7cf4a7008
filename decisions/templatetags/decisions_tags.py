"""Data for the decision templates (their markup is in templates/decisions)."""

from django import template

from portal.lib.text import list_separator as _list_separator

register = template.Library()


@register.simple_tag
def list_separator():
    """What goes between the items of a list in the active language: `{% list_separator as separator %}`."""
    return _list_separator()
