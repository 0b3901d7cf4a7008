"""Stories like this: up to five published stories beside a story, or on a customer's page.

Ranked by what they share with the story (or with the customer's stories):

- the customer (SAME_CUSTOMER points), only when both stories name it: an anonymised story is never
  put beside another story about its customer, either way, since the pair would name it;
- each theme (THEME points per shared theme);
- the industry (INDUSTRY points), again only between stories that name their customers;
- their titles (TEXT × how alike: PostgreSQL's trigram similarity of `lifeline_fold(title)`, which
  drops accents and Arabic and Hebrew vowel marks, so it works alike in all five languages; on SQLite,
  half of TEXT when one is among the other's text neighbours).

So a story about the same named customer comes first, then those sharing themes and industry, and
title likeness orders the rest and breaks ties; then the newest.

One query per list, whatever the number of stories: the candidates come from indexes, a few dozen
each (the customer's newest, each theme's newest, the industry's newest, the story's text neighbours
and the stories that list it among theirs), and only they are scored. Which of them a reader sees is
the access funnel's say (selectors.readable_published), and every page shows a story's customer as
its label (the description, for an anonymised story).

Text neighbours: the NEIGHBOURS stories whose titles read most like a story's, stored on it
(`Story.text_neighbour_ids`) by `refresh()` when it is saved. Searching every title on every page is
what the nearest-title search costs (10–30 ms at 100,000 near-alike titles: bench/), so it runs once
per write; a story saved later finds the earlier ones, and they find it through its list.
"""

import json

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from portal.lib.rawsql import placeholders

from . import search
from .models import Story

LIMIT = 5
NEIGHBOURS = 20  # text neighbours stored per story
PER_SOURCE = 20  # candidates from each of customer, theme, industry
CUSTOMER_STORIES = 50  # the customer page: the themes of its newest named stories,
OWN_THEMES = 3  # the most frequent of them

# A story shares at least this much to be shown: a theme, the industry, or titles at least a little alike
# (trigram similarity 0.2).
MIN_SCORE = 0.4
SAME_CUSTOMER, THEME, INDUSTRY, TEXT = 10, 3, 2, 2  # TEXT: × similarity (0–1) on PostgreSQL; half on SQLite

# What a card shows (stories/related.html) and its fragment's key: no bodies, no search vector.
CARD_FIELDS = (
    "id", "title", "slug", "excerpt", "language", "published_at", "updated_at", "visibility", "naming", "anonymised_as",
    "customer__id", "customer__name", "customer__slug", "author__id", "author__name",
)

S = Story._meta.db_table  # the outer query's table, as the ORM names it
THEMES = Story.themes.through._meta.db_table
NAMED = "'anonymised'"


def _postgresql():
    return connection.vendor == "postgresql"


# -- text neighbours, found when a story is saved ----------------------------------------------------


def refresh(story):
    """Store the ids of the stories whose titles read most like `story`'s (any status: which of them a
    reader sees is decided on each page). One query to find them, one to store them."""
    story.text_neighbour_ids = neighbours(story)
    Story.objects.filter(pk=story.pk).update(text_neighbour_ids=story.text_neighbour_ids)


def neighbours(story):
    """The NEIGHBOURS nearest titles to `story`'s, nearest first (not the story itself). PostgreSQL: the
    GiST trigram index (story_title_trgm, migration 0011). SQLite: FTS5's ranking of the title's words."""
    with connection.cursor() as cursor:
        if _postgresql():
            cursor.execute(
                f"SELECT id FROM {S} WHERE id <> %s ORDER BY lifeline_fold(title) <-> lifeline_fold(%s) LIMIT %s",
                [story.pk, story.title, NEIGHBOURS],
            )
        else:
            words = search.parse(story.title).groups
            if not words:
                return []
            match = search.to_fts5(search.Query(groups=[[term for group in words for term in group]]))
            cursor.execute(
                f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH %s AND rowid <> %s"
                " ORDER BY rank LIMIT %s",
                [match, story.pk, NEIGHBOURS],
            )
        return [row[0] for row in cursor.fetchall()]


# -- the lists ------------------------------------------------------------------------------------


