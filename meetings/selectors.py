"""Reads for customer meetings, with their joins applied. Each runs a fixed number of queries."""

import datetime
import math

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from customers.brief import brief_parts_for
from customers.selectors import BRIEF_CONTACTS, brief_contacts
from portal.lib.markdown import plain_excerpt
from portal.permissions import can

from .models import Debrief, DebriefReaction, Meeting, Seat
from .offers import offer_path

CONFIRMED, WAITLISTED, OFFERED = Seat.Status.CONFIRMED, Seat.Status.WAITLISTED, Seat.Status.OFFERED
NO_SHOW = Seat.Attendance.NO_SHOW


def with_counts(meetings):
    """Annotate confirmed_count (the `seats_taken` column the seat services keep) and waitlist_count
    (a correlated count on seat_meeting_status_idx): no join, no GROUP BY, no per-row queries."""
    return meetings.annotate(confirmed_count=F("seats_taken"), waitlist_count=seat_count(WAITLISTED))


def seat_count(status):
    """The outer meeting's seats in `status` (one status or several): a correlated count that reads
    seat_meeting_status_idx alone, so it costs the same for one meeting as for any other (no join, no
    GROUP BY)."""
    statuses = [status] if isinstance(status, str) else list(status)
    seats = Seat.objects.filter(meeting=OuterRef("pk"), status__in=statuses).order_by().values("meeting")
    return Coalesce(Subquery(seats.annotate(n=Count("*")).values("n")), 0)


class MeetingList:
    """The meetings list, for a Paginator: scheduled meetings with a seat left first, then full
    ones, each by start. Filters: customer, kind, month, open seats only.

    Seats taken are a column on the row (`seats_taken`, kept by the seat services), but sorting
    every upcoming meeting by "has a seat left" would still read all of them on every view of the
    list. Instead a page walks meeting_start_idx in start order, first over the meetings with a
    seat left and, when those run out, over the full ones; each walk stops when the page is full,
    and counts the waitlist and finds the viewer's own seat (`waitlist_count`, `my_status`) for the
    meetings on the page only. So the first pages cost the same with 10 upcoming meetings or
    10,000. One more query counts the meetings and finds where the walks begin: the earliest start
    among the meetings listed, which may be a meeting under way.

    Pages past the meetings with a seat left, a list where nearly every meeting is full, and
    `open_only` (whose count reads every listed meeting's row) cost more: the walks pass over more
    meetings. The usual first page does not. What the clock changes (a meeting ends, a sign-up
    closes) is decided by each query with `now`: nothing here is kept between requests."""

    def __init__(self, *, user=None, customer=None, kind="", month=None, open_only=False, now=None):
        self.user, self.month, self.open_only = user, month, open_only
        self.now = now or timezone.now()
        meetings = Meeting.objects.filter(status=Meeting.Status.SCHEDULED)
        if customer is not None:
            meetings = meetings.filter(customer=customer)
        if kind:
            meetings = meetings.filter(kind=kind)
        self.meetings = meetings
        self._total = self._first = None

    def _open(self, meetings):
        meetings = meetings.filter(seats_taken__lt=F("seats"))
        return meetings.filter(signup_closes_at__gt=self.now) if self.open_only else meetings

    def count(self):
        if self._total is None:
            if self.month:
                listed = self.meetings.filter(starts_at__gte=self.month[0], starts_at__lt=self.month[1])
            else:
                listed = self.meetings.filter(ends_at__gt=self.now)
            if self.open_only:
                listed = self._open(listed)
            found = listed.aggregate(total=Count("*"), first=Min("starts_at"))
            self._total, self._first = found["total"], found["first"]
        return self._total

    def _listed_from_first(self):
        """The listed meetings as a range of meeting_start_idx, so a walk can stop at a page."""
        meetings = self.meetings.filter(starts_at__gte=self._first)
        if self.month:
            return meetings.filter(starts_at__lt=self.month[1])
        if self._first <= self.now:  # a meeting is under way: skip those that began after it and ended
            return meetings.filter(Q(starts_at__gt=self.now) | Q(ends_at__gt=self.now))
        return meetings  # all start after now, so none has ended

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("MeetingList is read a page (a slice) at a time")
        low, high = key.start or 0, self.count() if key.stop is None else key.stop
        if not self.count() or high <= low:
            return []
        listed = self._listed_from_first()
        meetings = self._walk(self._open(listed), low, high)
        if len(meetings) < high - low and not self.open_only:
            # Where the full meetings begin: known from this walk unless the page starts past it.
            opened = low + len(meetings) if meetings or not low else self._open(listed).count()
            meetings += self._walk(listed.filter(seats_taken__gte=F("seats")), max(low - opened, 0), high - opened)
        return meetings

    def _walk(self, meetings, low, high):
        meetings = meetings.order_by("starts_at", "id")
        if low:  # PostgreSQL would count the waitlist of every row OFFSET skips: pick the page's ids first
            meetings, low, high = Meeting.objects.filter(pk__in=meetings.values("pk")[low:high]), 0, None
        meetings = with_counts(meetings.select_related("customer", "host"))
        if self.user is not None:
            mine = Seat.objects.filter(meeting=OuterRef("pk"), user=self.user).order_by().values("status")
            meetings = meetings.annotate(my_status=Subquery(mine))
        return list(
            # what a card shows, and its `updated_at` for the card's cache key
            meetings.only("kind", "title", "starts_at", "seats", "seats_taken", "updated_at", "customer__name", "host__name")
            .order_by("starts_at", "id")[low:high]
        )


