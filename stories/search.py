"""The feed's search box, the same on PostgreSQL and SQLite.

The box promises web-search syntax: words (all of them), "an exact phrase", -without, this or that.
Matching ignores accents (`Can Tho` finds "Cần Thơ", `Da Nang` finds "Đà Nẵng") and covers the title,
the customer's and the author's names, the body, what they bought and the impact. An anonymised story
is indexed under its description (Story.anonymised_as), never its customer's name: searching for the
customer does not find it, and no highlight can show the name. Which stories a search looks in is the
caller's queryset (stories.selectors.readable_by).

- PostgreSQL: `Story.search_vector`, a weighted tsvector built with the story's own text search
  configuration (`lifeline_<language>`, migration 0007: unaccent, then the language's stemmer where
  PostgreSQL has one, else `simple`), matched with `websearch_to_tsquery` in that configuration and
  highlighted with `ts_headline`.
- SQLite: an FTS5 table `stories_search` (rowid = story id; porter stemming, diacritics removed),
  queried with the same syntax translated by `to_fts5`, highlighted with FTS5's `highlight()` and
  `snippet()`.

`index(stories)` writes the index for some stories (the services call it on every write to what it
holds); `apply(stories, q)` filters the feed.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connection
from django.db.models import Case, F, Func, OuterRef, Q, Subquery, When
from django.db.models.expressions import RawSQL

from customers.models import Customer
from portal.models import User

from .models import Story

MARK_START, MARK_STOP = "\ue000", "\ue001"  # private-use characters; the cards turn them into <mark>
FTS_TABLE = "stories_search"
CONFIGS = {code: f"lifeline_{code}" for code, _name in settings.LANGUAGES}  # made by migration 0007


# -- the query --------------------------------------------------------------------------------------


@dataclass
class Query:
    """What a web-search query asks for: every group (a term, or terms joined by `or`) and none of
    `without`. A term is a tuple of words: one word, or a phrase."""

    groups: list = field(default_factory=list)
    without: list = field(default_factory=list)

    def __bool__(self):  # a query with nothing to look for finds nothing (not everything but …)
        return bool(self.groups)


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _words(text):
    """The words of `text`: runs of letters and digits (what both engines index; the rest separates)."""
    return tuple(re.findall(r"[^\W_]+", text))


def parse(q):
    """`q` in web-search syntax → Query. Written by hand because it has to give both engines the same
    reading of any input, and never fail: an unclosed quote runs to the end, a lone `-` or a term
    with no letters is dropped, `or` at either end is a word no more."""
    groups, without, join_next = [], [], False
    for match in _TOKEN.finditer(q or ""):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None:
            if word.lower() == "or":
                join_next = bool(groups)
                continue
            negated, phrase = word.startswith("-"), word.lstrip("-")
        term = _words(phrase)
        if not term:
            continue
        if negated:
            without.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return Query(groups=groups, without=without)


def to_fts5(query):
    """Query → an FTS5 MATCH expression, every term quoted (so nothing the user typed is syntax), or
    None when there is nothing to look for. Phrases keep their words in order; FTS5's NOT is binary,
    so what is excluded hangs off the whole."""
    if not query:
        return None

    def quoted(term):
        return '"' + " ".join(term) + '"'

    expression = " AND ".join("(" + " OR ".join(quoted(term) for term in group) + ")" for group in query.groups)
    if query.without:
        expression = f"({expression}) NOT (" + " OR ".join(quoted(term) for term in query.without) + ")"
    return fold(expression)


# -- the index ------------------------------------------------------------------------------------


def fold(text):
    """đ/Đ → d/D: FTS5's unicode61 treats đ as a letter of its own rather than a d with a stroke."""
    return text.replace("đ", "d").replace("Đ", "D")


def _fold_sql(column):
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"


def _story_config():
    """The story's own text search configuration (PostgreSQL)."""
    return Func("language", template="('lifeline_' || %(expressions)s)")


def vector_expression():
    """Title A, the customer's and the author's names B, body C, what they bought and the impact D, each
    in the story's configuration. bench/generate.py runs the same in SQL."""
    config = _story_config()
    customer = Case(
        When(naming=Story.Naming.ANONYMISED, then=F("anonymised_as")),
        default=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("name")[:1]),
    )
    author = Subquery(User.objects.filter(pk=OuterRef("author_id")).values("name")[:1])
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector(customer, author, weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
        + SearchVector("bought", "impact", weight="D", config=config)
    )


