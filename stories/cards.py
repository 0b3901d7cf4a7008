"""The feed's story cards: rendered once per page of the feed and shared (portal.lib.fragments), then
finished for each reader with what is theirs alone: "You follow this customer" and "Read".

Written in Python rather than through the template engine: the feed's hot loop (bench/results).
"""

import dataclasses
import datetime

from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.lib import fragments
from portal.templatetags.portal import query_string

from . import selectors
from .selectors import MARK_START, MARK_STOP

# What a feed card shows, so what its cached copy depends on.
TOPICS = ("stories", "themes", "customers", "people")


@dataclasses.dataclass(slots=True)
class FeedCard:
    pk: int
    customer_id: int
    published_at: datetime.datetime
    reaction_count: int
    comment_count: int
    read_count: int
    # The card's markup around the reader's own marks: <li class="…{followed}">…customer{badges}…</li>
    head: str
    middle: str
    tail: str
    is_followed: bool = False
    is_read: bool = False


@dataclasses.dataclass(slots=True)
class FeedPage:
    cards: list
    next_cursor: str | None


def highlighted(text):
    """Escape user text, then turn the search's markers into <mark>: the only markup that gets through."""
    if not text:
        return ""
    escaped = escape(str(text))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))  # noqa: S308


def render_cards(stories, query):
    """FeedCards for `stories` (selectors.feed's rows); `query` is the feed's query string, kept in
    the theme links."""
    themes_label = _("Themes")
    cards = []
    for story in stories:
        customer = story.customer
        title = highlighted(story.title_headline) if getattr(story, "title_headline", None) else escape(story.title)
        if getattr(story, "headline", None):
            excerpt = highlighted(story.headline)
        else:
            excerpt = escape(story.excerpt)
        themes = story.themes.all()
        tags = ""
        if themes:
            links = []
            for theme in themes:
                link = query_string(query, theme=theme.slug, before=None)
                links.append(format_html('<li><a href="?{}" class="tag">{}</a></li>', link, theme.name))
            tags = format_html('<ul class="tags" aria-label="{}">{}</ul>', themes_label, mark_safe("".join(links)))  # noqa: S308
        when = formats.date_format(timezone.localtime(story.published_at), "DATE_FORMAT")
        byline = _("<bdi>%(author)s</bdi> · %(when)s") % {"author": escape(story.author.name), "when": escape(when)}
        counts = " · ".join(escape(text) for text in (  # each call spelled out, so makemessages finds it
            ngettext("%(counter)s reaction", "%(counter)s reactions", story.reaction_count) % {"counter": story.reaction_count},
            ngettext("%(counter)s comment", "%(counter)s comments", story.comment_count) % {"counter": story.comment_count},
            ngettext("%(counter)s read", "%(counter)s reads", story.read_count) % {"counter": story.read_count},
        ))
        cards.append(FeedCard(
            pk=story.pk, customer_id=customer.pk, published_at=story.published_at,
            reaction_count=story.reaction_count, comment_count=story.comment_count, read_count=story.read_count,
            head='<li class="card story-card',
            middle=format_html('"><p class="story-card__customer"><a href="{}" dir="auto">{}</a>',
                               customer.get_absolute_url(), customer.name),
            tail=format_html(
                '</p><h2><a href="{}" dir="auto">{}</a></h2>'
                '<p class="story-card__excerpt" dir="auto">{}</p>{}'
                '<p class="meta">{} · {}</p></li>\n',
                story.get_absolute_url(), title, excerpt, tags, mark_safe(byline), mark_safe(counts),  # noqa: S308
            ),
        ))
    return cards


def feed_page(*, user, filters, query):
    """The feed's page for `filters`: the cards shared by everyone who asks for the same page (as
    long as no story, customer or person on it changed), marked for `user` (one query)."""

    def render():
        stories, next_cursor = selectors.feed(filters=filters)
        return FeedPage(cards=render_cards(stories, query), next_cursor=next_cursor)

    parts = sorted((key, tuple(values)) for key, values in query.lists())
    page = fragments.cached("stories-feed", topics=TOPICS, parts=parts, render=render)
    followed, read = selectors.viewer_marks(
        user, story_ids=[card.pk for card in page.cards], customer_ids={card.customer_id for card in page.cards}
    )
    cards = [
        dataclasses.replace(card, is_followed=card.customer_id in followed, is_read=card.pk in read)
        for card in page.cards
    ]
    return cards, page.next_cursor


def join_cards(cards):
    """The cards' HTML, each with the reader's own marks."""
    you_follow = format_html('<span class="badge badge--followed">{}</span>', _("You follow this customer"))
    read = format_html('<span class="badge badge--read">{}</span>', _("Read"))
    parts = []
    for card in cards:
        badges = (" " + you_follow if card.is_followed else "") + (" " + read if card.is_read else "")
        parts += [card.head, " story-card--followed" if card.is_followed else "", card.middle, badges, card.tail]
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped when the card was made)
