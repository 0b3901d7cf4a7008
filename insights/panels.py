"""The home page's insights panels as the page shows them: what is the same for everyone is shared
(portal.lib.fragments), what is the viewer's own is looked up on every request, and both are written
in Python (same markup, strings and escaping as templates/insights/panels/*.html, which they replaced).

- Open seats this month: the month's open meetings are shared (a few more than the panel shows);
  each viewer's own seats and the meetings they host are left out, and the panel that makes is kept
  per person (their id in the key) until a meeting, seat or customer changes or a sign-up closes. A
  viewer who holds a seat at so many of them that the shared rows run out gets the panel straight
  from the database.
- Customers I follow: which customers, and their last activity, are the viewer's (one query), kept
  per person until they follow or unfollow (their `reader:` topic, stories/apps.py) or a customer's
  activity moves ("customer-activity", customers/services.py customer_touch); each customer's card
  (its newest story, decision and meeting) is shared with everyone who follows it. "Last activity …
  ago" is the clock's: written on every request, from the kept list.
"""

import dataclasses
import datetime

from django.db import connection
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from customers.models import Customer, Follow
from meetings.cards import detail_url, seat_statuses, seats_left
from portal.lib import fragments
from portal.lib.rawsql import db_datetime
from portal.lib.text import time_tag
from portal.lib.urls import pk_url

from . import selectors

OPEN_SEATS_TOPICS = ("meetings", "seats", "customers")
FOLLOWED_TOPICS = ("customers", "story-rows", "decisions", "meetings")  # story-rows: not its reads
SPARE = 20  # shared open-seat rows beyond what the panel shows, for the viewers' own to be left out


# -- open seats this month ----------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class OpenSeat:
    pk: int
    host_id: int
    title: str
    html: str


@dataclasses.dataclass(slots=True)
class OpenSeats:
    rows: list
    complete: bool  # every open meeting of the month is in `rows`
    changes_at: datetime.datetime


def _open_seat_rows(meetings):
    url = detail_url()
    rows = []
    for meeting in meetings:
        rows.append(OpenSeat(pk=meeting.pk, host_id=meeting.host_id, title=meeting.title, html=(
            "    <li>\n"
            f'      <a href="{url % meeting.pk}" dir="auto">{escape(meeting.title)}</a>\n'
            f'      <span class="meta">· <bdi>{escape(meeting.customer.name)}</bdi> · '
            f'{time_tag(meeting.starts_at, "j M, H:i")} ·\n'
            f"        {seats_left(meeting.seats_left())}</span>\n"
            "    </li>\n"
        )))
    return rows


@dataclasses.dataclass(slots=True)
class ViewerOpenSeats:
    """One person's open-seats panel, kept until a meeting, seat or customer changes or a sign-up closes."""

    context: dict
    changes_at: datetime.datetime


def open_seats_panel(user, *, limit=4):
    """The open-seats panel's context: {"html", "meetings" (pk and title of each shown), "more", "month"}.
    Kept per person: what leaves their own out (their seats of any status, the meetings they host) is
    read from the same topics as the shared rows (a seat: "seats"; a host: "meetings")."""
    now = timezone.now()
    start, end = selectors._this_month(now)
    return fragments.cached(
        "home-open-seats-viewer", topics=OPEN_SEATS_TOPICS, parts=[start.isoformat(), user.pk, limit],
        render=lambda: _viewer_open_seats(user, limit=limit, now=now, start=start, end=end), per_person=True,
    ).context


def _viewer_open_seats(user, *, limit, now, start, end):
    def render():
        meetings = list(selectors.open_seats(start=start, end=end, now=now)[: limit + 1 + SPARE])
        # A meeting leaves the list when its sign-up closes (it starts, and ends, later still).
        changes_at = min([end, *(m.signup_closes_at for m in meetings)])
        return OpenSeats(rows=_open_seat_rows(meetings), complete=len(meetings) <= limit + SPARE, changes_at=changes_at)

    shared = fragments.cached("home-open-seats", topics=OPEN_SEATS_TOPICS, parts=[start.isoformat()], render=render)
    changes_at = shared.changes_at  # the first limit + 1 + SPARE open meetings' sign-ups, the month's end
    mine = seat_statuses(user, [row.pk for row in shared.rows])  # any seat, cancelled too, as the selector
    rows = [row for row in shared.rows if row.host_id != user.pk and row.pk not in mine][: limit + 1]
    if len(rows) <= limit and not shared.complete:  # the viewer's own took the spare rows: ask the database
        # One more than shown, so that `more` and when it changes are known too.
        context = selectors.open_seats_panel(user, limit=limit + 1, now=now)
        meetings = context["meetings"]
        changes_at = min([changes_at, *(m.signup_closes_at for m in meetings)])
        rows, more = _open_seat_rows(meetings[:limit]), len(meetings) > limit
    else:
        rows, more = rows[:limit], len(rows) > limit
    parts = [
        '<section class="card home-panel home-open-seats" aria-labelledby="open-seats-heading">\n',
        '  <h2 id="open-seats-heading">%s</h2>\n' % escape(_("Open seats this month")),
    ]
    if rows:
        parts.append('  <p class="meta">%s</p>\n  <ul class="list-plain">\n'
                     % escape(_("Customer meetings you can still sign up to listen in on.")))
        parts += [row.html for row in rows]
        parts.append("  </ul>\n")
    else:
        parts.append('  <p class="empty">%s</p>\n' % escape(_("No open seats left this month.")))
    parts.append('  <p><a href="%s?open=1">%s</a></p>\n</section>'
                 % (reverse("meetings:list"), escape(_("All meetings with open seats"))))
    return ViewerOpenSeats(context={
        "html": mark_safe("".join(parts)),  # noqa: S308 (each part escaped when made)
        "meetings": [(row.pk, row.title) for row in rows], "more": more, "month": start,
    }, changes_at=changes_at)


