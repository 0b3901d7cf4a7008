"""Reads for customer meetings, with their joins applied. Each runs a fixed number of queries."""

import datetime
import math

from django.conf import settings
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Debrief, DebriefReaction, Meeting, Seat

CONFIRMED, WAITLISTED = Seat.Status.CONFIRMED, Seat.Status.WAITLISTED


def with_counts(meetings):
    """Annotate confirmed_count and waitlist_count (one GROUP BY, no per-row queries)."""
    return meetings.annotate(
        confirmed_count=Count("seat_set", filter=Q(seat_set__status=CONFIRMED)),
        waitlist_count=Count("seat_set", filter=Q(seat_set__status=WAITLISTED)),
    )


def meeting_list(*, user, customer=None, kind="", month=None, open_only=False, now=None):
    """Scheduled meetings, those with open seats first, then by start.

    Without `month` only meetings that have not ended; `month` is a (first day, next first day)
    pair of aware datetimes in the viewer's zone."""
    now = now or timezone.now()
    meetings = with_counts(
        Meeting.objects.filter(status=Meeting.Status.SCHEDULED).select_related("customer", "host")
    ).annotate(
        my_status=Subquery(Seat.objects.filter(meeting=OuterRef("pk"), user=user).values("status")[:1]),
        is_full=Case(When(confirmed_count__lt=F("seats"), then=Value(0)), default=Value(1), output_field=IntegerField()),
    )
    if month:
        meetings = meetings.filter(starts_at__gte=month[0], starts_at__lt=month[1])
    else:
        meetings = meetings.filter(ends_at__gt=now)
    if customer is not None:
        meetings = meetings.filter(customer=customer)
    if kind:
        meetings = meetings.filter(kind=kind)
    if open_only:
        meetings = meetings.filter(confirmed_count__lt=F("seats"), signup_closes_at__gt=now)
    return meetings.order_by("is_full", "starts_at", "id")


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
    """Listeners and waitlist in order, for the host. One query."""
    seats = list(
        meeting.seat_set.filter(status__in=Seat.ACTIVE).select_related("user__team").order_by("created_at", "id")
    )
    return [s for s in seats if s.status == CONFIRMED], [s for s in seats if s.status == WAITLISTED]


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


def _year_counts(now):
    """attended/booked annotations on User: confirmed seats at meetings that start this year."""
    start, end = year_bounds(now)
    base = Q(meeting_seats__status=CONFIRMED, meeting_seats__meeting__status=Meeting.Status.SCHEDULED,
             meeting_seats__meeting__starts_at__gte=start, meeting_seats__meeting__starts_at__lt=end)
    return {
        "attended": Count("meeting_seats", filter=base & Q(meeting_seats__meeting__ends_at__lte=now)),
        "booked": Count("meeting_seats", filter=base & Q(meeting_seats__meeting__ends_at__gt=now)),
    }


def my_meetings(*, user, now=None):
    """My upcoming seats (confirmed or waitlisted), this year's attended meetings, and the counts."""
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
    attended = len([s for s in past if s.meeting.starts_at < end])
    booked = len([s for s in upcoming if s.status == CONFIRMED and s.meeting.starts_at < end])
    return {
        "upcoming": upcoming, "past": list(reversed(past)), "attended": attended, "booked": booked,
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


def customer_section_context(customer, user):
    """The customer page: upcoming and past meetings with this customer (two queries)."""
    now = timezone.now()
    meetings = with_counts(
        Meeting.objects.filter(customer=customer, status=Meeting.Status.SCHEDULED).select_related("host")
    ).annotate(debrief_count=Count("seat_set__debrief", distinct=True))
    return {
        "upcoming": list(meetings.filter(ends_at__gt=now).order_by("starts_at", "id")[:5]),
        "past": list(meetings.filter(ends_at__lte=now).order_by("-starts_at", "-id")[:5]),
    }


def home_panel_context(user):
    """Home page: debriefs I still owe, and my next meetings. None when there is nothing to show."""
    if not user.is_authenticated:
        return None
    now = timezone.now()
    seats = list(
        Seat.objects.filter(user=user, status__in=Seat.ACTIVE, meeting__status=Meeting.Status.SCHEDULED)
        .filter(
            Q(meeting__ends_at__gt=now)
            | Q(status=CONFIRMED, debrief__isnull=True, meeting__ends_at__gt=now - datetime.timedelta(days=60))
        )
        .select_related("meeting__customer")
        .order_by("meeting__starts_at", "id")[:10]
    )
    owed = [s for s in seats if s.meeting.ends_at <= now]
    upcoming = [s for s in seats if s.meeting.ends_at > now][:3]
    if not owed and not upcoming:
        return None
    return {"owed": owed, "upcoming": upcoming}


def feed_meetings(*, user, now=None):
    """The calendar feed: meetings I host or hold a confirmed seat at, from 90 days back."""
    now = now or timezone.now()
    mine = Seat.objects.filter(meeting=OuterRef("pk"), user=user, status=CONFIRMED)
    return list(
        Meeting.objects.filter(Q(host=user) | Q(Exists(mine)), ends_at__gt=now - datetime.timedelta(days=90))
        .select_related("customer", "host")
        .order_by("starts_at", "id")[:500]
    )


def meeting_customers():
    """Customers with at least one meeting, for the list's filter (one query)."""
    from customers.models import Customer

    return Customer.objects.filter(Exists(Meeting.objects.filter(customer=OuterRef("pk")))).order_by("name")
