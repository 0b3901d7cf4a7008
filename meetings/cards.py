"""The meetings list, the customer page's meetings and the home panel, written in Python and shared.

What every viewer sees alike (a page of the list, a customer's meetings) is rendered once into a
fragment (portal.lib.fragments) and kept until a meeting, a seat, a debrief, a customer or a person
on it changes, or until the clock alone changes it (a meeting ends, a sign-up closes): each fragment
says when that is (`changes_at`) and is rendered afresh from then on. What is the viewer's own
("You have a seat") is looked up on every request, in one small query, and joined in.

Same markup, same translated strings and same escaping as the templates these replaced.
"""

import dataclasses
import datetime

from django.core.paginator import Page, Paginator
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.lib import fragments
from portal.lib.rawsql import db_datetime, placeholders
from portal.lib.text import time_tag
from portal.lib.urls import pk_url

from . import selectors
from .models import Debrief, Meeting, Seat

PER_PAGE = 20
# What a meetings-list card shows: the meeting, its seats, its customer's and its host's names.
LIST_TOPICS = ("meetings", "seats", "customers", "people")
# The customer page's meetings: titles and times, seats left and debriefs.
SECTION_TOPICS = ("meetings", "seats", "debriefs")


def detail_url():
    """The meeting page's address for any pk: `detail_url() % pk`."""
    return pk_url("meetings:detail")


def seats_left(left):
    """"3 seats left", in the active language."""
    return ngettext("%(counter)s seat left", "%(counter)s seats left", left) % {"counter": left}


def seat_statuses(user, meeting_ids):
    """{meeting id: the viewer's seat status} for `meeting_ids`: one small query (written out: the
    ORM's compiling costs more than running it)."""
    if not meeting_ids or not user.is_authenticated:
        return {}
    ids = list(meeting_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT meeting_id, status FROM {Seat._meta.db_table} "  # noqa: S608 (names from the model, values bound)
            f"WHERE user_id = %s AND meeting_id IN ({placeholders(ids)})",
            [user.pk, *ids],
        )
        return dict(cursor.fetchall())


# -- the meetings list ------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class MeetingCard:
    pk: int
    title: str
    head: str  # the card up to the viewer's own badge
    my_status: str | None = None


@dataclasses.dataclass(slots=True)
class ListPage:
    filters: str  # the filter form, as the query string fills it (a GET form: no token, nobody's own)
    count: int
    number: int
    head: str
    cards: list
    tail: str
    changes_at: datetime.datetime | None


CARD_TAIL = "\n      </p>\n    </li>\n"


def _list_cards(meetings):
    url = detail_url()
    cards = []
    for meeting in meetings:
        left = meeting.seats_left()
        if left:
            seats = '<span class="badge badge--open">%s</span>' % seats_left(left)
        else:
            seats = '<span class="badge badge--full">%s</span>' % escape(_("Full"))
            if meeting.waitlist_count:
                waiting = ngettext("%(counter)s on the waitlist", "%(counter)s on the waitlist",
                                   meeting.waitlist_count) % {"counter": meeting.waitlist_count}
                seats += ' <span class="meta">%s</span>' % waiting
        hosted = _("hosted by <bdi>%(host)s</bdi>") % {"host": escape(meeting.host.name)}
        cards.append(MeetingCard(pk=meeting.pk, title=meeting.title, head=(
            '    <li class="card meeting-card">\n'
            f'      <p class="meeting-card__kind">{escape(meeting.get_kind_display())}</p>\n'
            f'      <h2><a href="{url % meeting.pk}" dir="auto">{escape(meeting.title)}</a></h2>\n'
            f'      <p class="meta"><bdi>{escape(meeting.customer.name)}</bdi> · {hosted}</p>\n'
            f'      <p class="meeting-card__when">{time_tag(meeting.starts_at, "D j M Y, H:i")}</p>\n'
            f'      <p class="badges">\n        {seats}\n'
        )))
    return cards