def meeting_detail(pk):
    return with_counts(Meeting.objects.select_related("customer", "host")).get(pk=pk)


def my_seat(*, meeting, user):
    """My seat (or None), with `position` on the waitlist when waitlisted. One query."""
    ahead = Seat.objects.filter(meeting=OuterRef("meeting"), status=WAITLISTED).filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
    )
    seat = (
        Seat.objects.filter(meeting=meeting, user=user)
        .annotate(ahead=Subquery(ahead.values("meeting").annotate(n=Count("id")).values("n")[:1]))
        .first()
    )
    if seat is not None:
        seat.position = (seat.ahead or 0) + 1 if seat.status == WAITLISTED else None
    return seat


def meeting_people(meeting):
    """Listeners and waitlist in order, for the host; the waitlist starts with those offered a seat
    (they were first in it). One query."""
    seats = list(
        meeting.seat_set.filter(status__in=Seat.ACTIVE).select_related("user__team").order_by("created_at", "id")
    )
    return [s for s in seats if s.status == CONFIRMED], [s for s in seats if s.status != CONFIRMED]


def attendance_seats(meeting):
    """The confirmed listeners, for the host's attendance screen. One query."""
    return list(
        meeting.seat_set.filter(status=CONFIRMED).select_related("user__team").order_by("user__name", "id")
    )


def meeting_debriefs(*, meeting, user):
    return list(
        Debrief.objects.filter(seat__meeting=meeting)
        .select_related("seat__user__team")
        .annotate(
            helpful_count=Count("reactions"),
            i_found_helpful=Exists(DebriefReaction.objects.filter(debrief=OuterRef("pk"), user=user)),
        )
        .order_by("created_at", "id")
    )


# Quotas -----------------------------------------------------------------------------------------


def year_bounds(now=None):
    """Start of this year and of the next, in the active time zone."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, start.replace(year=start.year + 1)


def quota():
    return settings.LIFELINE_MEETING_QUOTA


def expected_by_now(now=None, quota_value=None):
    """The quota prorated to the end of the current month, rounded up: with a quota of 2,
    1 meeting is expected by the end of June and 2 from July on."""
    quota_value = quota() if quota_value is None else quota_value
    return math.ceil(quota_value * timezone.localtime(now or timezone.now()).month / 12)


QUOTA_MET, ON_TRACK, BEHIND = "met", "on_track", "behind"
QUOTA_LABELS = {
    QUOTA_MET: _("Quota met"),
    ON_TRACK: _("On track"),
    BEHIND: _("Behind"),
}


def quota_status(*, attended, booked, now=None, quota_value=None):
    """Met: attended at least the quota this year. On track: attended plus booked this year is at
    least the quota prorated to the end of this month. Behind: anything less."""
    quota_value = quota() if quota_value is None else quota_value
    if attended >= quota_value:
        return QUOTA_MET
    if attended + booked >= expected_by_now(now, quota_value):
        return ON_TRACK
    return BEHIND


ATTENDANCE_RULE = _(
    "A meeting counts once it has taken place and the host has marked you as attending. Until the host "
    "marks attendance, a meeting you had a seat at counts provisionally."
)


def counts_as_attended(prefix=""):
    """Q for a seat (reached through `prefix`) that counts as an attended meeting once the meeting has
    ended: confirmed, and not marked a no-show. A seat whose attendance is not marked yet counts
    (provisionally): the host's attendance screen starts with every confirmed listener ticked."""
    return Q(**{f"{prefix}status": CONFIRMED}) & ~Q(**{f"{prefix}attendance": NO_SHOW})


