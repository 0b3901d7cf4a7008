"""Reads for digests: who is due, and the delivery records."""

import datetime

from django.db.models import Q
from django.utils import timezone

from portal.lib.dates import zone_of
from portal.models import User

from .models import DEFAULT_HOUR, DEFAULT_WEEKDAY, Delivery, Kind


def digest_period(time_zone, now):
    """The ISO week in the person's own zone, e.g. "2026-W48": one digest per person per period."""
    year, week, _day = now.astimezone(zone_of(time_zone)).isocalendar()
    return f"{year}-W{week:02d}"


def week_slot(local, weekday, hour):
    """The moment of the digest's weekday and hour in the ISO week of `local` (an aware datetime in the
    person's zone)."""
    day = local.date() + datetime.timedelta(days=weekday - local.weekday())
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=local.tzinfo)


def due_users(*, now=None):
    """Ids of active people whose chosen weekday and hour have come this week in their own zone
    and who have no digest done (sent, nothing to send, failed) or in flight for this week.
    Two queries whatever the number of people; a send time missed while nothing ran is still
    honoured later in the same week, but not one that passed before the person's account existed:
    their first digest comes at their first send time after they joined."""
    now = now or timezone.now()
    rows = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(notification_preferences__isnull=True) | Q(notification_preferences__digest_enabled=True))
        .values_list(
            "id",
            "time_zone",
            "notification_preferences__digest_weekday",
            "notification_preferences__digest_hour",
            "date_joined",
        )
        .order_by("id")
    )
    local_by_zone, candidates = {}, []
    for user_id, zone, weekday, hour, joined in rows:
        if zone not in local_by_zone:
            local_by_zone[zone] = now.astimezone(zone_of(zone))
        local = local_by_zone[zone]
        weekday = DEFAULT_WEEKDAY if weekday is None else weekday
        hour = DEFAULT_HOUR if hour is None else hour
        if (local.weekday(), local.hour) >= (weekday, hour) and joined <= week_slot(local, weekday, hour):
            candidates.append((user_id, digest_period(zone, now)))
    if not candidates:
        return []
    stale = timezone.now() - Delivery.STALE_AFTER  # claims are stamped with the real clock
    busy = set(
        Delivery.objects.filter(kind=Kind.DIGEST, period__in={period for _id, period in candidates})
        .filter(Q(status__in=Delivery.DONE) | Q(status=Delivery.Status.SENDING, claimed_at__gte=stale))
        .values_list("user_id", "period")
    )
    return [user_id for user_id, period in candidates if (user_id, period) not in busy]


SWITCHED_OFF, NO_ADDRESS, NOT_YET = "switched off", "inactive or no email address", "not yet"
IN_FLIGHT = "being sent right now"
DONE_REASONS = {
    Delivery.Status.SENT: "already sent this week",
    Delivery.Status.SKIPPED: "nothing to say this week (already checked)",
    Delivery.Status.FAILED: "failed this week (see Deliveries in the admin)",
}


def digest_standing(user_ids, *, now=None):
    """{user id: why no digest goes to them now} for those of `user_ids` who are not due: one of the
    reasons above, NOT_YET with their day and hour. Those who are due are left out. Four queries."""
    now = now or timezone.now()
    due = set(due_users(now=now))
    people = list(
        User.objects.filter(pk__in=list(user_ids)).exclude(pk__in=due).values_list(
            "id", "is_active", "email", "time_zone", "notification_preferences__digest_enabled",
            "notification_preferences__digest_weekday", "notification_preferences__digest_hour", "date_joined",
        )
    )
    periods = {pk: digest_period(zone, now) for pk, _a, _e, zone, *_rest in people}
    deliveries = {
        (user_id, period): (status, claimed_at)
        for user_id, period, status, claimed_at in Delivery.objects.filter(
            kind=Kind.DIGEST, user_id__in=list(periods), period__in=set(periods.values())
        ).values_list("user_id", "period", "status", "claimed_at")
    }
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    reasons = {}
    for pk, active, email, zone, enabled, weekday, hour, joined in people:
        status, _claimed = deliveries.get((pk, periods[pk]), (None, None))
        if not active or not email:
            reasons[pk] = NO_ADDRESS
        elif enabled is False:
            reasons[pk] = SWITCHED_OFF
        elif status in DONE_REASONS:
            reasons[pk] = DONE_REASONS[status]
        elif status == Delivery.Status.SENDING:
            reasons[pk] = IN_FLIGHT
        else:
            weekday = DEFAULT_WEEKDAY if weekday is None else weekday
            hour = DEFAULT_HOUR if hour is None else hour
            when = f"{days[weekday]} {hour:02d}:00 {zone or 'UTC'}"
            if joined > week_slot(now.astimezone(zone_of(zone)), weekday, hour):
                reasons[pk] = f"{NOT_YET}: joined after this week's, first one {when}"
            else:
                reasons[pk] = f"{NOT_YET}: due {when}"
    return reasons


def recent_deliveries(user, limit=10):
    return list(Delivery.objects.filter(user=user).order_by("-created_at", "-id")[:limit])


VALID, INVALID, STALE, ALREADY = "valid", "invalid", "stale", "already"


def token_subject(token):
    """What an unsubscribe token points at, without changing anything:
    {"state": valid|already|stale|invalid, "owner", "kind", "kind_label"}. The owner is never put in a
    page's context as `user`: that name is the person signed in (or no one), whom base.html shows."""
    from .models import KIND_FIELDS, NotificationPreferences
    from .tokens import read_token

    parsed = read_token(token)
    user = User.objects.filter(pk=parsed[0], is_active=True).first() if parsed else None
    if user is None:
        return {"state": INVALID, "owner": None, "kind": None, "kind_label": ""}
    _user_id, kind, version = parsed
    prefs = NotificationPreferences.objects.filter(user=user).first() or NotificationPreferences(user=user)
    if prefs.version != version:
        state = STALE
    elif not getattr(prefs, KIND_FIELDS[kind]):
        state = ALREADY
    else:
        state = VALID
    return {"state": state, "owner": user, "kind": kind, "kind_label": Kind(kind).label}