# -- customers I follow -------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class FollowedCard:
    head: str  # up to the last activity, which is the clock's
    tail: str


def followed_customers(user, limit):
    """[(customer id, last activity)] of the customers `user` follows, most recently active first,
    `limit` of them. Kept per person until what it reads moves: their follows (a Follow's save or
    delete bumps their reader topic, stories/apps.py) and the customers' rows, `last_activity_at`
    included ("customer-activity": every save or delete of a Customer, and customer_touch's update());
    then one query, written out."""
    return _followed_customers(user, limit)  # per request: the per-person copy went with stories' reader topic


def _followed_customers(user, limit):
    customers, follows = Customer._meta.db_table, Follow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.last_activity_at FROM {customers} c WHERE EXISTS ("  # noqa: S608 (names from the models)
            f"SELECT 1 FROM {follows} f WHERE f.customer_id = c.id AND f.user_id = %s) "
            "ORDER BY c.last_activity_at DESC, c.id ASC LIMIT %s",
            [user.pk, limit],
        )
        return [(pk, db_datetime(at)) for pk, at in cursor.fetchall()]


def _followed_cards(customers):
    none_yet = '<span class="meta">%s</span>' % escape(_("none yet"))
    decision_url, meeting_url = pk_url("decisions:detail"), detail_url()
    labels = [escape(_("Latest story")), escape(_("Latest decision")), escape(_("Latest meeting"))]
    cards = {}
    for c in customers:
        if c.story_pk:
            story = '<a href="%s" dir="auto">%s</a> <span class="meta">· %s</span>' % (
                escape(reverse("stories:detail", args=[c.story_pk, c.story_slug])), escape(c.story_title),
                escape(formats.date_format(timezone.localtime(c.story_at), "j M")),
            )
        else:
            story = none_yet
        if c.decision_pk:
            decision = '<a href="%s" dir="auto">%s</a> <span class="meta">· %s</span>' % (
                decision_url % c.decision_pk, escape(c.decision_title), escape(c.decision_status_label))
        else:
            decision = none_yet
        if c.meeting_pk:
            meeting = '<a href="%s" dir="auto">%s</a> <span class="meta">· %s</span>' % (
                meeting_url % c.meeting_pk, escape(c.meeting_title), time_tag(c.meeting_at, "j M"))
        else:
            meeting = none_yet
        cards[c.pk] = FollowedCard(
            head=(
                '    <li class="followed-card">\n'
                f'      <h3><a href="{escape(c.get_absolute_url())}" dir="auto">{escape(c.name)}</a></h3>\n'
                '      <p class="meta">' + (f"<bdi>{escape(c.industry)}</bdi> · " if c.industry else "")
            ),
            tail=(
                '</p>\n      <dl class="whats-new">\n'
                f"        <dt>{labels[0]}</dt>\n        <dd>{story}</dd>\n"
                f"        <dt>{labels[1]}</dt>\n        <dd>{decision}</dd>\n"
                f"        <dt>{labels[2]}</dt>\n        <dd>{meeting}</dd>\n"
                "      </dl>\n    </li>\n"
            ),
        )
    return cards


def followed_cards(customer_ids):
    """{customer id: FollowedCard}, each shared by everyone who follows that customer until a story,
    decision, meeting or the customer itself changes; those not kept yet in one query."""
    return fragments.cached_many(
        "followed-card", topics=FOLLOWED_TOPICS, ids=customer_ids,
        render=lambda missing: _followed_cards(selectors.whats_new(Customer.objects.filter(pk__in=missing))),
    )


def followed_panel(user, *, limit=12):
    """The followed-customers panel's context: {"html", "customers" (their ids), "more"}."""
    followed = followed_customers(user, limit + 1)
    shown = followed[:limit]
    cards = followed_cards([pk for pk, _at in shown])
    directory = reverse("customers:directory")
    find = escape(_("Find customers to follow"))
    parts = [
        '<section class="card home-panel home-followed" aria-labelledby="followed-heading">\n'
        '  <div class="section-head">\n'
        '    <h2 id="followed-heading">%s</h2>\n' % escape(_("Customers I follow"))
        + f'    <a href="{directory}">{find}</a>\n'
        "  </div>\n"
    ]
    now = timezone.now()
    shown = [(pk, at) for pk, at in shown if pk in cards]  # a customer deleted meanwhile
    if shown:
        parts.append('  <ul class="followed-grid list-plain" id="followed-customers">\n')
        for pk, at in shown:
            when = escape(timesince(at, now)) if at else ""
            parts += [cards[pk].head, _("last activity %(when)s ago") % {"when": when}, cards[pk].tail]
        parts.append("  </ul>\n")
        if len(followed) > limit:
            parts.append('  <p><a href="%s">%s</a></p>\n' % (directory, escape(_("More customers I follow"))))
    else:
        parts.append('  <p class="empty">%s <a href="%s">%s</a></p>\n'
                     % (escape(_("You do not follow any customers yet.")), directory, find))
    parts.append("</section>")
    return {
        "html": mark_safe("".join(parts)),  # noqa: S308 (each part escaped when made)
        "customers": [pk for pk, _at in shown], "more": len(followed) > limit,
    }
