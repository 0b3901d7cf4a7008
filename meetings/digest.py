"""The weekly digest's meeting sections and the scheduled meeting reminders. Called by digests
(see digests/sections.py): `prepare` runs a fixed number of queries for a batch of people; each
`pick_*` chooses one person's part in Python."""

import datetime
import functools
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import Follow
from customers.services import contacts_viewed
from portal.lib.dates import zone_of
from portal.lib.emails import Attachment
from portal.permissions import can

from .models import Meeting, Seat
from .offers import offer_path

HORIZON = datetime.timedelta(weeks=3)  # "upcoming" means the next three weeks
OWED_WINDOW = datetime.timedelta(days=60)  # debriefs still worth asking for
LIMIT = 5
OPEN_CANDIDATES = 100
CONFIRMED, WAITLISTED, OFFERED = Seat.Status.CONFIRMED, Seat.Status.WAITLISTED, Seat.Status.OFFERED
# What the digest shows of a meeting (not the briefing and other texts).
MEETING_FIELDS = ("id", "title", "starts_at", "ends_at", "seats", "customer_id", "host_id")


def _absolute(obj):
    try:
        return settings.SITE_URL + _path(obj.pk)
    except NoReverseMatch:
        return settings.SITE_URL + "/"


@functools.lru_cache(maxsize=4096)  # batches share meetings; the path of an id never changes
def _path(meeting_id):
    """Meeting.get_absolute_url() from an id alone."""
    return reverse("meetings:detail", kwargs={"pk": meeting_id})  # NoReverseMatch is raised, not cached


def _quota():
    return getattr(settings, "LIFELINE_MEETING_QUOTA", 2)


def _scheduled():
    return Meeting.objects.filter(status=Meeting.Status.SCHEDULED)


def _meeting_values(prefix=""):
    """values() arguments for what the digest shows of a meeting (plain rows: batches are many)."""
    return {f"m_{name}": F(f"{prefix}{name}") for name in MEETING_FIELDS} | {
        "m_customer": F(f"{prefix}customer__name")
    }


def _meeting(row):
    meeting = SimpleNamespace(**{key[2:]: value for key, value in row.items() if key.startswith("m_")})
    meeting.pk = meeting.id
    meeting.digest_url = _absolute(meeting)
    return meeting


def prepare(users, since_by_user, now):
    """Five queries whatever the number of people: meetings with open seats, the batch's own seats
    (upcoming and owed debriefs), the meetings they host, their follows, and leaders' year counts."""
    horizon = now + HORIZON
    open_meetings = []
    for row in (
        _scheduled()
        .filter(starts_at__gt=now, starts_at__lte=horizon, signup_closes_at__gt=now)
        .filter(seats_taken__lt=F("seats"))  # the column the seat services keep: no join, no GROUP BY
        .values(confirmed_count=F("seats_taken"), **_meeting_values())
        .order_by("starts_at", "id")[:OPEN_CANDIDATES]
    ):
        meeting = _meeting(row)
        meeting.confirmed_count = row["confirmed_count"]
        open_meetings.append(meeting)
    seats = [
        SimpleNamespace(
            pk=row["id"], user_id=row["user_id"], status=row["status"], offer_expires_at=row["offer_expires_at"],
            meeting_id=row["m_id"], meeting=_meeting(row),
        )
        for row in Seat.objects.filter(
            user__in=users, status__in=Seat.ACTIVE, meeting__status=Meeting.Status.SCHEDULED
        )
        .filter(
            Q(meeting__ends_at__gt=now)
            | Q(status=CONFIRMED, debrief__isnull=True, meeting__ends_at__gt=now - OWED_WINDOW)
            & ~Q(attendance=Seat.Attendance.NO_SHOW)
        )
        .values("id", "user_id", "status", "offer_expires_at", **_meeting_values("meeting__"))
        .order_by("meeting__starts_at", "id")
    ]
    hosted = [
        _meeting(row)
        for row in _scheduled()
        .filter(host__in=users, ends_at__gt=now, starts_at__lte=horizon)
        .values(**_meeting_values())
        .order_by("starts_at", "id")
    ]
    follows = set(
        Follow.objects.filter(
            user__in=users, customer_id__in={m.customer_id for m in open_meetings}
        ).values_list("user_id", "customer_id")
    )
    leaders = [u for u in users if u.is_leader]
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    year_end = year_start.replace(year=year_start.year + 1)
    counts = {
        row["user_id"]: row
        for row in Seat.objects.filter(
            user__in=leaders,
            status=CONFIRMED,
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gte=year_start,
            meeting__starts_at__lt=year_end,
        )
        .values("user_id")
        .annotate(
            # a no-show is not an attended meeting (meetings.selectors.counts_as_attended)
            attended=Count("id", filter=Q(meeting__ends_at__lte=now) & ~Q(attendance=Seat.Attendance.NO_SHOW)),
            booked=Count("id", filter=Q(meeting__ends_at__gt=now)),
        )
        .order_by()
    }
    by_user = {}
    for seat in seats:
        by_user.setdefault(seat.user_id, []).append(seat)
    hosted_by = {}
    for meeting in hosted:
        hosted_by.setdefault(meeting.host_id, []).append(meeting)
    return {
        "open": open_meetings,
        "seats": by_user,
        "hosted": hosted_by,
        "follows": follows,
        "counts": counts,
    }


