"""Reads, with their joins applied. Every list runs a fixed number of queries."""

import datetime
import json
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from customers.models import Customer, Follow
from portal.lib.rawsql import db_datetime, placeholders
from portal.models import Team, User
from portal.permissions import can

from . import related, search
from .models import Reaction, Read, Story, StoryEvent, Theme

PAGE_SIZE = 20


# -- the access funnel ------------------------------------------------------------------------------
#
# Every read of stories goes through readable_by(user) (a queryset) or, for one row already loaded,
# Story.is_visible_to(user) (the same rule); the digest, which reads stories for many people at once,
# asks may_read_row(). Each applies portal.permissions: "story.view" for published stories,
# "story.read_draft" for the others, and "story.read_restricted" for those shown to leaders only or to
# chosen teams. What a page shows of the customer is Story.customer_label (the description, for an
# anonymised story), the same for every reader, so shared fragments never differ by reader.


def readable_by(user):
    """Every story `user` may read: published ones (with their visibility applied) and the drafts they
    may read. A reader who may read none gets an empty queryset. THE funnel: every list, search, panel,
    section and feed of stories starts here (tests/stories/test_visibility.py checks that each does)."""
    if not can(user, "story.view"):
        return Story.objects.none()
    stories = Story.objects.all()
    if not can(user, "story.read_draft"):
        stories = stories.filter(Q(status=Story.Status.PUBLISHED) | Q(author=user))
    if not can(user, "story.read_restricted"):  # a role-wide "yes": leaders and admins read every story
        stories = stories.filter(_restricted_for(user))
    return stories


def readable_published(user):
    """readable_by(user), published only: what the feed, panels, sections and Atom list."""
    return readable_by(user).filter(status=Story.Status.PUBLISHED)


def _restricted_for(user):
    """The stories shown to everyone, plus those restricted ones `user` may read by a relation: their
    own, or shown to their team (the queryset form of "story.read_restricted"'s relations)."""
    allowed = Q(visibility=Story.Visibility.EVERYONE) | Q(author=user)
    if user.team_id is not None:
        audience = Story.audience.through.objects.filter(story=OuterRef("pk"), team_id=user.team_id)
        allowed |= Q(Exists(audience), visibility=Story.Visibility.TEAMS)
    return allowed


def may_read_row(user, *, status, visibility, author_id, audience_team_ids):
    """The same rule for a plain row (the digest's batch rows): a SimpleNamespace stands in for the
    story, so portal.permissions judges it exactly as it judges a Story."""
    row = SimpleNamespace(status=status, visibility=visibility, author_id=author_id, audience_team_ids=audience_team_ids)
    if status != Story.Status.PUBLISHED:
        return False  # the digest lists published stories only
    if not can(user, "story.view"):
        return False
    return visibility == Story.Visibility.EVERYONE or can(user, "story.read_restricted", row)


def published():
    """Every published story, whoever reads: for counts and tasks that show no story to anyone (never for
    a page; pages use readable_published(user))."""
    return Story.objects.filter(status=Story.Status.PUBLISHED)


# -- the feed ---------------------------------------------------------------------------------------


@dataclass
class FeedFilters:
    q: str = ""
    customer: object = None
    team: object = None
    theme: object = None
    author: object = None
    before: tuple | None = None


def encode_cursor(story):
    at = story.published_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{at},{story.pk}"


def decode_cursor(value):
    """`2026-11-20T10:00:00.000000Z,42` → (datetime, 42); anything else → None."""
    try:
        at, pk = (value or "").split(",")
        at = datetime.datetime.fromisoformat(at)
        if at.tzinfo is None:
            return None
        return at, int(pk)
    except (ValueError, TypeError):
        return None


# What a card shows (stories/feed.html#card) and what its fragment is keyed by: not the bodies,
# which can run to 100,000 characters.
FEED_FIELDS = (
    "id", "title", "slug", "excerpt", "language", "status", "published_at", "updated_at",
    "reaction_count", "comment_count", "read_count", "visibility", "naming", "anonymised_as",
    "customer__id", "customer__name", "customer__slug", "author__id", "author__name",
)


