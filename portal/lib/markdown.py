"""Markdown written by people, rendered once on save and sanitised with nh3."""

import threading
import unicodedata
from html.parser import HTMLParser

import markdown as md
import nh3
from django.utils.html import linebreaks

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody",
    "tr", "th", "td", "del", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


_local = threading.local()


def _converter():
    """One Markdown converter per thread, reset between texts: building one (its extensions and
    patterns) costs as much as converting a paragraph, which an import of thousands of rows notices."""
    if not hasattr(_local, "converter"):
        _local.converter = md.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    return _local.converter.reset()


MAX_BRACKETS = 500


def render_markdown(text: str) -> str:
    """HTML safe to put on a page: only the tags above, links only to http(s) and mailto."""
    if not text:
        return ""
    if text.count("[") > MAX_BRACKETS:
        # Python-Markdown's inline patterns take quadratic time on runs of "[" (4,000 take seconds, a
        # 100,000-character body minutes): past any real story's number of links, the text is shown
        # as plain paragraphs, escaped, in linear time.
        return linebreaks(text, autoescape=True)
    html = _converter().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


EXCERPT_WORDS = 45


# Tags that end a run of text: what follows them starts a new line on the page.
BLOCK_TAGS = {
    "p", "br", "hr", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "div",
}


class _Blocks(HTMLParser):
    """The text of each block of sanitised HTML, whitespace collapsed; entities decoded once."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = [[]]

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.blocks.append([])

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.blocks.append([])

    def handle_data(self, data):
        self.blocks[-1].append(data)


def _blocks(html):
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    return [words for block in parser.blocks if (words := "".join(block).split())]


def _ends_a_phrase(text):
    """Ends with punctuation that already closes it (. : ? ! , ; and their Arabic, Persian forms)."""
    return unicodedata.category(text[-1]) == "Po"


def plain_excerpt(html: str, words: int = EXCERPT_WORDS) -> str:
    """The first `words` words of rendered, sanitised HTML as one line of plain text (tags dropped,
    entities decoded once): stored beside the HTML so lists don't parse every body on every request.
    Blocks (paragraphs, list items, headings, cells) stay apart on the line: one that ends without
    punctuation is followed by " · ", so list items don't read as one sentence."""
    excerpt, left = "", words
    for block in _blocks(html or ""):
        if left == 0:
            return excerpt + " …"
        if excerpt:
            excerpt += " " if _ends_a_phrase(excerpt) else " · "
        excerpt += " ".join(block[:left])
        if len(block) > left:
            return excerpt + " …"
        left -= len(block)
    return excerpt
