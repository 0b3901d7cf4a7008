"""Writes for customer meetings. Seats and the waitlist change only under a lock on the meeting
row (pretix's rule: lock, then count, then write), so a meeting is never overbooked.

A seat that frees up is not handed over silently: the first person waiting gets an offer, and the
seat is held for them (it counts as taken) until they accept, decline, or let it lapse; then the next
person waiting gets it. Offers, like seats, change only under the meeting's lock, so a seat is never
held by two people and never lost between them."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import BRIEF_ATTENDING
from customers.services import customer_touch
from portal.lib.announcements import MEETING_OPENED, announce
from portal.lib.conflicts import check_unchanged
from portal.lib.tasks import run_after_commit
from portal.permissions import require

from .models import CalendarFeed, Debrief, DebriefReaction, Meeting, Seat
from .selectors import seat_count

log = logging.getLogger(__name__)

# Tests may set this to a callable to widen the window between reading seats (counting them, or reading
# an offer) and writing one.
_after_count = None

MEETING_FIELDS = [
    "customer", "kind", "title", "starts_at", "ends_at", "place", "video_url", "seats", "signup_closes_at", "briefing",
    "offer_hours",
]
HOLDING = Seat.HOLDING


class MeetingBusy(ValidationError):
    """Someone else is changing this meeting's seats right now (lock timeout)."""

    def __init__(self):
        super().__init__(_("Lots of people are signing up right now. Please try again in a moment."), code="busy")


def _locked(meeting_id, *, lock=True):
    """The meeting row, locked until the transaction ends. Call inside transaction.atomic()."""
    queryset = Meeting.objects.select_for_update() if lock else Meeting.objects
    return queryset.select_related("customer", "host").get(pk=meeting_id)


def _enqueue_seat_email(seat_id, reason):
    from .tasks import seat_email_task

    run_after_commit(seat_email_task, seat_id, reason)


def _enqueue_meeting_update(meeting_id):
    from .tasks import meeting_changed_task

    run_after_commit(meeting_changed_task, meeting_id)


def _check_can_host(user):
    require(user, "meeting.create", message=_("Only customer-facing hosts and admins open meetings."))


def _check_can_edit(user, meeting):
    require(user, "meeting.manage", meeting, message=_("Only the host and admins may change this meeting."))


# Meetings ---------------------------------------------------------------------------------------


def _attending(customer, contacts):
    """The people attending from `customer` (Contacts): only its own, at most BRIEF_ATTENDING (the
    listener brief has room for that many on its printed page). Raises ValidationError otherwise."""
    contacts = list(dict.fromkeys(contacts))
    if any(contact.customer_id != customer.pk for contact in contacts):
        raise ValidationError({"customer_contacts": _("Pick only people who work at %(customer)s.") % {"customer": customer.name}})
    if len(contacts) > BRIEF_ATTENDING:
        raise ValidationError({"customer_contacts": _("Pick at most %(count)s people: the listener brief has room for that many.")
                               % {"count": BRIEF_ATTENDING}})
    return contacts


def meeting_create(
    *, by, customer, kind, title, starts_at, ends_at, seats, signup_closes_at,
    place="", video_url="", briefing=None, host=None, now=None, offer_hours=None, customer_contacts=(),
):
    """Open a meeting. `now` lets the demo data record meetings that have already happened;
    `customer_contacts` are the customer's people who attend (the listener brief shows them)."""
    _check_can_host(by)
    now = now or timezone.now()
    meeting = Meeting(
        customer=customer, host=host or by, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at,
        seats=seats, signup_closes_at=signup_closes_at, place=place, video_url=video_url, created_at=now,
    )
    if offer_hours:
        meeting.offer_hours = offer_hours
    if briefing:
        meeting.briefing = briefing
    meeting.full_clean()
    if starts_at <= now:
        raise ValidationError({"starts_at": _("The meeting must start in the future.")})
    attending = _attending(customer, customer_contacts)
    with transaction.atomic():
        meeting.save()
        meeting.customer_contacts.set(attending)
        customer_touch(customer_id=customer.pk)
        if meeting.seats_left():
            announce(MEETING_OPENED, meeting.pk)
    return meeting


