"""The shared customer timeline: everything dated about one customer, newest first, in pages.

Each app registers a *source* in its AppConfig.ready() (stories, decisions, meetings and debriefs, the
pulse, notes and touches), so this module never imports them. A source's `fetch` runs ONE query and
returns at most `limit` entries older than the cursor, already filtered by what the viewer may read;
`timeline()` merges them. So a page runs one query per source shown, whatever the data size.

Keyset pagination: entries are ordered by (at, source order, pk), newest first. The cursor is the last
entry shown, `"<at in UTC>,<source order>,<pk>"`; `keyset_q()` turns it into each source's condition.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

_SOURCES: dict[str, "Source"] = {}


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    fetch: Callable  # (customer, user, *, before, since, until, kinds, limit) -> [Entry]
    order: int = 100
    kinds: tuple = ()  # (value, label) sub-kinds the filter offers (notes: call, complaint, …)


@dataclass
class Entry:
    """One line of the timeline. `title`, `detail` and `actor` are plain text; `item` is the row, for
    sources whose template shows more (a note's status and actions)."""

    at: datetime.datetime
    source: str
    pk: int
    title: str
    url: str = ""
    kind: str = ""
    kind_label: str = ""
    detail: str = ""
    actor: str = ""
    item: object = None
    dated: str = "day_time"  # how the line shows its moment ({% when %}'s kind); "" for none (a month's pulse)
    order: int = field(default=100, repr=False)


@dataclass(frozen=True)
class Cursor:
    at: datetime.datetime
    order: int
    pk: int

    def encode(self):
        return f"{self.at.astimezone(datetime.UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')},{self.order},{self.pk}"

    @classmethod
    def decode(cls, value):
        """The cursor in `value`, or None for anything that is not one (a bad link shows the first page)."""
        try:
            at, order, pk = (value or "").split(",")
            at = datetime.datetime.fromisoformat(at)
            if at.tzinfo is None:
                return None
            return cls(at=at, order=int(order), pk=int(pk))
        except (ValueError, TypeError, OverflowError):
            return None


def register_timeline_source(*, key, label, fetch, order=100, kinds=()):
    _SOURCES[key] = Source(key=key, label=label, fetch=fetch, order=order, kinds=tuple(kinds))


def sources():
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def keyset_q(before, *, order, at="at", pk="pk"):
    """The rows of a source of `order` that come after the cursor `before` (newest first)."""
    if before is None:
        return Q()
    older = Q(**{f"{at}__lt": before.at})
    same_moment = Q(**{at: before.at})
    up_to = Q(**{f"{at}__lte": before.at})  # alone, an index on the date starts there; the rest is exact
    if order < before.order:
        return up_to
    if order == before.order:
        return up_to & (older | (same_moment & Q(**{f"{pk}__lt": before.pk})))
    return older


def window_q(*, since=None, until=None, at="at"):
    q = Q()
    if since is not None:
        q &= Q(**{f"{at}__gte": since})
    if until is not None:
        q &= Q(**{f"{at}__lt": until})
    return q


PAGE_SIZE = 20


def timeline(customer, user, *, before=None, source=None, kinds=None, since=None, until=None, limit=PAGE_SIZE):
    """(entries, next cursor or None): one page of the customer's timeline as `user` may see it.
    `source` keeps one source; `kinds` (a set) that source's sub-kinds. One query per source asked."""
    chosen = [s for s in sources() if source in (None, "", s.key)]
    entries = []
    for src in chosen:
        for entry in src.fetch(
            customer, user, before=before, since=since, until=until, kinds=kinds if source == src.key else None,
            limit=limit + 1,
        ):
            entry.order = src.order
            entries.append(entry)
    entries.sort(key=lambda e: (e.at, e.order, e.pk), reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    return page, (Cursor(at=page[-1].at, order=page[-1].order, pk=page[-1].pk) if more else None)