def for_story(*, story, user, limit=LIMIT):
    """Up to `limit` published stories like `story` that `user` may read, best first. `story` carries
    its customer (with its industry), its themes (`theme_list`, as selectors.story_page_for_reader
    sets it, or prefetched) and text_neighbour_ids. One query."""
    named = not story.is_anonymised
    theme_list = getattr(story, "theme_list", None)  # selectors.story_page_for_reader's; else the relation
    themes = [theme.pk for theme in (theme_list if theme_list is not None else story.themes.all())]
    industry = (story.customer.industry or "").strip() if named else ""
    neighbour_ids = story.text_neighbour_ids or []
    if isinstance(neighbour_ids, str):  # a written-out query's raw JSON (selectors.story_page_for_reader)
        neighbour_ids = json.loads(neighbour_ids) or []
    neighbour_ids = [int(pk) for pk in neighbour_ids]

    branches, params = [], []
    if named:  # the customer's other named stories
        branches.append(_newest(f"s.customer_id = %s AND s.naming <> {NAMED}"))
        params += [story.customer_id, PER_SOURCE]
    for theme in themes:
        branches.append(_newest_with_theme())
        params += [theme, PER_SOURCE]
    if industry:
        branches.append(_newest_in_industry())
        params += [industry, PER_SOURCE]
    if neighbour_ids:
        branches.append("SELECT column1 FROM (VALUES " + ", ".join(["(%s)"] * len(neighbour_ids)) + ") v")
        params += neighbour_ids
    branches.append(_listing(story.pk))  # the stories that list this one among their neighbours
    params += _listing_params(story.pk)

    score_sql, score_params = _score(
        customer_id=story.customer_id if named else None, themes=themes, industry=industry,
        title=story.title, neighbour_ids=neighbour_ids, story_id=story.pk,
    )
    stories = _candidates(user, branches, params).exclude(pk=story.pk)
    # Never an anonymised story beside another about its customer, nor any story of its customer beside
    # an anonymised one: the pair would name the customer.
    if named:
        stories = stories.exclude(customer_id=story.customer_id, naming=Story.Naming.ANONYMISED)
    else:
        stories = stories.exclude(customer_id=story.customer_id)
    return _ranked(stories, score_sql, score_params, limit)


def for_customer(*, customer, user, limit=LIMIT):
    """Up to `limit` published stories about other customers that are like this customer's: in its
    industry (stories that name their customer) or sharing the themes of its newest named stories
    shown to everyone (so neither an anonymised story nor one some readers may not see shapes the list).
    Never a story about the customer itself: the section above lists the named ones, and an anonymised
    one listed here would be tied to the customer. One query."""
    industry = (customer.industry or "").strip()
    # The customer's themes: the OWN_THEMES most frequent among its newest named stories shown to everyone.
    own_themes = (
        f"SELECT t.theme_id FROM {THEMES} t WHERE t.story_id IN (SELECT o.id FROM {S} o"
        f" WHERE o.customer_id = %s AND o.status = 'published' AND o.naming <> {NAMED} AND o.visibility = 'everyone'"
        " ORDER BY o.published_at DESC LIMIT %s) GROUP BY t.theme_id ORDER BY COUNT(*) DESC, t.theme_id LIMIT %s"
    )
    own_params = [customer.pk, CUSTOMER_STORIES, OWN_THEMES]
    if _postgresql():
        branches = [
            f"SELECT x.story_id FROM ({own_themes}) th, LATERAL (SELECT t.story_id FROM {THEMES} t"
            " WHERE t.theme_id = th.theme_id ORDER BY t.story_id DESC LIMIT %s) x"
        ]
        params = [*own_params, PER_SOURCE]
        # ANY(ARRAY(…)): an InitPlan, the themes found once rather than for every candidate
        among = f"= ANY(ARRAY({own_themes}))"
    else:  # SQLite has no LATERAL: the newest stories with any of the themes
        branches = [f"SELECT t.story_id FROM {THEMES} t WHERE t.theme_id IN ({own_themes}) ORDER BY t.story_id DESC LIMIT %s"]
        params = [*own_params, PER_SOURCE * OWN_THEMES]
        among = f"IN ({own_themes})"
    if industry:
        branches.append(_newest_in_industry())
        params += [industry, PER_SOURCE]
    score = (
        f"{THEME} * (SELECT COUNT(*) FROM {THEMES} t WHERE t.story_id = {S}.id AND t.theme_id {among})"
        f" + CASE WHEN {S}.naming <> {NAMED} AND customers_customer.industry = %s AND %s <> '' THEN {INDUSTRY} ELSE 0 END"
    )
    score_params = [*own_params, industry, industry]
    stories = _candidates(user, branches, params).exclude(customer_id=customer.pk)
    return _ranked(stories, score, score_params, limit)


