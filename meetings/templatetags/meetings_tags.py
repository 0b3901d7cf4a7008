from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bdi(value):
    """`<bdi>value</bdi>`, escaped: a name keeps its own direction inside a translated sentence whose
    msgid carries no markup (`{% blocktranslate with title=meeting.title|bdi %}`)."""
    return format_html("<bdi>{}</bdi>", value)
