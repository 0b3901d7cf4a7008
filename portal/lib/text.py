from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import pgettext


def list_separator():
    """What goes between the items of a list in the active language (Arabic and Persian write "، ")."""
    return pgettext("list separator", ", ")


def join_list(items):
    """Plain-text items joined with the active language's list separator."""
    return list_separator().join(str(item) for item in items)


def time_tag(moment, format):
    """`<time>` for an aware datetime: shown with `format` in the active time zone and language, and
    machine-readable in its `datetime` attribute. HTML (escaped) for the pages drawn in Python."""
    local = timezone.localtime(moment)
    return f'<time datetime="{formats.date_format(local, "c")}">{escape(formats.date_format(local, format))}</time>'