# -- the query, in pieces ---------------------------------------------------------------------------


def _newest(condition):
    """The newest published stories meeting `condition` (on `s`): story_customer_idx or story_feed_idx."""
    return f"SELECT s.id FROM {S} s WHERE {condition} AND s.status = 'published' ORDER BY s.published_at DESC LIMIT %s"


def _newest_with_theme():
    """A theme's newest stories, by id (ids grow with time), from story_themes_theme_story_idx alone."""
    return f"SELECT t.story_id FROM {THEMES} t WHERE t.theme_id = %s ORDER BY t.story_id DESC LIMIT %s"


def _newest_in_industry():
    """The newest published stories naming a customer in the industry."""
    return _newest(
        f"s.naming <> {NAMED} AND s.customer_id IN (SELECT c.id FROM customers_customer c WHERE c.industry = %s)"
    )


def _listing(story_id):
    if _postgresql():  # story_text_neighbours_gin
        return f"SELECT s.id FROM {S} s WHERE s.text_neighbour_ids @> %s::jsonb"
    return f"SELECT s.id FROM {S} s, json_each(s.text_neighbour_ids) n WHERE n.value = %s"


def _listing_params(story_id):
    return [f"[{int(story_id)}]"] if _postgresql() else [int(story_id)]


def _score(*, customer_id, themes, industry, title, neighbour_ids, story_id):
    parts, params = [], []
    if customer_id is not None:
        parts.append(f"CASE WHEN {S}.customer_id = %s AND {S}.naming <> {NAMED} THEN {SAME_CUSTOMER} ELSE 0 END")
        params.append(customer_id)
    if themes:
        parts.append(
            f"{THEME} * (SELECT COUNT(*) FROM {THEMES} t WHERE t.story_id = {S}.id AND t.theme_id IN ({placeholders(themes)}))"
        )
        params += themes
    if industry:
        parts.append(f"CASE WHEN {S}.naming <> {NAMED} AND customers_customer.industry = %s THEN {INDUSTRY} ELSE 0 END")
        params.append(industry)
    if _postgresql():
        parts.append(f"{TEXT} * similarity(lifeline_fold({S}.title), lifeline_fold(%s))")
        params.append(title)
    else:
        near = f"{S}.id IN ({placeholders(neighbour_ids)})" if neighbour_ids else "0"
        parts.append(
            f"CASE WHEN {near} OR EXISTS (SELECT 1 FROM json_each({S}.text_neighbour_ids) n WHERE n.value = %s)"
            f" THEN {TEXT / 2} ELSE 0 END"
        )
        params += [*neighbour_ids, int(story_id)]
    return " + ".join(parts), params


def _candidates(user, branches, params):
    """The published stories `user` may read (the funnel) among the candidates."""
    from .selectors import readable_published  # selectors imports this module

    union = " UNION ".join(f"SELECT * FROM ({branch}) b{i}" for i, branch in enumerate(branches))
    return readable_published(user).filter(Q(pk__in=RawSQL(union, params)))


def _ranked(stories, score_sql, score_params, limit):
    stories = (
        stories.select_related("customer", "author")
        .only(*CARD_FIELDS)
        .annotate(related_score=RawSQL(score_sql, score_params))
        .order_by("-related_score", "-published_at", "-id")
    )
    # The best `limit`, then those scoring too little left out: the same as leaving them out first,
    # without computing every score twice (once more in WHERE).
    return [story for story in stories[:limit] if story.related_score >= MIN_SCORE]
