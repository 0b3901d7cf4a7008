from django import template

from ..search import MARK_START, MARK_STOP

register = template.Library()


@register.filter
def marked(text):
    """A search headline (text with the search's markers) as [(text, is_match), …]: the template
    escapes each piece and wraps the matches in <mark>, so no other markup gets through."""
    pieces = []
    for i, part in enumerate(str(text or "").split(MARK_START)):
        match, _stop, rest = part.partition(MARK_STOP) if i else ("", "", part)
        pieces += [(piece, is_match) for piece, is_match in ((match, True), (rest, False)) if piece]
    return pieces