def _year_counts(now):
    """attended/booked annotations on User: confirmed seats at meetings that start this year; attended
    leaves out no-shows (see counts_as_attended)."""
    start, end = year_bounds(now)
    base = Q(meeting_seats__status=CONFIRMED, meeting_seats__meeting__status=Meeting.Status.SCHEDULED,
             meeting_seats__meeting__starts_at__gte=start, meeting_seats__meeting__starts_at__lt=end)
    return {
        "attended": Count(
            "meeting_seats",
            filter=base & counts_as_attended("meeting_seats__") & Q(meeting_seats__meeting__ends_at__lte=now),
        ),
        "booked": Count("meeting_seats", filter=base & Q(meeting_seats__meeting__ends_at__gt=now)),
    }


def my_meetings(*, user, now=None):
    """My upcoming seats (confirmed, offered or waitlisted), this year's meetings I had a seat at with
    their attendance (mine only: no-shows are seen by the person, the host and admins), and the counts."""
    now = now or timezone.now()
    start, end = year_bounds(now)
    seats = list(
        Seat.objects.filter(user=user, status__in=Seat.ACTIVE, meeting__status=Meeting.Status.SCHEDULED)
        .filter(Q(meeting__ends_at__gt=now) | Q(meeting__starts_at__gte=start, status=CONFIRMED))
        .select_related("meeting__customer", "meeting__host")
        .annotate(has_debrief=Exists(Debrief.objects.filter(seat=OuterRef("pk"))))
        .order_by("meeting__starts_at", "id")
    )
    upcoming = [s for s in seats if s.meeting.ends_at > now]
    past = [s for s in seats if s.meeting.ends_at <= now]
    counted = [s for s in past if s.meeting.starts_at < end and not s.is_no_show]
    attended = len(counted)
    provisional = len([s for s in counted if s.meeting.attendance_marked_at is None])
    booked = len([s for s in upcoming if s.status == CONFIRMED and s.meeting.starts_at < end])
    return {
        "upcoming": upcoming, "past": list(reversed(past)), "attended": attended, "booked": booked,
        "provisional": provisional, "attendance_rule": ATTENDANCE_RULE,
        "quota": quota(), "expected": expected_by_now(now), "status": quota_status(attended=attended, booked=booked, now=now),
    }


def team_leaders(*, team, now=None):
    """The team's leaders, each with attended/booked counts for this year and a quota status."""
    from portal.models import User

    now = now or timezone.now()
    leaders = list(
        User.objects.filter(team=team, role=User.Role.LEADER, is_active=True)
        .annotate(**_year_counts(now))
        .order_by("name", "id")
    )
    for leader in leaders:
        leader.quota_status = quota_status(attended=leader.attended, booked=leader.booked, now=now)
        leader.quota_label = QUOTA_LABELS[leader.quota_status]
    return leaders


# Registered sections --------------------------------------------------------------------------