def feed(*, user, filters, page_size=PAGE_SIZE):
    """One page of the published stories `user` may read (readable_by), newest first, and the cursor for
    the next page (or None). Filtered by customer, it leaves out the anonymised stories: listing them
    under the customer's name would name it. The reader's own marks: `viewer_marks`. Each story carries `theme_key`, the
    themes its card shows, for the card's fragment key.

    Queries: the stories with their counter columns and their themes (`theme_list`, by name, as a JSON
    array beside each row). One.
    """
    stories = (
        readable_published(user)
        .select_related("customer", "author")
        .only(*FEED_FIELDS)
        .annotate(theme_rows=RawSQL(_card_themes_sql(), []))
        .order_by("-published_at", "-id")
    )
    if filters.customer is not None:
        stories = stories.filter(customer=filters.customer).exclude(naming=Story.Naming.ANONYMISED)
    if filters.team is not None:
        stories = stories.filter(teams=filters.team)
    if filters.theme is not None:
        stories = stories.filter(themes=filters.theme)
    if filters.author is not None:
        stories = stories.filter(author=filters.author)
    if filters.before:
        at, pk = filters.before
        # The first condition alone lets the feed's index start at the cursor; the pair is exact.
        stories = stories.filter(Q(published_at__lte=at), Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
    if filters.q:
        stories, highlights = search.apply(stories, filters.q)
    rows = list(stories[: page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    for story in rows:
        themes = json.loads(story.theme_rows) if isinstance(story.theme_rows, str) else story.theme_rows
        story.theme_list = [Theme(id=pk, name=name, slug=slug) for pk, name, slug in themes]
        story.theme_key = theme_key(story)
    if filters.q:
        for story in rows:
            story.title_headline, story.headline = highlights(story)
    return rows, (encode_cursor(rows[-1]) if has_more else None)


def theme_key(story):
    """What a story's themes look like on its card (names and links), for a fragment key: a theme
    renamed changes no story row."""
    return "|".join(f"{theme.pk}:{theme.slug}:{theme.name}" for theme in story.theme_list)


def _card_themes_sql():
    """A card's themes as one JSON array of [id, name, slug] by name, correlated to the feed's story row."""
    return _json_rows(connection.vendor, Theme, Story.themes.through, "story_id", ["id", "name", "slug"], "name",
                      outer=Story._meta.db_table)


def viewer_marks(user, *, story_ids, customer_ids):
    """Which of `customer_ids` `user` follows and which of `story_ids` they have read: one query,
    written out (it runs on every feed page, and compiling it through the ORM cost more than running it)."""
    if not story_ids:
        return set(), set()
    follows, reads = Follow._meta.db_table, Read._meta.db_table
    customer_ids, story_ids = [int(pk) for pk in customer_ids], [int(pk) for pk in story_ids]
    sql = (
        f"SELECT 0, customer_id FROM {follows} WHERE user_id = %s AND customer_id IN ({placeholders(customer_ids)}) "
        f"UNION ALL SELECT 1, story_id FROM {reads} WHERE user_id = %s AND story_id IN ({placeholders(story_ids)})"
    )
    followed, read = set(), set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *customer_ids, user.pk, *story_ids])
        for kind, pk in cursor.fetchall():
            (read if kind else followed).add(pk)
    return followed, read


def submitted_count(user):
    """How many stories wait for review, for those who publish: a COUNT on story_feed_idx (status first)."""
    if not can(user, "story.publish"):
        return 0
    return Story.objects.filter(status=Story.Status.SUBMITTED).count()


def review_lists(user):
    """Leaders: what hosts submitted. Everyone who writes: their own drafts. (Both are lists of stories
    the reader may edit, so they show the customer's name: Story.customer_label_for.)"""
    base = readable_by(user).select_related("customer", "author").order_by("-updated_at", "-id")
    submitted = list(base.filter(status=Story.Status.SUBMITTED)) if can(user, "story.publish") else []
    mine = list(base.filter(author=user).exclude(status=Story.Status.PUBLISHED))
    return submitted, mine


# -- one story --------------------------------------------------------------------------------------


def story_for_page(pk):
    """The story with its customer, author, themes and teams."""
    stories = Story.objects.select_related("customer", "author").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name")), "teams"
    ).defer("search_vector")
    return stories.filter(pk=pk).first()