def meeting_update(*, by, meeting, customer_contacts=None, seen="", **fields):
    """Change a meeting. Every change to the meeting itself bumps SEQUENCE and sends confirmed listeners
    an update. `customer_contacts` (who attends from the customer) changes only the listener brief, so
    alone it sends nothing; left out while the customer changes, the former customer's people no longer
    attend. `seen`: the fingerprint of the meeting the form was drawn from; when someone (its host, an
    admin) saved it since, nothing is saved (portal.lib.conflicts)."""
    _check_can_edit(by, meeting)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown meeting fields: {sorted(unknown)}")
    with transaction.atomic():
        current = _locked(meeting.pk)
        if current.is_cancelled:
            raise ValidationError(_("This meeting was cancelled; it can no longer be changed."))
        check_unchanged(current, Meeting.EDITED_FIELDS, seen, _(
            "Someone else saved changes to this meeting while you were editing it. Your version is below, not"
            " saved: open the meeting in another tab to compare, then save again to keep yours."))
        changed = [name for name, value in fields.items() if getattr(current, name) != value]
        customer = fields.get("customer", current.customer)
        before = set(current.customer_contacts.values_list("pk", flat=True))
        if customer_contacts is None:
            customer_contacts = [] if "customer" in changed else None
        if customer_contacts is not None:
            attending = _attending(customer, customer_contacts)
            if {contact.pk for contact in attending} != before:
                current.customer_contacts.set(attending)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        current.full_clean()
        held = Seat.objects.filter(meeting=current, status__in=HOLDING).count()
        if current.seats < held:
            raise ValidationError(
                {"seats": _("%(count)s listeners already have a seat; remove listeners before lowering the seats.")
                 % {"count": held}}
            )
        current.sequence += 1
        current.save()
        if _promote(current):
            seats_recount(current.pk)
        _enqueue_meeting_update(current.pk)
    return current


def meeting_cancel(*, by, meeting):
    """Cancel a meeting: confirmed listeners get a METHOD:CANCEL. Cancelling twice is harmless."""
    _check_can_edit(by, meeting)
    with transaction.atomic():
        current = _locked(meeting.pk)
        if current.is_cancelled:
            return current
        if current.is_past():
            raise ValidationError(_("This meeting has already taken place."))
        current.status = Meeting.Status.CANCELLED
        current.sequence += 1
        current.save(update_fields=["status", "sequence", "updated_at"])
        _enqueue_meeting_update(current.pk)
    return current


# Seats ------------------------------------------------------------------------------------------


def seats_recount(meeting_id):
    """Write the meeting's `seats_taken` from its held seats (confirmed, or offered and not yet answered),
    in one UPDATE. The seat services call it under the meeting's lock after a seat is confirmed, offered
    or released; the admin after it edits seats. A count rather than `F() + 1`, so a seat written any
    other way is put right by the next write. update() leaves `updated_at`, and so the meeting's cached
    card, alone."""
    Meeting.objects.filter(pk=meeting_id).update(seats_taken=seat_count(HOLDING))


def offer_deadline(meeting, now):
    """When an offer made `now` lapses: `offer_hours` later (to the second), but never after the meeting starts."""
    return min((now + datetime.timedelta(hours=meeting.offer_hours)).replace(microsecond=0), meeting.starts_at)


def _promote(meeting, now=None):
    """Offer free seats to the waitlist, first come first served: each offered seat is held for its
    person until the offer's deadline. Caller holds the meeting lock and recounts afterwards."""
    now = now or timezone.now()
    if meeting.is_cancelled or meeting.starts_at <= now:
        return []
    held = Seat.objects.filter(meeting=meeting, status__in=HOLDING).count()
    free = meeting.seats - held
    if free <= 0:
        return []
    offered = list(
        Seat.objects.filter(meeting=meeting, status=Seat.Status.WAITLISTED).order_by("created_at", "id")[:free]
    )
    deadline = offer_deadline(meeting, now)
    for seat in offered:
        seat.status, seat.offer_expires_at = Seat.Status.OFFERED, deadline
        seat.save(update_fields=["status", "offer_expires_at", "updated_at"])
        _enqueue_seat_email(seat.pk, "offered")
    return offered


