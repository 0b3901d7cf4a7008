"""The weekly digest's stories section. Called by digests (see digests/sections.py): `prepare`
fetches what a batch of people shares with a fixed number of queries; `pick_stories` chooses
one person's stories in Python."""

import functools
from collections import defaultdict
from types import SimpleNamespace

from django.conf import settings
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from customers.models import Follow
from portal.permissions import can

from .models import Read, Story
from .selectors import may_read_row

LIMIT = 5  # stories per email
CANDIDATES = 300  # newest published stories considered for a batch


@functools.lru_cache(maxsize=4096)  # a story's path never changes for a (pk, slug); batches share stories
def _path(pk, slug):
    """Story.get_absolute_url() for a row read with values() (no model instance needed)."""
    return reverse("stories:detail", kwargs={"pk": pk, "slug": slug})  # NoReverseMatch is raised, not cached


def _absolute(pk, slug):
    try:
        return settings.SITE_URL + _path(pk, slug)
    except NoReverseMatch:
        return settings.SITE_URL + "/"


def prepare(users, since_by_user, now):
    """Stories published in the batch's widest window, their teams, and who follows or read them. Four
    queries whatever the number of people, and a fifth when some of the stories are shown to chosen
    teams only (their audience). Who may read which is decided per person in pick_stories, by the
    funnel's rule for rows (selectors.may_read_row)."""
    if not users:
        return {"stories": [], "teams": {}, "follows": set(), "reads": set()}
    earliest = min(since_by_user[u.pk] for u in users)
    # Plain rows, not model instances: a batch reads the same few hundred stories, so keep it light.
    stories = [
        SimpleNamespace(**row)
        for row in Story.objects.filter(
            status=Story.Status.PUBLISHED, published_at__gt=earliest, published_at__lte=now
        )
        .values(
            "id",
            "title",
            "slug",
            "published_at",
            "customer_id",
            "author_id",
            "reaction_count",  # the counter column (stories.services)
            "visibility",
            "naming",
            "anonymised_as",
            customer_name=F("customer__name"),
            author_name=F("author__name"),
        )
        .order_by("-published_at", "-id")[:CANDIDATES]
    ]
    # The order among equals is the same for everyone (most reacted to, then newest): sort once here.
    stories.sort(key=lambda s: (-s.reaction_count, -s.published_at.timestamp(), -s.id))
    story_ids = [s.id for s in stories]
    teams = defaultdict(set)
    for story_id, team_id in Story.teams.through.objects.filter(story_id__in=story_ids).values_list(
        "story_id", "team_id"
    ):
        teams[story_id].add(team_id)
    restricted = [s.id for s in stories if s.visibility == Story.Visibility.TEAMS]
    audience = defaultdict(set)
    if restricted:
        for story_id, team_id in Story.audience.through.objects.filter(story_id__in=restricted).values_list(
            "story_id", "team_id"
        ):
            audience[story_id].add(team_id)
    follows = set(
        Follow.objects.filter(user__in=users, customer_id__in={s.customer_id for s in stories}).values_list(
            "user_id", "customer_id"
        )
    )
    reads = set(
        Read.objects.filter(user__in=users, story_id__in=story_ids).values_list("user_id", "story_id")
    )
    for story in stories:
        story.digest_url = _absolute(story.id, story.slug)  # once per batch, not once per reader
        story.team_ids = teams.get(story.id, frozenset())
        story.audience_team_ids = audience.get(story.id, frozenset())
        # An anonymised story is listed under its description, and no follow of the customer ranks it.
        story.customer_label = story.anonymised_as if story.naming == Story.Naming.ANONYMISED else story.customer_name
    return {"stories": stories, "follows": follows, "reads": reads}


def pick_stories(data, user, since, now):
    """New stories `user` has not read nor written: customers they follow first, then their team's,
    then the most reacted to, newest first."""
    if not can(user, "story.view"):  # the same rule as the feed (portal/permissions.py)
        return None
    uid, team_id, follows, reads = user.id, user.team_id, data["follows"], data["reads"]
    followed, for_team, others = [], [], []
    for story in data["stories"]:  # already in the shared order; three stable buckets, no sorting
        if story.published_at <= since or story.author_id == uid or (uid, story.id) in reads:
            continue
        if story.visibility != Story.Visibility.EVERYONE and not may_read_row(
            user, status=Story.Status.PUBLISHED, visibility=story.visibility, author_id=story.author_id,
            audience_team_ids=story.audience_team_ids,
        ):
            continue
        if (uid, story.customer_id) in follows and story.naming != Story.Naming.ANONYMISED:
            followed.append(story)
        elif team_id is not None and team_id in story.team_ids:
            for_team.append(story)
        else:
            others.append(story)
    count = len(followed) + len(for_team) + len(others)
    if not count:
        return None
    tags = {"followed": _("A customer you follow"), "team": _("For your team"), "other": ""}
    chosen = [
        *(("followed", s) for s in followed),
        *(("team", s) for s in for_team),
        *(("other", s) for s in others),
    ]
    items = [
        {
            "title": story.title,
            "url": story.digest_url,
            "customer": story.customer_label,
            "when": story.published_at,
            "detail": _("By %(author)s") % {"author": story.author_name},
            "tag": tags[why],
        }
        for why, story in chosen[:LIMIT]
    ]
    return {"items": items, "more": max(count - LIMIT, 0)}