# What the story page shows of the story, its customer and author (stories/detail.html), and what its
# fragments are keyed by: not the Markdown sources, the search vector, or the customer's other notes.
STORY_PAGE_FIELDS = (
    "id", "customer_id", "author_id", "title", "slug", "language", "status", "body_html", "bought", "impact_html",
    "visibility", "naming", "anonymised_as", "consent_method", "consent_note", "consent_recorded_at",
    "consent_recorded_by", "published_at", "updated_at", "read_count", "reaction_count", "comment_count",
    "customer__id", "customer__name", "customer__slug", "customer__industry", "customer__region",
    "customer__who_they_are", "customer__daily_challenges", "customer__updated_at", "customer__do_not_name",
    "author__id", "author__name", "consent_recorded_by__id", "consent_recorded_by__name", "text_neighbour_ids",
)


def audience_names(story):
    """The names of the teams a story shown to chosen teams is for, in order: one query, only for such a
    story (so the pages of the others keep their query count)."""
    if story.visibility != Story.Visibility.TEAMS:
        return []
    return list(story.audience.order_by("name").values_list("name", flat=True))


def facet_key(story, audience=()):
    """What the story page shows of its themes, teams (story_page_for_reader's lists) and audience
    (`audience_names`), for its header's
    fragment key: renaming one changes no story row."""
    themes = "|".join(f"{theme.pk}:{theme.slug}:{theme.name}" for theme in story.theme_list)
    teams = "|".join(f"{team.pk}:{team.slug}:{team.name}" for team in story.team_list)
    return f"{themes}/{teams}/{'|'.join(audience)}"


# The story page's one query, written out (story_page_for_reader): the story with its customer, author
# and consent recorder (STORY_PAGE_FIELDS), its themes and teams as JSON arrays, whether the reader has
# read it, which reactions they gave, and whether it is shown to their team. One round trip instead of
# four, and no ORM compilation on the page most people open. Vendor differences are only the JSON
# functions.
_JSON_ROWS = {
    "postgresql": ("COALESCE(json_agg(json_build_array({cols}) ORDER BY {order}), '[]'::json)", "{rows}"),
    "sqlite": ("json_group_array(json_array({cols}))", "(SELECT * FROM {rows} ORDER BY {order})"),
}
_PAGE_RELATIONS = {"customer": Customer, "author": User, "consent_recorded_by": User}


def _page_columns():
    """[(relation or None, model, [fields in the model's order])] of STORY_PAGE_FIELDS."""
    wanted = {}
    for name in STORY_PAGE_FIELDS:
        relation, _sep, field = name.rpartition("__")
        wanted.setdefault(relation or None, set()).add(field)
    parts = []
    for relation, fields in wanted.items():
        model = _PAGE_RELATIONS[relation] if relation else Story
        if relation:
            fields = fields - {f"{relation}_id"}
        chosen = [f for f in model._meta.concrete_fields if f.attname in fields or f.name in fields]
        parts.append((relation, model, chosen))
    return parts


def _json_rows(vendor, model, through, fk, cols, order, outer="s"):
    agg, source = _JSON_ROWS.get(vendor, _JSON_ROWS["sqlite"])
    table, link = model._meta.db_table, through._meta.db_table
    other = next(f.column for f in through._meta.concrete_fields if f.related_model is model)
    rows = f"{table} x JOIN {link} l ON l.{other} = x.id WHERE l.{fk} = {outer}.id"
    if vendor == "postgresql":
        return "(SELECT " + agg.format(cols=", ".join(f"x.{c}" for c in cols), order=f"x.{order}") + f" FROM {rows})"
    inner = f"(SELECT {', '.join(f'x.{c}' for c in cols)} FROM {rows})"
    return "(SELECT " + agg.format(cols=", ".join(cols), order=order) + f" FROM {source.format(rows=inner, order=order)})"


