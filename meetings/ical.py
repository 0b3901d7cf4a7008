"""iCalendar files for meetings (RFC 5545/5546): one stable UID per meeting, SEQUENCE bumped on
every change, times in UTC. Listeners never see who else is listening. Each file is written in its
reader's language, as the email it comes with: the default briefing reads in theirs."""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Lifeline//Customer meetings//EN"


def _calendar(method=None):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    return cal


def _language_of(reader):
    return translation.override(reader.language or settings.LANGUAGE_CODE)


def _address(user, **params):
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.name or user.email)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _event(meeting, *, attendee=None, cancelled=False):
    event = Event()
    event.add("uid", meeting.ical_uid())
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.timezone.utc))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.timezone.utc))
    event.add("dtend", meeting.ends_at.astimezone(datetime.timezone.utc))
    event.add("summary", f"{meeting.title} · {meeting.customer.name}")
    url = settings.SITE_URL + meeting.get_absolute_url()
    event.add("description", f"{meeting.briefing_shown}\n\n{url}")
    event.add("url", url)
    location = meeting.place or meeting.video_url
    if location:
        event.add("location", location)
    event["organizer"] = _address(meeting.host)
    if attendee is not None:
        event.add(
            "attendee",
            _address(attendee, role="OPT-PARTICIPANT", partstat="ACCEPTED" if not cancelled else "DECLINED"),
        )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def invitation(meeting, attendee):
    """METHOD:REQUEST for a new seat or a change (higher SEQUENCE)."""
    cal = _calendar("REQUEST")
    with _language_of(attendee):
        cal.add_component(_event(meeting, attendee=attendee))
    return cal.to_ical()


def cancellation(meeting, attendee):
    """METHOD:CANCEL with the same UID: the meeting is off, or this person no longer attends."""
    cal = _calendar("CANCEL")
    with _language_of(attendee):
        cal.add_component(_event(meeting, attendee=attendee, cancelled=True))
    return cal.to_ical()


def feed(meetings, *, reader):
    """A subscription feed of `reader`'s meetings (no METHOD; no other listeners listed)."""
    cal = _calendar()
    cal.add("x-wr-calname", "Lifeline customer meetings")
    with _language_of(reader):
        for meeting in meetings:
            cal.add_component(_event(meeting, cancelled=meeting.is_cancelled))
    return cal.to_ical()
