"""The shared meetings list and customer section (meetings/cards.py): rendered once, kept until what
they show changes (or the clock moves a meeting out), with each viewer's own seat added per request."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings import services
from tests.factories import CustomerFactory, DebriefFactory, MeetingFactory, SeatFactory

pytestmark = pytest.mark.django_db
LIST = reverse("meetings:list")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def body(client, url=LIST, **params):
    return client.get(url, params).content.decode()


class TestSharedList:
    def test_each_viewer_sees_their_own_seat(self, staff, leader, meeting):
        other = MeetingFactory(title="Site visit", seats=1)
        SeatFactory(meeting=meeting, user=staff)
        SeatFactory(meeting=other)
        SeatFactory(meeting=other, user=leader, status="waitlisted")
        mine, theirs = body(signed_in(staff)), body(signed_in(leader))
        assert mine.count("You have a seat") == 1 and "You are on the waitlist" not in mine
        assert theirs.count("You are on the waitlist") == 1 and "You have a seat" not in theirs
        assert "1 seat left" in mine and "1 seat left" in theirs  # the shared part: the same for both

    def test_a_sign_up_shows_at_once(self, staff, leader, meeting):
        client = signed_in(staff)
        assert "2 seats left" in body(client)
        services.seat_claim(by=leader, meeting=meeting)
        page = body(client)
        assert "1 seat left" in page and "You have a seat" not in page
        services.seat_claim(by=staff, meeting=meeting)
        page = body(client)
        assert "Full" in page and "You have a seat" in page
        services.seat_cancel(by=staff, meeting=meeting)
        assert "1 seat left" in body(client)

    def test_renamed_customers_hosts_and_meetings_show_at_once(self, staff, meeting):
        client = signed_in(staff)
        assert "Annual review with Ken" in body(client)
        meeting.customer.name = "Ken's Plumbing & Heating"
        meeting.customer.save()
        meeting.host.name = "Samantha Carter"
        meeting.host.save()
        page = body(client)
        assert "Ken&#x27;s Plumbing &amp; Heating" in page and "Samantha Carter" in page
        meeting.title = "Annual review, moved"
        meeting.save()
        assert "Annual review, moved" in body(client)
        MeetingFactory(title="A new one")
        assert "A new one" in body(client)

    def test_filters_and_pages_are_kept_apart(self, staff, meeting):
        MeetingFactory(kind="site_visit", title="Site visit")
        client = signed_in(staff)
        assert "Site visit" in body(client) and "Annual review with Ken" in body(client)
        page = body(client, kind="site_visit")
        assert "Site visit" in page and "Annual review with Ken" not in page
        assert 'value="site_visit" selected' in page  # the filter form is kept with its page

    def test_a_meeting_that_ends_leaves_the_list(self, staff, monkeypatch):
        now = timezone.now()
        MeetingFactory(title="Short one", starts_at=now + datetime.timedelta(hours=1),
                       ends_at=now + datetime.timedelta(hours=2), signup_closes_at=now)
        client = signed_in(staff)
        assert "Short one" in body(client)
        later = now + datetime.timedelta(hours=3)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert "Short one" not in body(client)


class TestSharedCustomerSection:
    def test_seats_debriefs_and_meetings_show_at_once(self, staff, leader, customer, meeting, past_meeting):
        client = signed_in(staff)
        url = customer.get_absolute_url()
        assert "2 seats left" in body(client, url) and "0 debriefs" in body(client, url)
        SeatFactory(meeting=meeting)
        assert "1 seat left" in body(client, url)
        DebriefFactory(seat=SeatFactory(meeting=past_meeting))
        assert "1 debrief" in body(client, url)
        MeetingFactory(customer=customer, title="Onboarding, part two")
        page = body(signed_in(leader), url)  # someone else, the same section
        assert "Onboarding, part two" in page and "1 seat left" in page and "1 debrief" in page

    def test_a_meeting_that_ends_moves_to_past(self, staff, customer, monkeypatch):
        now = timezone.now()
        MeetingFactory(customer=customer, title="Short one", starts_at=now + datetime.timedelta(hours=1),
                       ends_at=now + datetime.timedelta(hours=2), signup_closes_at=now)
        client = signed_in(staff)
        assert "No meetings yet." in body(client, customer.get_absolute_url())
        later = now + datetime.timedelta(hours=3)
        monkeypatch.setattr(timezone, "now", lambda: later)
        page = body(client, customer.get_absolute_url())
        assert "No meetings planned." in page and "No meetings yet." not in page


class TestHomePanel:
    def test_each_person_sees_their_own_meetings(self, staff, leader, meeting, past_meeting):
        SeatFactory(meeting=meeting, user=staff, status="waitlisted")
        SeatFactory(meeting=past_meeting, user=leader)
        mine, theirs = body(signed_in(staff), reverse("home")), body(signed_in(leader), reverse("home"))
        assert "Annual review with Ken" in mine and "waitlisted" in mine and "Write my debrief" not in mine
        assert "Write my debrief" in theirs and "Annual review with Ken" not in theirs
        assert reverse("meetings:debrief", args=[past_meeting.pk]) in theirs

    def test_nothing_to_show_leaves_the_panel_out(self, staff):
        CustomerFactory()
        response = signed_in(staff).get(reverse("home"))
        assert "meetings-debriefs" not in [panel["key"] for panel in response.context["home_panels"]]