def _story_page_sql(vendor):
    columns, joins = [], []
    for relation, model, fields in _page_columns():
        alias = relation or "s"
        columns += [f"{alias}.{f.column}" for f in fields]
        if relation:
            fk = Story._meta.get_field(relation).column
            kind = "LEFT JOIN" if Story._meta.get_field(relation).null else "JOIN"
            joins.append(f"{kind} {model._meta.db_table} {alias} ON {alias}.id = s.{fk}")
    themes = _json_rows(vendor, Theme, Story.themes.through, "story_id", ["id", "name", "slug"], "name")
    teams = _json_rows(vendor, Team, Story.teams.through, "story_id", ["id", "name", "slug"], "id")
    mine = "".join(
        f", EXISTS (SELECT 1 FROM {Reaction._meta.db_table} r WHERE r.story_id = s.id AND r.user_id = %s AND r.kind = %s)"
        for _kind in Reaction.Kind.values
    )
    return (
        f"SELECT {', '.join(columns)}, {themes}, {teams},"
        f" EXISTS (SELECT 1 FROM {Read._meta.db_table} rd WHERE rd.story_id = s.id AND rd.user_id = %s){mine},"
        f" EXISTS (SELECT 1 FROM {Story.audience.through._meta.db_table} a WHERE a.story_id = s.id AND a.team_id = %s)"
        f" FROM {Story._meta.db_table} s {' '.join(joins)} WHERE s.id = %s"
    )


_STORY_PAGE_SQL = {}


def _from_row(model, fields, values):
    """A model instance from written-out columns, converted as the ORM would (aware datetimes, booleans)."""
    converted = []
    for field, value in zip(fields, values, strict=True):
        if value is not None and field.get_internal_type() == "DateTimeField":
            value = db_datetime(value)
        elif value is not None and field.get_internal_type() == "BooleanField":
            value = bool(value)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def story_page_for_reader(pk, *, reader):
    """The story page's story in one query (or None): STORY_PAGE_FIELDS with its customer, author and
    consent recorder set, `theme_list` and `team_list` ([Theme], [Team], by name and by id), and what
    is the reader's own: `already_read`, `my_reactions`, and `audience_team_ids` (their own team, when
    the story is shown to it: enough for Story.is_visible_to)."""
    if not 0 < int(pk) < 2**63:  # no such row, and more than a database integer holds (a 500 on SQLite)
        return None
    vendor = connection.vendor
    if vendor not in _STORY_PAGE_SQL:
        _STORY_PAGE_SQL[vendor] = _story_page_sql(vendor)
    team_id = getattr(reader, "team_id", None)
    params = [reader.pk]
    for kind in Reaction.Kind.values:
        params += [reader.pk, kind]
    with connection.cursor() as cursor:
        cursor.execute(_STORY_PAGE_SQL[vendor], [*params, team_id if team_id is not None else 0, int(pk)])
        row = cursor.fetchone()
    if row is None:
        return None
    row, at = list(row), 0
    story, related = None, {}
    for relation, model, fields in _page_columns():
        values, at = row[at : at + len(fields)], at + len(fields)
        if relation and values[0] is None:  # a LEFT JOIN that found nothing
            related[relation] = None
        elif relation:
            related[relation] = _from_row(model, fields, values)
        else:
            story = _from_row(model, fields, values)
    for relation, obj in related.items():
        setattr(story, relation, obj)
    themes, teams = (json.loads(value) if isinstance(value, str) else value for value in row[at : at + 2])
    at += 2
    story.theme_list = [Theme(id=pk, name=name, slug=slug) for pk, name, slug in themes]
    story.team_list = [Team(id=pk, name=name, slug=slug) for pk, name, slug in teams]
    story.already_read = bool(row[at])
    story.my_reactions = {
        kind for kind, mine in zip(Reaction.Kind.values, row[at + 1 : -1], strict=True) if mine
    }
    story.audience_team_ids = frozenset({team_id}) if row[-1] else frozenset()
    return story


def related_stories(*, story, user):
    """"Stories like this" beside `story` (story_page_for_reader's: its customer, themes and text
    neighbours loaded): up to five published stories `user` may read, best first (stories.related). One query."""
    return related.for_story(story=story, user=user)