def seat_claim(*, by, meeting, now=None, lock=True):
    """Sign `by` up: a confirmed seat while seats are left, else a place on the waitlist.

    Signing up twice returns the place already held. `lock=False` exists only for the test that
    shows the race the lock prevents."""
    require(by, "meeting.signup", meeting)
    now = now or timezone.now()
    if by.pk == meeting.host_id:
        raise ValidationError(_("You host this meeting, so you do not need a listener seat."))
    try:
        with transaction.atomic():
            meeting = _locked(meeting.pk, lock=lock)
            if meeting.is_cancelled:
                raise ValidationError(_("This meeting was cancelled."))
            if not meeting.signup_open(now):
                raise ValidationError(_("Sign-up for this meeting has closed."))
            seat = Seat.objects.filter(meeting=meeting, user=by).first()
            if seat is not None and seat.is_active:
                return seat
            # Held seats: confirmed ones and those offered to someone waiting (an offer keeps its seat).
            held = Seat.objects.filter(meeting=meeting, status__in=HOLDING).count()
            if _after_count is not None:
                _after_count()
            status = Seat.Status.CONFIRMED if held < meeting.seats else Seat.Status.WAITLISTED
            if seat is None:
                seat = Seat.objects.create(meeting=meeting, user=by, status=status, created_at=timezone.now())
            else:  # signing up again: back of the queue
                seat.status, seat.created_at = status, timezone.now()
                seat.save(update_fields=["status", "created_at", "updated_at"])
            if status == Seat.Status.CONFIRMED:
                seats_recount(meeting.pk)
                _enqueue_seat_email(seat.pk, "confirmed")
            return seat
    except OperationalError as error:  # lock_timeout on PostgreSQL
        log.warning("Seat claim for meeting %s timed out: %s", meeting.pk, error)
        raise MeetingBusy from error
    except IntegrityError:  # only without the lock: a double click raced itself
        return Seat.objects.get(meeting=meeting, user=by)


def _release(meeting, seat, status, reason, now=None):
    """Take `seat` out (left, removed, declined, lapsed) and, when it held a seat, offer that seat to
    the next person waiting. Caller holds the meeting lock."""
    was_confirmed, was_holding = seat.status == Seat.Status.CONFIRMED, seat.status in HOLDING
    seat.status, seat.offer_expires_at = status, None
    seat.save(update_fields=["status", "offer_expires_at", "updated_at"])
    if was_confirmed or reason == "removed":
        _enqueue_seat_email(seat.pk, reason)
    if not was_holding:
        return []
    offered = _promote(meeting, now)
    seats_recount(meeting.pk)
    return offered


def seat_cancel(*, by, meeting):
    """Give up my seat or waitlist place; the freed seat is offered at once to the first on the waitlist."""
    require(by, "meeting.signup", meeting)
    try:
        with transaction.atomic():
            meeting = _locked(meeting.pk)
            seat = Seat.objects.filter(meeting=meeting, user=by).first()
            if seat is None or not seat.is_active:
                return seat  # cancelling twice is harmless
            if meeting.starts_at <= timezone.now():
                raise ValidationError(_("This meeting has already started."))
            _release(meeting, seat, Seat.Status.CANCELLED, "left")
            return seat
    except OperationalError as error:
        raise MeetingBusy from error


def seat_remove(*, by, meeting, seat):
    """The host (or an admin) takes someone off the listeners or the waitlist; they are told."""
    _check_can_edit(by, meeting)
    try:
        with transaction.atomic():
            meeting = _locked(meeting.pk)
            seat = Seat.objects.get(pk=seat.pk, meeting=meeting)
            if not seat.is_active:
                return seat
            _release(meeting, seat, Seat.Status.REMOVED, "removed")
            return seat
    except OperationalError as error:
        raise MeetingBusy from error


# Offers -----------------------------------------------------------------------------------------


def _locked_offer(*, by, seat, lock=True):
    """The seat re-read under its meeting's lock. Call inside transaction.atomic()."""
    require(by, "offer.respond", seat, message=_("Only the person the seat is offered to can answer the offer."))
    meeting = _locked(seat.meeting_id, lock=lock)
    seat = Seat.objects.get(pk=seat.pk, meeting=meeting)
    if _after_count is not None:
        _after_count()
    return meeting, seat