def customer_section_context(customer, user=None, *, limit=5):
    """The customer page: the next and the last `limit` meetings with this customer, in one query.
    Each side is a LIMIT walk of meeting_customer_idx in an IN (…) subquery, and seats and debriefs
    are counted for the rows shown only, so a customer with hundreds of meetings costs the same as
    one with two. Nothing in it is the viewer's (`user` is the section's calling convention)."""
    now = timezone.now()
    meetings = Meeting.objects.filter(customer=customer, status=Meeting.Status.SCHEDULED)
    upcoming = meetings.filter(ends_at__gt=now).order_by("starts_at", "id").values("pk")[:limit]
    past = meetings.filter(ends_at__lte=now).order_by("-starts_at", "-id").values("pk")[:limit]
    debriefs = Debrief.objects.filter(seat__meeting=OuterRef("pk")).order_by().values("seat__meeting")
    rows = list(
        meetings.filter(Q(pk__in=upcoming) | Q(pk__in=past))  # the customer again: its index, not every meeting
        .only("id", "title", "starts_at", "ends_at", "seats", "seats_taken")  # what the section shows
        .annotate(debrief_count=Coalesce(Subquery(debriefs.annotate(n=Count("*")).values("n")), 0))
        .order_by("starts_at", "id")
    )
    return {
        "upcoming": [m for m in rows if m.ends_at > now],
        "past": [m for m in reversed(rows) if m.ends_at <= now],
    }


OWED_FOR = datetime.timedelta(days=60)  # a debrief not written by then is no longer asked for


def home_panel(user, *, now=None, upcoming=3):
    """Home: seats offered to me and held until a deadline, the debriefs I owe (a confirmed seat at a
    meeting that ended in the last 60 days, not marked a no-show, no debrief yet) and my next
    `upcoming` seats, confirmed or waitlisted, at meetings not yet ended. One query of at most ten
    seats, by start; None when there is nothing to show."""
    if not user.is_authenticated:
        return None
    now = now or timezone.now()
    seats = list(
        Seat.objects.filter(user=user, status__in=Seat.ACTIVE, meeting__status=Meeting.Status.SCHEDULED)
        .filter(
            Q(meeting__ends_at__gt=now)
            | Q(status=CONFIRMED, meeting__ends_at__gt=now - OWED_FOR) & ~Q(attendance=NO_SHOW)
            & ~Exists(Debrief.objects.filter(seat=OuterRef("pk")))
        )
        .select_related("meeting__customer")
        .only("status", "offer_expires_at", "attendance", "meeting__title", "meeting__starts_at",
              "meeting__ends_at", "meeting__customer__name")
        .order_by("meeting__starts_at", "id")[:10]
    )
    offers = [seat for seat in seats if seat.offer_live(now)]
    for seat in offers:
        seat.offer_url = offer_path(seat)
    owed = [seat for seat in seats if seat.meeting.ends_at <= now]
    coming = [seat for seat in seats if seat.meeting.ends_at > now and seat.status != OFFERED][:upcoming]
    return {"offers": offers, "owed": owed, "upcoming": coming} if offers or owed or coming else None


def feed_meetings(*, user, now=None):
    """The calendar feed: meetings I host or hold a confirmed seat at, from 90 days back."""
    now = now or timezone.now()
    mine = Seat.objects.filter(meeting=OuterRef("pk"), user=user, status=CONFIRMED)
    return list(
        Meeting.objects.filter(Q(host=user) | Q(Exists(mine)), ends_at__gt=now - datetime.timedelta(days=90))
        .select_related("customer", "host")
        .order_by("starts_at", "id")[:500]
    )


# The listener brief --------------------------------------------------------------------------

BRIEF_SURPRISES = 3
# How much of each FORD note the brief shows: less when more people attend than the key contacts it
# shows otherwise, so the printed page holds as many people as the host may tick (BRIEF_ATTENDING).
BRIEF_FORD_CHARS = 70
BRIEF_FORD_CHARS_CROWDED = 30
BRIEF_HELP_WORDS = 50
BRIEF_SURPRISE_CHARS = 160