def stories_like_customers(*, customer, user):
    """The customer page's "Stories like theirs": up to five published stories about other customers
    that `user` may read, like this customer's (stories.related). One query."""
    return related.for_customer(customer=customer, user=user)


def reaction_counts(story):
    """{kind: how many people gave it} for the story. One query."""
    rows = Reaction.objects.filter(story=story).order_by().values_list("kind").annotate(n=Count("pk"))
    return dict(rows)


def reactions_for(*, counts, mine):
    """[(kind, label, count, mine), …] for the four reactions, in a fixed order."""
    return [(kind, label, counts.get(kind, 0), kind in mine) for kind, label in Reaction.Kind.choices]


def reaction_summary(*, story, user):
    """reactions_for the story, counted with `user`'s own in one query (after a reaction changed)."""
    rows = (
        Reaction.objects.filter(story=story)
        .values("kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(user=user)))
        .order_by()
    )
    counts = {row["kind"]: row["n"] for row in rows}
    return reactions_for(counts=counts, mine={row["kind"] for row in rows if row["mine"]})


def story_comments(story):
    """The story's comments, oldest first, with the columns a comment shows (and its fragment's key)."""
    return list(
        story.comments.select_related("author")
        .only("id", "story_id", "author_id", "author__name", "body_html", "created_at", "updated_at")
        .order_by("created_at", "id")
    )


def story_events(story):
    return list(StoryEvent.objects.filter(story=story).select_related("actor").order_by("at", "id"))


# -- picking a story --------------------------------------------------------------------------------


def give_me_one(*, user, days=90):
    """A recent, well-received published story that none (or the fewest) of `user`'s team has read."""
    readers = Read.objects.filter(story=OuterRef("pk"))
    readers = readers.filter(user__team_id=user.team_id) if user.team_id else readers.filter(user=user)
    team_reads = Coalesce(
        Subquery(readers.order_by().values("story").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )
    stories = readable_published(user).annotate(team_reads=team_reads)
    order = ["team_reads", "-reaction_count", "-published_at", "-id"]
    since = timezone.now() - datetime.timedelta(days=days)
    return stories.filter(published_at__gte=since).order_by(*order).first() or stories.order_by(*order).first()


# The home panel's pick, in plain SQL: through the ORM, building and compiling three nested LIMIT 1
# subqueries took longer than the database takes to run them. Each branch walks an index newest
# first and stops at its first unread story, so its cost does not grow with the number of stories;
# COALESCE runs a branch only when the ones before it found nothing.
_UNREAD = (  # story {s} is published, recent, not their own and not read by them, and they may read it
    # (readable_by, written out: shown to everyone, or the reader reads every restricted story, or it
    # is shown to their team); params: status, since, user, user, reads all restricted?, team (or 0)
    "{s}.status = %s AND {s}.published_at >= %s AND {s}.author_id <> %s"
    " AND NOT EXISTS (SELECT 1 FROM stories_read r WHERE r.story_id = {s}.id AND r.user_id = %s)"
    " AND ({s}.visibility = 'everyone' OR %s OR ({s}.visibility = 'teams' AND EXISTS"
    " (SELECT 1 FROM stories_story_audience a WHERE a.story_id = {s}.id AND a.team_id = %s)))"
)
_NEWEST = "ORDER BY {s}.published_at DESC, {s}.id DESC LIMIT 1"
# 1. From a customer I follow: each followed customer's newest unread story (story_customer_idx),
#    then the newest of those, so bounded by what I follow. Never an anonymised one: picked for its
#    customer, it would name them. Params: unread, user.
_FROM_FOLLOWED = f"""SELECT s.id FROM stories_story s WHERE s.id IN (
    SELECT (SELECT c.id FROM stories_story c
            WHERE c.customer_id = f.customer_id AND c.naming <> 'anonymised' AND {_UNREAD.format(s="c")}
            {_NEWEST.format(s="c")})
    FROM customers_follow f WHERE f.user_id = %s) {_NEWEST.format(s="s")}"""
# 2. One that names my team: story_feed_idx, probing the teams table's (story, team) key. Params:
#    unread, team.
_FOR_TEAM = f"""SELECT s.id FROM stories_story s WHERE {_UNREAD.format(s="s")}
    AND EXISTS (SELECT 1 FROM stories_story_teams t WHERE t.story_id = s.id AND t.team_id = %s)
    {_NEWEST.format(s="s")}"""
# 3. Any (story_feed_idx). Params: unread.
_ANY = f"""SELECT s.id FROM stories_story s WHERE {_UNREAD.format(s="s")} {_NEWEST.format(s="s")}"""
# Whether the person follows the picked story's customer. Params: user.
_IS_FOLLOWED = (
    "EXISTS (SELECT 1 FROM customers_follow f WHERE f.user_id = %s AND f.customer_id = stories_story.customer_id)"
)


def story_of_the_day(user, *, days=90):
    """Home panel: one published story of the last `days` days that `user` neither wrote nor read: the newest
    from a customer they follow, else the newest that names their team, else the newest of all.
    One query whatever the number of stories; `is_followed` says whether they follow its customer."""
    if not can(user, "story.view"):
        return None
    since = connection.ops.adapt_datetimefield_value(timezone.now() - datetime.timedelta(days=days))
    reads_restricted = can(user, "story.read_restricted")  # the role-wide "yes" of readable_by
    unread = [Story.Status.PUBLISHED.value, since, user.pk, user.pk, reads_restricted, user.team_id or 0]
    branches, params = [_FROM_FOLLOWED], [*unread, user.pk]
    if user.team_id is not None:
        branches.append(_FOR_TEAM)
        params += [*unread, user.team_id]
    branches.append(_ANY)
    params += unread
    # Written out rather than through the ORM: on the home page of everyone, and compiling it cost
    # three times what PostgreSQL takes to plan and run it.
    sql = (
        "SELECT stories_story.id, stories_story.title, stories_story.slug, stories_story.excerpt,"
        " stories_story.published_at, stories_story.updated_at, stories_story.visibility, stories_story.naming,"
        " stories_story.anonymised_as, c.id, c.name, c.slug, u.id, u.name, "
        + _IS_FOLLOWED +
        " FROM stories_story JOIN customers_customer c ON c.id = stories_story.customer_id"
        " JOIN portal_user u ON u.id = stories_story.author_id"
        " WHERE stories_story.id = COALESCE(" + ", ".join(f"({branch})" for branch in branches) + ")"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    (pk, title, slug, excerpt, published_at, updated_at, visibility, naming, anonymised_as,
     customer_id, customer_name, customer_slug, author_id, author_name, followed) = row
    story = Story(id=pk, title=title, slug=slug, excerpt=excerpt, status=Story.Status.PUBLISHED,
                  visibility=visibility, naming=naming, anonymised_as=anonymised_as,
                  published_at=db_datetime(published_at), updated_at=db_datetime(updated_at),
                  customer_id=customer_id, author_id=author_id)
    story.customer = Customer(id=customer_id, name=customer_name, slug=customer_slug)
    story.author = User(id=author_id, name=author_name)
    story.is_followed = bool(followed) and not story.is_anonymised  # the mark would name the customer
    story._state.adding = False
    return story


def customer_stories(*, customer, user, limit=10):
    """The customer page's section: the newest published stories about this customer that `user` may
    read (readable_by), and whether there are more. Never the anonymised ones: on the customer's page
    they would name it. One query."""
    rows = list(
        readable_published(user)
        .filter(customer=customer)
        .exclude(naming=Story.Naming.ANONYMISED)
        # what a row shows, and its fragment's key: no bodies, no search vector
        .only(
            "id", "slug", "title", "excerpt", "published_at", "updated_at", "reaction_count", "comment_count",
            "visibility", "naming",
        )
        .annotate(author_name=F("author__name"))
        .order_by("-published_at", "-id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


BRIEF_STORIES = 3
BRIEF_EXCERPT_CHARS = 120


def brief_stories(customer, user, *, limit=BRIEF_STORIES):
    """The listener brief's part (customers.brief): the newest stories about the customer that `user`
    may read, through customer_stories(), titles and a trimmed excerpt. One query."""
    stories, _more = customer_stories(customer=customer, user=user, limit=limit)
    if not stories:
        return None
    return {
        "items": [
            {
                "title": story.title,
                "url": story.get_absolute_url(),
                "text": Truncator(story.excerpt).chars(BRIEF_EXCERPT_CHARS),
                "meta": _brief_byline(story),
            }
            for story in stories
        ]
    }


def _brief_byline(story):
    published = date_format(timezone.localtime(story.published_at), "DATE_FORMAT") if story.published_at else ""
    return [part for part in (published, story.author_name) if part]


# -- Atom feeds -------------------------------------------------------------------------------------

FEED_SIZE = 50
# What an entry shows (stories.feeds, stories/atom_content.html): not the Markdown sources.
ATOM_FIELDS = (
    "id", "title", "slug", "excerpt", "body_html", "bought", "impact_html", "language", "status",
    "published_at", "updated_at", "visibility", "naming", "anonymised_as",
    "customer__id", "customer__name", "customer__slug", "author__id", "author__name",
)


def for_reader(user):
    """The stories `user` may read in a list made for them alone (their Atom feeds, signed in or by
    their private address): readable_published(user), the access funnel."""
    return readable_published(user)


def feed_items(*, reader, customer=None, theme=None, followed=False, limit=FEED_SIZE):
    """The newest stories for one of `reader`'s Atom feeds: all, one customer's, one theme's, or those
    about the customers they follow. With their customers, authors (one query) and themes (one more).
    A feed about customers (one's, or those followed) leaves out the anonymised stories, as the customer
    page does: listed under the customer, they would name it."""
    stories = for_reader(reader)
    if customer is not None or followed:
        stories = stories.exclude(naming=Story.Naming.ANONYMISED)
    if customer is not None:
        stories = stories.filter(customer=customer)
    if theme is not None:
        stories = stories.filter(themes=theme)
    if followed:
        stories = stories.filter(customer__in=Follow.objects.filter(user=reader).values("customer"))
    stories = (
        stories.select_related("customer", "author")
        .only(*ATOM_FIELDS)
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.only("id", "name", "slug").order_by("name")))
        .order_by("-published_at", "-id")
    )
    return list(stories[:limit])


def feed_reader(token):
    """The active person whose private feed address holds `token`, or None. One query."""
    if not token or "\x00" in token:  # no token has one, and PostgreSQL refuses to compare text with a NUL
        return None
    return User.objects.filter(feed_token=token, is_active=True).first()


def themes():
    """Every theme by name (a short list), for the page of feed addresses."""
    return list(Theme.objects.only("id", "name", "slug").order_by("name"))


def feed_customer(slug):
    """The customer a feed is about, by its slug (None if there is none): what the feed shows of it."""
    if "\x00" in slug:
        return None
    return Customer.objects.only("id", "name", "slug").filter(slug=slug).first()


def feed_theme(slug):
    """The theme a feed is about, by its slug (None if there is none)."""
    if "\x00" in slug:
        return None
    return Theme.objects.only("id", "name", "slug").filter(slug=slug).first()


# -- the customer timeline (customers.timeline) -----------------------------------------------------


def timeline_entries(customer, user, *, before, since, until, kinds, limit):
    """The customer's published stories `user` may read (readable_published), by publication, for the
    shared timeline. Anonymised stories are left out, as on the rest of the customer page: listing them
    under the customer's name would name it. One query."""
    from customers.timeline import Entry, keyset_q, window_q

    rows = (
        readable_published(user)
        .filter(customer=customer, published_at__isnull=False)
        .exclude(naming=Story.Naming.ANONYMISED)
        .filter(keyset_q(before, order=10, at="published_at"), window_q(since=since, until=until, at="published_at"))
        .annotate(author_name=F("author__name"))
        .only("id", "slug", "title", "excerpt", "published_at")
        .order_by("-published_at", "-id")[:limit]
    )
    return [
        Entry(at=s.published_at, source="stories", pk=s.pk, title=s.title, url=s.get_absolute_url(),
              detail=Truncator(s.excerpt).chars(200), actor=s.author_name)
        for s in rows
    ]
