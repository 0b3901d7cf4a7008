from django import template
from django.utils.translation import ngettext

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


# A story's counts as a card shows them, each in the reader's language (the counter columns, read per request).
_COUNTS = {
    "reactions": lambda n: ngettext("%(counter)s reaction", "%(counter)s reactions", n) % {"counter": n},
    "comments": lambda n: ngettext("%(counter)s comment", "%(counter)s comments", n) % {"counter": n},
    "reads": lambda n: ngettext("%(counter)s read", "%(counter)s reads", n) % {"counter": n},
}
_COUNT_FIELDS = {"reactions": "reaction_count", "comments": "comment_count", "reads": "read_count"}


@register.filter
def story_counts(story, which="reactions comments reads"):
    """`{{ story|story_counts }}`: "3 reactions · 1 comment · 12 reads", plain text. Every card of a list
    shows them, so one filter call replaces a plural `{% blocktranslate %}` per count (a tenth of the
    cost); the msgids are the same. Within a count the spaces do not break, so a narrow card wraps
    between counts, never between a number and its word."""
    return " · ".join(
        _COUNTS[name](getattr(story, _COUNT_FIELDS[name])).replace(" ", "\N{NO-BREAK SPACE}") for name in which.split()
    )


@register.simple_tag(takes_context=True)
def reader_feed_url(context, kind="all", obj=None, *, customer=None, theme=None, absolute=False):
    """The signed-in person's private feed address (stories.feeds): `{% reader_feed_url "following"
    as url %}`, or the feed of a page's customer or theme when one is given (`customer=…`, `theme=…`),
    else all stories. Read from the person's own row, so it costs no query; "" for anyone not signed in."""
    from ..feeds import CUSTOMER, THEME, feed_path

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if customer is not None:
        kind, obj = CUSTOMER, customer
    elif theme is not None:
        kind, obj = THEME, theme
    path = feed_path(user, kind, obj)
    return request.build_absolute_uri(path) if absolute else path