def seat_offer_accept(*, by, seat, now=None, lock=True):
    """Take the seat held for me. Accepting twice returns the confirmed seat. An offer past its deadline
    cannot be accepted, even when the periodic expiry has not run yet: it lapses here and now, and the
    next person waiting gets it (the returned seat's status says which happened). `lock=False` exists
    only for the test that shows the race the lock prevents."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            meeting, seat = _locked_offer(by=by, seat=seat, lock=lock)
            if seat.status == Seat.Status.CONFIRMED:
                return seat
            if seat.status != Seat.Status.OFFERED:
                raise ValidationError(_("This seat is no longer offered to you."))
            if meeting.is_cancelled:
                raise ValidationError(_("This meeting was cancelled."))
            if seat.offer_expires_at <= now:
                _release(meeting, seat, Seat.Status.LAPSED, "lapsed", now)
                return seat
            seat.status, seat.offer_expires_at = Seat.Status.CONFIRMED, None
            seat.save(update_fields=["status", "offer_expires_at", "updated_at"])
            seats_recount(meeting.pk)  # unchanged (the seat was held), but kept right whatever wrote before
            _enqueue_seat_email(seat.pk, "accepted")
            return seat
    except OperationalError as error:
        raise MeetingBusy from error


def seat_offer_decline(*, by, seat, now=None):
    """Turn down the seat held for me; the next person waiting gets the offer. Declining twice is harmless."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            meeting, seat = _locked_offer(by=by, seat=seat)
            if seat.status != Seat.Status.OFFERED:
                return seat
            _release(meeting, seat, Seat.Status.DECLINED, "declined", now)
            return seat
    except OperationalError as error:
        raise MeetingBusy from error


def offers_expire(*, now=None, lock=True):
    """Let every offer past its deadline lapse and offer each seat to the next person waiting. One
    meeting at a time under its lock, re-reading the offers there, so an offer accepted a moment
    before is left alone. Running it twice has the effect of running it once. Returns the seats lapsed.
    `lock=False` exists only for the test that shows the race the lock prevents."""
    now = now or timezone.now()
    meeting_ids = set(
        Seat.objects.filter(status=Seat.Status.OFFERED, offer_expires_at__lte=now).values_list("meeting_id", flat=True)
    )
    lapsed = []
    for meeting_id in sorted(meeting_ids):
        try:
            with transaction.atomic():
                meeting = _locked(meeting_id, lock=lock)
                due = list(
                    Seat.objects.filter(meeting=meeting, status=Seat.Status.OFFERED, offer_expires_at__lte=now)
                    .order_by("created_at", "id")
                )
                if _after_count is not None:
                    _after_count()
                for seat in due:
                    seat.status, seat.offer_expires_at = Seat.Status.LAPSED, None
                    seat.save(update_fields=["status", "offer_expires_at", "updated_at"])
                _promote(meeting, now)
                seats_recount(meeting.pk)
                lapsed += due
        except OperationalError as error:  # busy: the next run takes this meeting
            log.warning("Expiring offers for meeting %s timed out: %s", meeting_id, error)
    return lapsed


# Attendance -------------------------------------------------------------------------------------


def attendance_mark(*, by, meeting, attended, now=None):
    """The host (or an admin) says who of the confirmed listeners came: seats in `attended` (seat ids)
    attended, every other confirmed seat was a no-show. Marking again corrects it."""
    require(by, "meeting.attendance", meeting, message=_("Only the host and admins mark attendance."))
    now = now or timezone.now()
    attended = {int(pk) for pk in attended}
    with transaction.atomic():
        meeting = _locked(meeting.pk)
        if not meeting.can_mark_attendance(now):
            raise ValidationError(_("Attendance can be marked once the meeting has taken place."))
        seats = Seat.objects.filter(meeting=meeting, status=Seat.Status.CONFIRMED)
        unknown = attended - set(seats.values_list("pk", flat=True))
        if unknown:
            raise ValidationError(_("Some of the people marked do not have a seat at this meeting."))
        seats.filter(pk__in=attended).update(attendance=Seat.Attendance.ATTENDED, updated_at=now)
        seats.exclude(pk__in=attended).update(attendance=Seat.Attendance.NO_SHOW, updated_at=now)
        Meeting.objects.filter(pk=meeting.pk).update(attendance_marked_at=now, attendance_marked_by=by)
        meeting.attendance_marked_at, meeting.attendance_marked_by = now, by
    return meeting


# Calendar feed ----------------------------------------------------------------------------------