def _item(meeting, detail, tag=""):
    return {
        "title": meeting.title,
        "url": meeting.digest_url,
        "customer": meeting.customer,
        "when": meeting.starts_at,
        "detail": detail,
        "tag": tag,
    }


def _limited(rows, make_item):
    """The first LIMIT rows as items (only those are built), and how many more there are."""
    if not rows:
        return None
    return {"items": [make_item(row) for row in rows[:LIMIT]], "more": max(len(rows) - LIMIT, 0)}


def pick_open_seats(data, user, since, now):
    """Meetings in the next three weeks with a free listener seat that `user` neither hosts nor holds:
    customers they follow first, then soonest."""
    if not can(user, "meeting.signup"):  # the same rule as the sign-up button (portal/permissions.py)
        return None
    mine = {s.meeting_id for s in data["seats"].get(user.pk, [])}
    rows = [m for m in data["open"] if m.host_id != user.pk and m.pk not in mine]
    rows.sort(key=lambda m: ((user.pk, m.customer_id) not in data["follows"], m.starts_at, m.pk))

    def make_item(meeting):
        left = meeting.seats - meeting.confirmed_count
        detail = ngettext("%(count)s seat left", "%(count)s seats left", left) % {"count": left}
        tag = _("A customer you follow") if (user.pk, meeting.customer_id) in data["follows"] else ""
        return _item(meeting, detail, tag)

    return _limited(rows, make_item)


def pick_seat_offers(data, user, since, now):
    """Seats freed up and held for `user` from the waitlist, with the deadline to accept: the item links
    to the offer's page (signed, as in the offer email), where Accept and Decline are."""
    rows = [
        seat for seat in data["seats"].get(user.pk, [])
        if seat.status == OFFERED and seat.offer_expires_at and seat.offer_expires_at > now
    ]

    def make_item(seat):
        deadline = formats.date_format(timezone.localtime(seat.offer_expires_at), "DATETIME_FORMAT")
        item = _item(seat.meeting, _("Your seat is held until %(deadline)s.") % {"deadline": deadline},
                     _("Accept or decline"))
        item["url"] = settings.SITE_URL + offer_path(seat)
        return item

    return _limited(rows, make_item)


def pick_my_meetings(data, user, since, now):
    """Meetings `user` listens in on (or waits for) and hosts in the next three weeks."""
    if not can(user, "meeting.view"):
        return None
    horizon = now + HORIZON
    rows = [
        (seat.meeting, seat.status)
        for seat in data["seats"].get(user.pk, [])
        if now < seat.meeting.ends_at and seat.meeting.starts_at <= horizon and seat.status != OFFERED
    ]
    rows += [(meeting, "host") for meeting in data["hosted"].get(user.pk, [])]
    rows.sort(key=lambda row: (row[0].starts_at, row[0].pk))
    details = {
        CONFIRMED: _("Your seat is confirmed"),
        WAITLISTED: _("You are on the waitlist"),
        "host": _("You host this meeting"),
    }
    return _limited(rows, lambda row: _item(row[0], details[row[1]]))


