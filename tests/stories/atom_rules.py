"""The rules of RFC 4287 (Atom) that the W3C Feed Validation Service enforces, checked with the standard
library's XML parser: there is no W3C feed validator to install from PyPI or npm that works offline, so
the tests assert the required elements themselves. `atom_problems(xml)` returns what is wrong, [] if
nothing. Section numbers are RFC 4287's.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

NS = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# RFC 3339 date-time (3.3): full date, "T", full time, a fraction perhaps, and Z or an offset.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# RFC 4151 tag URI: tag:authority,date:specific
TAG_URI = re.compile(r"^tag:[A-Za-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[^\s]*$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")  # BCP 47 shape (xml:lang)
TEXT_TYPES = {None, "text", "html", "xhtml"}
UNSAFE_TAGS = {"script", "iframe", "object", "embed", "style", "form"}


def _is_iri(value):
    """An absolute IRI (4.2.6: atom:id): a URL with a scheme and a host, or a tag: URI."""
    value = (value or "").strip()
    if value.startswith("tag:"):
        return bool(TAG_URI.match(value))
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.scheme == "urn"))


class _UnsafeMarkup(HTMLParser):
    """What the W3C validator flags as unsafe in escaped HTML: scripts and their kin, on* handlers,
    javascript: links."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in UNSAFE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def _text_construct(element, where):
    """3.1: type is text, html or xhtml; text and html hold no child elements (html is escaped);
    xhtml holds exactly one xhtml:div."""
    problems = []
    kind = element.get("type")
    if kind not in TEXT_TYPES:
        problems.append(f"{where}: type={kind!r} is not text, html or xhtml")
    children = list(element)
    if kind in (None, "text", "html") and children:
        problems.append(f"{where}: {kind or 'text'} content holds elements (HTML must be escaped)")
    if kind == "xhtml" and (len(children) != 1 or children[0].tag != "{http://www.w3.org/1999/xhtml}div"):
        problems.append(f"{where}: xhtml content must be one xhtml:div")
    if kind == "html":
        parser = _UnsafeMarkup()
        parser.feed(element.text or "")
        problems += [f"{where}: unsafe markup {found}" for found in parser.found]
    return problems


def _one(parent, name, where, *, required=True):
    found = parent.findall(NS + name)
    if len(found) > 1:
        return None, [f"{where}: {len(found)} atom:{name} elements, at most one allowed"]
    if not found:
        return None, ([f"{where}: atom:{name} is missing"] if required else [])
    return found[0], []


def _dates(parent, where):
    problems = []
    for name in ("updated", "published"):
        for element in parent.findall(NS + name):
            if not DATE_TIME.match((element.text or "").strip()):
                problems.append(f"{where}: atom:{name} {element.text!r} is not an RFC 3339 date-time")
    return problems


def _links(parent, where, *, absolute):
    problems, alternates = [], set()
    for link in parent.findall(NS + "link"):
        href = link.get("href")
        if not href:
            problems.append(f"{where}: atom:link without href (4.2.7.1)")
            continue
        rel = link.get("rel", "alternate")
        if absolute and not urlsplit(href).scheme:
            problems.append(f"{where}: link rel={rel} href {href!r} is not absolute")
        if rel == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            if key in alternates:
                problems.append(f"{where}: two alternate links with the same type and hreflang (4.1.1)")
            alternates.add(key)
    return problems, alternates


def _authors(parent, where):
    problems = []
    for author in parent.findall(NS + "author"):
        name, found = _one(author, "name", f"{where} author")
        problems += found
        if name is not None and not (name.text or "").strip():
            problems.append(f"{where}: an author's name is empty")
    return problems


def _language(element, where):
    lang = element.get(XML_LANG)
    if lang is not None and not LANGUAGE_TAG.match(lang):
        return [f"{where}: xml:lang {lang!r} is not a language tag"]
    return []


def atom_problems(xml, *, require_self_link=True, absolute_links=True):
    """Everything in `xml` (bytes) that breaks RFC 4287 or the W3C validator's checks, as messages."""
    try:
        feed = ElementTree.fromstring(xml)
    except ElementTree.ParseError as error:
        return [f"not well-formed XML: {error}"]
    if feed.tag != NS + "feed":
        return [f"the root is {feed.tag}, not atom:feed"]
    problems = _language(feed, "feed")
    for name in ("id", "title", "updated"):  # 4.1.1: exactly one each
        element, found = _one(feed, name, "feed")
        problems += found
        if name == "id" and element is not None and not _is_iri(element.text):
            problems.append(f"feed: atom:id {element.text!r} is not an absolute IRI")
    for name in ("generator", "icon", "logo", "rights", "subtitle"):
        problems += _one(feed, name, "feed", required=False)[1]
    for name in ("title", "subtitle", "rights"):
        for element in feed.findall(NS + name):
            problems += _text_construct(element, f"feed {name}")
    problems += _dates(feed, "feed")
    problems += _authors(feed, "feed")
    link_problems, _ = _links(feed, "feed", absolute=absolute_links)
    problems += link_problems
    if require_self_link and not any(link.get("rel") == "self" for link in feed.findall(NS + "link")):
        problems.append("feed: no link rel=self (the W3C validator asks for one)")
    feed_has_author = bool(feed.findall(NS + "author"))
    ids = set()
    for index, entry in enumerate(feed.findall(NS + "entry")):
        where = f"entry {index + 1}"
        problems += _language(entry, where)
        for name in ("id", "title", "updated"):  # 4.1.2: exactly one each
            element, found = _one(entry, name, where)
            problems += found
            if name == "id" and element is not None:
                if not _is_iri(element.text):
                    problems.append(f"{where}: atom:id {element.text!r} is not an absolute IRI")
                if element.text in ids:
                    problems.append(f"{where}: atom:id {element.text!r} repeats another entry's")
                ids.add(element.text)
        for name in ("published", "rights", "source", "summary", "content"):
            problems += _one(entry, name, where, required=False)[1]
        for name in ("title", "summary", "rights"):
            for element in entry.findall(NS + name):
                problems += _text_construct(element, f"{where} {name}")
        content = entry.find(NS + "content")
        if content is not None and content.get("src") is None:
            problems += _text_construct(content, f"{where} content")
        problems += _dates(entry, where)
        if not entry.findall(NS + "author") and not feed_has_author:
            problems.append(f"{where}: no author, and the feed has none (4.1.1)")
        problems += _authors(entry, where)
        link_problems, alternates = _links(entry, where, absolute=absolute_links)
        problems += link_problems
        if content is None and not alternates:
            problems.append(f"{where}: neither content nor an alternate link (4.1.1.1)")
        for category in entry.findall(NS + "category"):
            if not category.get("term"):
                problems.append(f"{where}: a category without a term (4.2.2.2)")
    return problems
