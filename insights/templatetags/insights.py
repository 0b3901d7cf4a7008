from django import template

from ..charts import display

register = template.Library()


@register.filter
def figure(value, unit=""):
    """A scorecard number as the charts write it: "—" for none, one decimal at most, "%" for shares."""
    return display(value, unit)


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