def pick_debriefs(data, user, since, now):
    """Meetings `user` listened in on that ended without their debrief."""
    rows = [
        s for s in data["seats"].get(user.pk, [])
        if s.status == CONFIRMED and s.meeting.ends_at <= now and can(user, "debrief.write", s)
    ]
    detail = _("Tell your team what you learned")
    return _limited(rows, lambda seat: _item(seat.meeting, detail))


def pick_quota(data, user, since, now):
    """Leaders only: customer meetings attended this year against the quota."""
    if not user.is_leader:
        return None
    row = data["counts"].get(user.pk, {})
    attended, booked, quota = row.get("attended", 0), row.get("booked", 0), _quota()
    note = ngettext(
        "You have listened in on %(attended)s of your %(quota)s customer meeting this year.",
        "You have listened in on %(attended)s of your %(quota)s customer meetings this year.",
        quota,
    ) % {"attended": attended, "quota": quota}
    if booked:
        note += " " + ngettext("%(count)s more is booked.", "%(count)s more are booked.", booked) % {
            "count": booked
        }
    elif attended < quota:
        note += " " + _("Pick one from the open seats.")
    return {"items": [], "note": note}


# Reminders ------------------------------------------------------------------------------------


def meetings_tomorrow(now):
    """[(user_id, meeting_id)]: confirmed listeners of meetings that start 12 to 36 hours from now. One query."""
    return list(
        Seat.objects.filter(
            status=CONFIRMED,
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gt=now + datetime.timedelta(hours=12),
            meeting__starts_at__lte=now + datetime.timedelta(hours=36),
        ).values_list("user_id", "meeting_id")
    )


def load_meeting_tomorrow(user, meeting_id, now):
    """Context and calendar file for the reminder, or None when the seat or the meeting is gone."""
    from . import ical

    seat = (
        Seat.objects.filter(
            meeting_id=meeting_id, user=user, status=CONFIRMED, meeting__status=Meeting.Status.SCHEDULED
        )
        .filter(meeting__starts_at__gt=now)
        .select_related("meeting__customer", "meeting__host")
        .first()
    )
    if seat is None:
        return None
    meeting = seat.meeting
    attachment = Attachment("invite.ics", ical.invitation(meeting, user), "text/calendar; method=REQUEST")
    return {
        "context": {"meeting": meeting, "seat": seat, "url": _absolute(meeting), **_brief(meeting, user)},
        "attachments": [attachment],
    }


def _brief(meeting, user):
    """The listener brief for the reminder (a confirmed listener may read it: `meeting.brief`), its
    dates and words in the listener's own language and zone, and the FORD notes it shows recorded as
    seen by them, as when they open the brief's page."""
    from . import selectors

    zone = zone_of(user.time_zone)
    with translation.override(user.language or None), timezone.override(zone):
        brief = selectors.meeting_brief(meeting, user)
    if brief["show_ford"]:
        contacts_viewed(by=user, customer=meeting.customer, contacts=brief["contacts"])
    return {"brief": brief, "brief_url": settings.SITE_URL + reverse("meetings:brief", kwargs={"pk": meeting.pk})}


def debriefs_due(now):
    """[(user_id, seat_id)]: confirmed listeners whose meeting ended 2 to 14 days ago with no debrief. One query."""
    return list(
        Seat.objects.filter(
            status=CONFIRMED,
            meeting__status=Meeting.Status.SCHEDULED,
            debrief__isnull=True,
            meeting__ends_at__lte=now - datetime.timedelta(days=2),
            meeting__ends_at__gt=now - datetime.timedelta(days=14),
        ).values_list("user_id", "id")
    )


def load_debrief_due(user, seat_id, now):
    seat = (
        Seat.objects.filter(pk=seat_id, user=user, status=CONFIRMED, debrief__isnull=True)
        .select_related("meeting__customer")
        .first()
    )
    if seat is None:
        return None
    return {"context": {"meeting": seat.meeting, "seat": seat, "url": _absolute(seat.meeting)}}
