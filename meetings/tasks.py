"""Emails caused by meeting actions. Thin tasks: ids in, rows loaded, one email each.

Each seat remembers the state it was last emailed about (`Seat.notified`); a task claims a state
with a compare-and-swap before sending, so running a task twice sends once."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal.lib.emails import Attachment, send_email
from portal.lib.notifications import subscription
from portal.lib.tasks import EmailTask

from . import ical
from .models import Meeting, Seat
from .offers import offer_path
from .services import debrief_requests, offers_expire

REQUEST = "text/calendar; method=REQUEST"
CANCEL = "text/calendar; method=CANCEL"

# reason -> (seat status it needs, email template, calendar method or None for no calendar file)
SEAT_EMAILS = {
    "confirmed": (Seat.Status.CONFIRMED, "meetings-confirmed", "REQUEST"),
    "promoted": (Seat.Status.CONFIRMED, "meetings-confirmed", "REQUEST"),
    "offered": (Seat.Status.OFFERED, "meetings-offered", None),
    "accepted": (Seat.Status.CONFIRMED, "meetings-confirmed", "REQUEST"),
    "left": (Seat.Status.CANCELLED, "meetings-left", "CANCEL"),
    "removed": (Seat.Status.REMOVED, "meetings-removed", "CANCEL"),
}


def _state(seat):
    state = f"{seat.meeting.status}:{seat.status}:{seat.meeting.sequence}"
    if seat.offer_expires_at:  # each offer is its own email, even a second one to the same person
        state += f":{int(seat.offer_expires_at.timestamp())}"
    return state


def _send_once(seat, template, method, context=None, headers=None):
    """Send `template` to the seat's person unless this state was already emailed."""
    key, previous = _state(seat), seat.notified
    if Seat.objects.filter(pk=seat.pk).exclude(notified=key).update(notified=key) != 1:
        return 0
    meeting = seat.meeting
    if method == "REQUEST":
        attachments = [Attachment(filename="invite.ics", content=ical.invitation(meeting, seat.user), mimetype=REQUEST)]
    elif method == "CANCEL":
        attachments = [Attachment(filename="invite.ics", content=ical.cancellation(meeting, seat.user), mimetype=CANCEL)]
    else:
        attachments = []
    try:
        return send_email(
            template, to=seat.user, context={"meeting": meeting, "seat": seat, **(context or {})},
            attachments=attachments, headers=headers or {},
        )
    except Exception:
        # Give the state back so a retry can send it.
        Seat.objects.filter(pk=seat.pk, notified=key).update(notified=previous)
        raise


def _seat(seat_id):
    return Seat.objects.select_related("user", "meeting__customer", "meeting__host").filter(pk=seat_id).first()


@shared_task(base=EmailTask)
def seat_email_task(seat_id, reason):
    """Tell one person their seat was confirmed, they moved up from the waitlist, or they lost it."""
    seat = _seat(seat_id)
    status, template, method = SEAT_EMAILS[reason]
    if seat is None or seat.status != status:
        return 0  # things moved on since the task was enqueued
    if method == "REQUEST" and (seat.meeting.is_cancelled or seat.meeting.ends_at <= timezone.now()):
        return 0  # no invitation to a meeting that is off or already over (a seat recorded afterwards)
    context, headers = {}, {}
    if reason in ("promoted", "offered"):  # the waitlist's emails: each carries the link that turns them off
        wanted = subscription(seat.user, "waitlist_promoted")
        if wanted is None:
            return 0  # they turned these emails off; the home page, the meeting page and the digest show the seat
        context, headers = wanted.context(), wanted.headers
    if reason == "offered":
        if not seat.offer_live() or seat.meeting.is_cancelled:
            return 0  # the offer was answered or lapsed before the email went
        return _send_once(seat, template, method, {"offer_url": offer_url(seat), **context}, headers)
    return _send_once(seat, template, method, {"promoted": reason in ("promoted", "accepted"), **context}, headers)


def offer_url(seat):
    return settings.SITE_URL + offer_path(seat)


@shared_task
def offers_expire_task():
    """Periodic: offers past their deadline lapse and go to the next person waiting (idempotent)."""
    return len(offers_expire())


@shared_task(base=EmailTask)
def meeting_changed_task(meeting_id):
    """Send confirmed listeners the new version of a meeting (REQUEST) or its cancellation (CANCEL)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    template, method = ("meetings-cancelled", "CANCEL") if meeting.is_cancelled else ("meetings-updated", "REQUEST")
    sent = 0
    seats = Seat.objects.filter(meeting=meeting, status=Seat.Status.CONFIRMED).select_related(
        "user", "meeting__customer", "meeting__host"
    )
    for seat in seats:
        sent += _send_once(seat, template, method)
    return sent


@shared_task(base=EmailTask)
def debrief_request_email_task(seat_id):
    seat = _seat(seat_id)
    if seat is None or seat.status != Seat.Status.CONFIRMED:
        return 0
    return send_email("meetings-debrief", to=seat.user, context={"meeting": seat.meeting, "seat": seat})


@shared_task
def debrief_requests_task():
    """Periodic: once a meeting has ended, ask each listener for a debrief (each meeting once)."""
    seat_ids = debrief_requests()
    for seat_id in seat_ids:
        debrief_request_email_task.delay(seat_id)
    return len(seat_ids)