def list_page(request, form, filters):
    """The meetings list's page for `filters` (`form`'s) and the request's query string: shared by
    everyone who asks for the same page, with each viewer's own seat marked. Returns (a Page of
    MeetingCards, the filter form's HTML, the results' HTML)."""
    now = timezone.now()

    def render():
        meetings = selectors.MeetingList(**filters, now=now)
        page = Paginator(meetings, PER_PAGE).get_page(request.GET.get("page"))
        count = page.paginator.count
        head = '<p class="result-count" role="status">%s</p>\n' % (
            ngettext("%(counter)s meeting", "%(counter)s meetings", count) % {"counter": count}
        )
        cards = _list_cards(page.object_list)
        if cards:
            head += '  <ul class="grid list-plain meeting-grid">\n'
            tail = "  </ul>\n"
        else:
            head += '  <p class="empty">%s</p>\n' % escape(_("No meetings match these filters."))
            tail = ""
        tail += render_to_string("includes/pagination.html", {"page": page}, request=request)
        filters_html = render_to_string("meetings/list.html#filters", {"form": form}, request=request)
        return ListPage(filters=filters_html, count=count, number=page.number, head=head, cards=cards, tail=tail,
                        changes_at=meetings.changes_at)

    listing = fragments.cached("meetings-list", topics=LIST_TOPICS, parts=sorted(request.GET.lists()), render=render)
    mine = seat_statuses(request.user, [card.pk for card in listing.cards])
    cards = [dataclasses.replace(card, my_status=mine.get(card.pk)) for card in listing.cards]
    page = Page(cards, listing.number, Paginator(range(listing.count), PER_PAGE))
    return page, mark_safe(listing.filters), join_list(listing, cards)  # noqa: S308 (rendered by the template)


def join_list(listing, cards):
    have_seat = '\n        <span class="badge badge--mine">%s</span>' % escape(_("You have a seat"))
    waiting = '\n        <span class="badge badge--warn">%s</span>' % escape(_("You are on the waitlist"))
    parts = [listing.head]
    for card in cards:
        mine = have_seat if card.my_status == Seat.Status.CONFIRMED else waiting if card.my_status == Seat.Status.WAITLISTED else ""
        parts += [card.head, mine, CARD_TAIL]
    parts.append(listing.tail)
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped when the card was made)


# -- the customer page's section ---------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class Section:
    html: str
    upcoming: list  # (pk, title) of each, for tests and callers that want the rows
    past: list
    changes_at: datetime.datetime | None


def customer_section(customer, user):
    """The customer page's meetings (selectors.customer_section_context), shared by every viewer (it
    shows nothing of theirs) until a meeting, seat or debrief changes, or the next of the customer's
    meetings ends and moves from "Upcoming" to "Past"."""
    now = timezone.now()

    def render():
        context = selectors.customer_section_context(customer)  # nothing of the viewer's: shared
        return Section(
            html=render_to_string("meetings/customer_section_rows.html", {"ctx": context}),
            upcoming=[(m.pk, m.title) for m in context["upcoming"]],
            past=[(m.pk, m.title) for m in context["past"]],
            changes_at=selectors.next_end(customer, now=now),
        )

    section = fragments.cached("meetings-customer-section", topics=SECTION_TOPICS, parts=[customer.pk], render=render)
    return {"html": mark_safe(section.html), "upcoming": section.upcoming, "past": section.past}  # noqa: S308


# -- the home panel: my debriefs owed and my next meetings (the viewer's own: kept per person) ----------

# What the home panel reads: the viewer's seats (status), their meetings (status, title, times, customer),
# the customers' names (a save of only `last_activity_at` leaves "customers" alone: not shown here) and
# whether a debrief exists. Every write to them is a save or a delete (meetings/services.py); the
# update()s there write only a seat's `notified` and a meeting's `debriefs_requested_at`, unread here.
HOME_TOPICS = ("meetings", "seats", "debriefs", "customers")
OWED_FOR = datetime.timedelta(days=60)  # a debrief not written by then is no longer asked for


@dataclasses.dataclass(slots=True)
class HomePanel:
    """One person's home panel: its context (None: left out) and when the clock alone changes it."""

    context: dict | None
    changes_at: datetime.datetime | None


