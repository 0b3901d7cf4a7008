import functools

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

FSI, PDI = "\u2068", "\u2069"  # Unicode's first-strong isolate and its end


def isolate(value):
    """`value` isolated (FSI…PDI) when the language is written right to left, so that a date, an id or a
    name keeps its own direction inside an Arabic, Hebrew or Persian sentence ("2026-13-02" would read
    "02-13-2026"). Characters, not markup: for plain text (an import's row report, kept on the upload
    and shown on its page, in the admin and in a command's output; a digest's lines)."""
    return f"{FSI}{value}{PDI}" if translation.get_language_bidi() else value


def list_separator():
    """What goes between the items of a list in the active language (Arabic and Persian write "، ")."""
    return pgettext("list separator", ", ")


def join_list(items):
    """Plain-text items joined with the active language's list separator."""
    return list_separator().join(str(item) for item in items)


@functools.cache
def _in_every_language(english):
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(translation.gettext(english))
    return frozenset(found)


def shown_default(text, default):
    """`text` as each reader reads it, where `default` (a lazy translation) is what a form filled in
    for them: the default left as it was, in whichever language it was saved, gives the default in the
    reader's language; anything a person wrote stays as written."""
    with translation.override("en"):
        english = str(default)
    if text.strip() in _in_every_language(english):
        return str(default)
    return text