# Migration 0007 backfills with the same statement.
NAMES = "CASE WHEN s.naming = 'anonymised' THEN s.anonymised_as ELSE c.name END || ' ' || u.name"
EXTRA = "s.bought || ' ' || s.impact"
_FTS_INSERT = (
    f"INSERT INTO {FTS_TABLE} (rowid, title, names, body, extra)"
    f" SELECT s.id, {_fold_sql('s.title')}, {_fold_sql(NAMES)}, {_fold_sql('s.body')},"
    f" {_fold_sql(EXTRA)}"
    " FROM stories_story s JOIN customers_customer c ON c.id = s.customer_id JOIN portal_user u ON u.id = s.author_id"
)


def index(stories):
    """(Re)write the search index of `stories` (a queryset) from their current rows: two statements."""
    if connection.vendor == "postgresql":
        stories.update(search_vector=vector_expression())
    elif connection.vendor == "sqlite":
        ids, params = stories.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({ids})", params)
            cursor.execute(f"{_FTS_INSERT} WHERE s.id IN ({ids})", params)


# -- searching ------------------------------------------------------------------------------------


def apply(stories, q):
    """`stories` narrowed to those matching `q` (order unchanged), and `highlights(story) → (title,
    excerpt)` for each row fetched: the title and a passage of the body with every match between
    MARK_START and MARK_STOP. A query with nothing to look for (empty, or only -without terms)
    finds nothing."""
    query = parse(q)
    if not query:
        return stories.none(), _no_highlights
    if connection.vendor == "postgresql":
        return _apply_postgresql(stories, q.replace("\x00", " "))  # the one character PostgreSQL refuses
    return _apply_sqlite(stories, query)


def _no_highlights(story):
    return story.title, story.excerpt


def _apply_postgresql(stories, q):
    # One branch per language, each a constant tsquery, so the GIN index serves every one.
    matches = Q()
    for code, config in CONFIGS.items():
        matches |= Q(language=code, search_vector=SearchQuery(q, search_type="websearch", config=config))
    config = _story_config()
    query = SearchQuery(q, search_type="websearch", config=config)
    marks = {"start_sel": MARK_START, "stop_sel": MARK_STOP, "config": config}
    stories = stories.filter(matches).annotate(
        search_title=SearchHeadline("title", query, highlight_all=True, **marks),
        search_excerpt=SearchHeadline("body", query, max_words=40, min_words=15, max_fragments=2, **marks),
    )

    def highlights(story):
        return story.search_title, tidy_markdown(story.search_excerpt)

    return stories, highlights


def _apply_sqlite(stories, query):
    match = to_fts5(query)
    story, body = f"{Story._meta.db_table}.id", f"{Story._meta.db_table}.body"
    one_row = f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = {story}"
    marks = [MARK_START, MARK_STOP]
    stories = stories.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]))
    stories = stories.annotate(
        search_title=RawSQL(f"(SELECT highlight({FTS_TABLE}, 0, %s, %s) {one_row})", [*marks, match]),
        search_excerpt=RawSQL(f"(SELECT snippet({FTS_TABLE}, 2, %s, %s, '…', 40) {one_row})", [*marks, match]),
        # The index holds đ as d; where the body has one, the excerpt takes its letters from the body.
        search_body=RawSQL(f"CASE WHEN instr({body}, 'đ') OR instr({body}, 'Đ') THEN {body} END", []),
    )

    def highlights(story):
        return unfold(story.search_title, story.title), tidy_markdown(unfold(story.search_excerpt, story.search_body))

    return stories, highlights


def unfold(marked, original):
    """`marked` (folded text from the index with markers: all of it, or a passage between '…') with its
    letters taken back from `original`, so that "Dà" shows as the story spells it, "Đà"."""
    if not marked or not original or ("đ" not in original and "Đ" not in original):
        return marked or ""
    plain, folded = marked.replace(MARK_START, "").replace(MARK_STOP, ""), fold(original)
    for head, tail in ((0, 0), (1, 0), (0, 1), (1, 1)):  # with or without snippet()'s ellipses
        core = plain[head : len(plain) - tail]
        start = folded.find(core) if core else -1
        if start >= 0:
            break
    else:
        return marked
    out, i = [], 0  # i: position in `plain`
    for char in marked:
        if char not in (MARK_START, MARK_STOP):
            if head <= i < head + len(core):
                char = original[start + i - head]
            i += 1
        out.append(char)
    return "".join(out)


def tidy_markdown(text):
    """A search excerpt cut from Markdown source, without the Markdown punctuation or HTML tags (which
    the story page never shows as text: the sanitiser drops them)."""
    text = re.sub(r"</?[A-Za-z][^<>]*>", "", text or "")
    text = re.sub(r"(?m)^\s*(?:[-*+]|\d+\.|>+|#+)\s+", "", text)
    text = re.sub(r"[*_`]+", "", text)
    return re.sub(r"\s+", " ", text).strip()