def calendar_feed_get(*, user):
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = CalendarFeed.objects.create(user=user, token=CalendarFeed.new_token())
        except IntegrityError:
            feed = CalendarFeed.objects.get(user=user)
    return feed


def calendar_feed_reset(*, by):
    """A new secret address; the old one stops working at once."""
    require(by, "calendar.reset")
    feed = calendar_feed_get(user=by)
    feed.token = CalendarFeed.new_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


# Debriefs ---------------------------------------------------------------------------------------


def debrief_save(*, by, meeting, goals_and_needs, surprises="", do_differently="", now=None):
    """Write or rewrite my debrief of a meeting I attended."""
    now = now or timezone.now()
    seat = Seat.objects.filter(meeting=meeting, user=by, status=Seat.Status.CONFIRMED).first()
    require(by, "debrief.write", seat, message=_("Only listeners who attended can debrief this meeting."))
    if meeting.is_cancelled or not meeting.is_past(now):
        raise ValidationError(_("You can debrief once the meeting has taken place."))
    if seat.is_no_show:
        raise ValidationError(_("The host marked you as not attending, so there is no debrief to write."))
    debrief = Debrief.objects.filter(seat=seat).first() or Debrief(seat=seat, created_at=now)
    debrief.goals_and_needs, debrief.surprises, debrief.do_differently = goals_and_needs, surprises, do_differently
    debrief.full_clean(exclude=["seat"])
    debrief.save()
    return debrief


def debrief_to_story(*, by, debrief):
    """Turn my debrief into a draft story for my team (once; a second click returns the same id)."""
    from stories.services import story_create  # meetings sits above stories; imported only when used

    with transaction.atomic():
        debrief = Debrief.objects.select_for_update().select_related("seat__meeting__customer").get(pk=debrief.pk)
        require(by, "debrief.to_story", debrief.seat, message=_("Only the author can turn a debrief into a story."))
        if debrief.story_id:
            return debrief.story_id
        meeting = debrief.seat.meeting
        sections = [
            (_("What I learned about their goals and needs"), debrief.goals_and_needs),
            (_("What surprised me"), debrief.surprises),
            (_("What our team should do differently"), debrief.do_differently),
        ]
        body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections if text)
        story = story_create(
            by=by, customer=meeting.customer,
            title=_("What I heard at %(meeting)s") % {"meeting": meeting.title},
            body=body, teams=(by.team,) if by.team_id else (), publish=False,
        )
        debrief.story_id = story.pk
        debrief.save(update_fields=["story_id", "updated_at"])
    return story.pk


def debrief_react(*, by, debrief, helpful=None):
    """Mark a debrief helpful (or not). `helpful=None` toggles. Returns whether it is now marked."""
    require(by, "debrief.react", debrief)
    if debrief.seat.user_id == by.pk:
        raise ValidationError(_("You cannot react to your own debrief."))
    exists = DebriefReaction.objects.filter(debrief=debrief, user=by).exists()
    wanted = (not exists) if helpful is None else helpful
    if wanted and not exists:
        try:
            with transaction.atomic():
                DebriefReaction.objects.create(debrief=debrief, user=by)
        except IntegrityError:  # a double click raced us; the reaction exists, as asked
            pass
    elif not wanted:
        DebriefReaction.objects.filter(debrief=debrief, user=by).delete()
    return wanted


def debrief_requests(*, now=None, window_days=30):
    """Claim meetings that have ended (compare-and-swap on `debriefs_requested_at`) and return the
    seats whose listeners should be asked for a debrief. Each meeting is claimed once."""
    now = now or timezone.now()
    candidates = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED, debriefs_requested_at=None,
        ends_at__lte=now, ends_at__gt=now - timezone.timedelta(days=window_days),
    ).values_list("pk", "customer_id")
    seat_ids = []
    for meeting_id, customer_id in candidates:
        if Meeting.objects.filter(pk=meeting_id, debriefs_requested_at=None).update(debriefs_requested_at=now) != 1:
            continue  # another worker got there first
        customer_touch(customer_id=customer_id)  # the meeting was held
        seat_ids += Seat.objects.filter(
            meeting_id=meeting_id, status=Seat.Status.CONFIRMED, debrief__isnull=True
        ).exclude(attendance=Seat.Attendance.NO_SHOW).values_list("pk", flat=True)
    return seat_ids