def brief_surprises(customer, user=None, *, limit=BRIEF_SURPRISES):
    """The listener brief's part (customers.brief): "what surprised us" from the newest debriefs of
    past meetings with the customer, trimmed, with who wrote it and when the meeting was. Debriefs
    are read by every colleague on the meeting page, so nothing here depends on `user`. One query."""
    rows = list(
        Debrief.objects.filter(seat__meeting__customer=customer, seat__meeting__status=Meeting.Status.SCHEDULED)
        .exclude(surprises="")
        .only("id", "surprises", "seat__meeting__id", "seat__meeting__starts_at", "seat__user__name")
        .select_related("seat__meeting", "seat__user")
        .order_by("-seat__meeting__starts_at", "-created_at", "-id")[:limit]
    )
    if not rows:
        return None
    return {
        "items": [
            {
                "title": "",
                "url": "",
                "text": Truncator(debrief.surprises).chars(BRIEF_SURPRISE_CHARS),
                "meta": [debrief.seat.user.name, date_format(timezone.localtime(debrief.seat.meeting.starts_at), "DATE_FORMAT")],
            }
            for debrief in rows
        ]
    }


def attending_contacts(meeting):
    """Who attends `meeting` from the customer, by name and role only (the meeting page shows them to
    every colleague; their FORD notes are the brief's). One query."""
    return list(meeting.customer_contacts.only("id", "name", "role").order_by("-is_key", "name", "id"))


def meeting_brief(meeting, user):
    """Everything the listener brief shows for `meeting` (selectors.meeting_detail's row), for `user`,
    who may see it (`meeting.brief`): the customer's profile (on the meeting's row already), the
    people who attend from the customer (`attending` True), or when the host picked none the people we
    know there (`attending` False), with their FORD notes when `user` may read them, and the parts
    other apps register in customers.brief (stories, open decisions, debriefs' surprises, pulse
    figures). A fixed number of queries whoever attends; the caller records the FORD notes shown
    (customers.services.contacts_viewed)."""
    customer = meeting.customer
    attending, contacts = brief_contacts(
        customer, attending=Meeting.customer_contacts.through.objects.filter(meeting_id=meeting.pk).values("contact_id")
    )
    return {
        "meeting": meeting,
        "customer": customer,
        "attending": attending,
        "contacts": contacts,
        "ford_chars": BRIEF_FORD_CHARS if len(contacts) <= BRIEF_CONTACTS else BRIEF_FORD_CHARS_CROWDED,
        "show_ford": can(user, "customer.view", customer),
        "how_we_help_text": plain_excerpt(customer.how_we_help_html, BRIEF_HELP_WORDS),  # for emails
        "parts": brief_parts_for(customer, user),
    }


# -- the customer timeline (customers.timeline) -----------------------------------------------------


def timeline_meetings(customer, user, *, before, since, until, kinds, limit):
    """The customer's meetings, by start, for the shared timeline. One query."""
    from customers.timeline import Entry, keyset_q, window_q

    rows = (
        Meeting.objects.filter(customer=customer)
        .filter(keyset_q(before, order=30, at="starts_at"), window_q(since=since, until=until, at="starts_at"))
        .annotate(host_name=F("host__name"))
        .only("id", "title", "status", "starts_at")
        .order_by("-starts_at", "-id")[:limit]
    )
    return [
        Entry(at=m.starts_at, source="meetings", pk=m.pk, title=m.title, url=m.get_absolute_url(),
              kind=m.status, kind_label=str(m.get_status_display()) if m.status != Meeting.Status.SCHEDULED else "",
              actor=m.host_name or "")
        for m in rows
    ]


def timeline_debriefs(customer, user, *, before, since, until, kinds, limit):
    """Debriefs of the customer's meetings, by when they were written, for the shared timeline. One query."""
    from django.urls import reverse

    from customers.timeline import Entry, keyset_q, window_q

    rows = (
        Debrief.objects.filter(seat__meeting__customer=customer)
        .filter(keyset_q(before, order=35, at="created_at"), window_q(since=since, until=until, at="created_at"))
        .annotate(meeting_id=F("seat__meeting_id"), meeting_title=F("seat__meeting__title"), author_name=F("seat__user__name"))
        .only("id", "goals_and_needs", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Entry(at=d.created_at, source="debriefs", pk=d.pk, title=d.meeting_title,
              url=reverse("meetings:detail", kwargs={"pk": d.meeting_id}),
              detail=Truncator(d.goals_and_needs).chars(200), actor=d.author_name or "")
        for d in rows
    ]