def home_panel(user):
    """The home panel of my meetings (debriefs owed, what is coming up), or None when there is nothing
    to show. Kept per person (portal.lib.fragments, their id in the key) until a meeting, seat, debrief
    or customer changes, or until the next of its meetings ends (it leaves "Coming up") or an owed
    debrief's 60 days run out: only then does its one query run again."""
    if not user.is_authenticated:
        return None
    panel = fragments.cached(
        "home-meetings", topics=HOME_TOPICS, parts=[user.pk], render=lambda: _home_panel(user), per_person=True
    )
    return panel.context


def _home_panel(user):
    """One written-out query, written in Python (it runs on every home page after a change)."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    seat, meeting, debrief = Seat._meta.db_table, Meeting._meta.db_table, Debrief._meta.db_table
    customer = Meeting._meta.get_field("customer").related_model._meta.db_table
    confirmed, waitlisted = Seat.Status.CONFIRMED, Seat.Status.WAITLISTED
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.status, m.id, m.title, m.starts_at, m.ends_at, c.name "  # noqa: S608 (names from the models)
            f"FROM {seat} s JOIN {meeting} m ON m.id = s.meeting_id JOIN {customer} c ON c.id = m.customer_id "
            "WHERE s.user_id = %s AND s.status IN (%s, %s) AND m.status = %s AND (m.ends_at > %s OR ("
            f"s.status = %s AND m.ends_at > %s AND NOT EXISTS (SELECT 1 FROM {debrief} d WHERE d.seat_id = s.id))) "
            "ORDER BY m.starts_at, s.id LIMIT 10",
            [user.pk, confirmed, waitlisted, Meeting.Status.SCHEDULED, adapt(now),
             confirmed, adapt(now - OWED_FOR)],
        )
        rows = [(status, pk, title, db_datetime(starts), db_datetime(ends), name)
                for status, pk, title, starts, ends, name in cursor.fetchall()]
    # The clock takes a row out of "Coming up" when its meeting ends, and out of the debriefs owed 60
    # days later; no row comes in by the clock alone. Rows past the LIMIT start later still, so they
    # move into view only when one of these leaves.
    changes_at = min((ends if ends > now else ends + OWED_FOR for *_row, ends, _name in rows), default=None)
    owed = [row for row in rows if row[4] <= now]
    upcoming = [row for row in rows if row[4] > now][:3]
    if not owed and not upcoming:
        return HomePanel(context=None, changes_at=changes_at)
    parts = [
        '<section class="section card home-meetings" aria-labelledby="home-meetings-heading">\n'
        '  <h2 id="home-meetings-heading">%s</h2>\n' % escape(_("Customer meetings"))
    ]
    if owed:
        debrief_url = pk_url("meetings:debrief")
        write = escape(_("Write my debrief"))
        parts.append('  <h3>%s</h3>\n  <ul class="list-plain">\n' % escape(_("Tell your team what you heard")))
        for _status, pk, title, _starts, _ends, name in owed:
            said = _("You listened in on <bdi>%(title)s</bdi> with <bdi>%(customer)s</bdi>.") % {
                "title": escape(title), "customer": escape(name)}
            parts.append(f'    <li>{said}\n      <a class="button button--small" href="{debrief_url % pk}">{write}</a></li>\n')
        parts.append("  </ul>\n")
    if upcoming:
        url = detail_url()
        waiting = " · " + escape(_("waitlisted"))
        parts.append('  <h3>%s</h3>\n  <ul class="list-plain">\n' % escape(_("Coming up")))
        for status, pk, title, starts, _ends, name in upcoming:
            parts.append(
                f'    <li><a href="{url % pk}" dir="auto">{escape(title)}</a>\n'
                f'      <span class="meta">· <bdi>{escape(name)}</bdi> · {time_tag(starts, "j M, H:i")}'
                f'{waiting if status == waitlisted else ""}</span></li>\n'
            )
        parts.append("  </ul>\n")
    parts.append('  <p><a href="%s">%s</a></p>\n</section>' % (reverse("meetings:mine"), escape(_("My customer meetings"))))
    return HomePanel(context={
        "html": mark_safe("".join(parts)),  # noqa: S308 (each part escaped when made)
        "owed": [row[1] for row in owed], "upcoming": [row[1] for row in upcoming],
    }, changes_at=changes_at)