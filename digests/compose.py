"""Composing digests for a batch of people with a fixed number of queries.

Queries: the people's preferences (1), their last digest (1), then each provider module's
`prepare` once for the whole batch; picking each person's part runs in Python.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone, translation

from portal.lib.dates import zone_of

from .models import Delivery, Kind
from .preferences import preferences_by_user
from .sections import active_sections

DEFAULT_WINDOW = datetime.timedelta(days=7)
LONGEST_WINDOW = datetime.timedelta(days=28)


@dataclass
class Block:
    key: str
    title: str
    items: list
    note: str = ""
    more: int = 0


@dataclass
class Digest:
    user: object
    since: datetime.datetime
    now: datetime.datetime
    blocks: list = field(default_factory=list)
    first: bool = False  # no digest was ever sent to them: there is no "last digest" to speak of

    @property
    def is_empty(self):
        """Nothing to say → no email. A note alone (the quota) is not enough."""
        return not any(block.items for block in self.blocks)

    @property
    def item_count(self):
        return sum(len(block.items) for block in self.blocks)


def user_zone(user):
    return zone_of(user.time_zone)


def last_sent_digests(user_ids):
    """{user_id: when their last digest was sent}, for those who ever had one. One query."""
    rows = (
        Delivery.objects.filter(kind=Kind.DIGEST, status=Delivery.Status.SENT, user_id__in=list(user_ids))
        .values("user_id")
        .annotate(last=Max("sent_at"))
        .order_by()
    )
    return {row["user_id"]: row["last"] for row in rows}


def last_digest_times(user_ids, *, now, last=None):
    """{user_id: when their window starts}: their last sent digest, at most four weeks back."""
    last = last_sent_digests(user_ids) if last is None else last
    return {uid: max(last.get(uid) or now - DEFAULT_WINDOW, now - LONGEST_WINDOW) for uid in user_ids}


def compose_batch(users, *, now=None, sections=None, since_by_user=None, prefs=None):
    """{user_id: Digest} for `users` (a list of User rows)."""
    now = now or timezone.now()
    users = list(users)
    ids = [u.pk for u in users]
    sections = active_sections() if sections is None else sections
    prefs = prefs or preferences_by_user(ids)
    first = set()
    if not since_by_user:
        last = last_sent_digests(ids)
        since_by_user = last_digest_times(ids, now=now, last=last)
        first = {uid for uid in ids if uid not in last}
    prepared, picks = {}, {}
    for section in sections:
        if section.provider not in prepared:
            prepared[section.provider] = section.module().prepare(users, since_by_user, now)
        picks[section.key] = section.pick_function()
    digests = {}
    for user in users:
        digest = Digest(user=user, since=since_by_user[user.pk], now=now, first=user.pk in first)
        wanted = [s for s in sections if prefs[user.pk].wants_section(s.key)]
        with translation.override(user.language or None), timezone.override(user_zone(user)):
            for section in wanted:
                part = picks[section.key](prepared[section.provider], user, digest.since, now)
                if part and (part.get("items") or part.get("note")):
                    digest.blocks.append(
                        Block(
                            key=section.key,
                            title=str(section.title),
                            items=part.get("items", []),
                            note=str(part.get("note", "")),
                            more=part.get("more", 0),
                        )
                    )
        digests[user.pk] = digest
    return digests


def compose_for(user, *, now=None):
    return compose_batch([user], now=now)[user.pk]
