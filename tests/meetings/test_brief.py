"""The listener brief: who may read it, what it gathers (profile, people and their FORD notes, the
newest stories, open decisions naming the customer, debriefs' surprises, pulse figures), the FORD
audit, a fixed number of queries, and the brief in the reminder the day before."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from customers.models import ContactAudit
from digests import services as digest_services
from insights.models import PulseFigure
from meetings.models import Seat
from tests.conftest import frozen_at
from tests.factories import (
    ContactFactory, CustomerFactory, DebriefFactory, DecisionFactory, ImpactReviewFactory, MeetingFactory,
    SeatFactory, StoryFactory,
)

NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True, name="now")(frozen_at(NOW))


def days(n):
    return NOW + datetime.timedelta(days=n)


@pytest.fixture
def kens(db):
    return CustomerFactory(
        name="Ken's Plumbing Supply", slug="kens",
        who_they_are="A family-owned plumbing wholesaler in Dayton.",
        what_they_do="Supplies pipe and fittings to 400 contractors.",
        daily_challenges="A missing part at 6 a.m. costs a crew its day.",
        how_we_help="Weekly **replenishment** of fittings.",
    )


@pytest.fixture
def meeting(kens, host):
    return MeetingFactory(
        customer=kens, host=host, title="Annual review with Ken", seats=1,
        starts_at=days(10), ends_at=days(10) + datetime.timedelta(hours=2), signup_closes_at=days(9),
    )


@pytest.fixture
def brief_world(kens, meeting, host, leader):
    """A customer worth a brief, and things about others or not yet public that it must leave out."""
    other = CustomerFactory(name="Blue Harbour", slug="blue")
    ContactFactory(customer=kens, name="Ken Alvarez", role="Owner", family="Married to Luz.", dreams="Hand over to Rosa.")
    ContactFactory(customer=kens, name="Rosa Alvarez", role="Operations", family="Two young sons.")
    ContactFactory(customer=kens, name="Pat Quiet", role="Clerk", is_key=False, family="", occupation="", recreation="", dreams="")
    for age, title in [(40, "Oldest story"), (30, "Third newest"), (20, "Second newest"), (10, "Newest story")]:
        StoryFactory(customer=kens, title=title, published_at=days(-age), body="Ken's crew **waits** for us.")
    StoryFactory(customer=kens, title="A draft about Ken", status="draft", published_at=None)
    StoryFactory(customer=other, title="About someone else", published_at=days(-1))
    named = DecisionFactory(title="Close the cross-dock on Saturdays", status="in_review")
    named.customers.add(kens)
    ImpactReviewFactory(decision=named, direction="hurts", severity="medium")
    in_review = DecisionFactory(title="Named only in a review", status="draft")
    ImpactReviewFactory(decision=in_review, direction="helps", severity="low").customers.add(kens)
    DecisionFactory(title="Already decided", status="decided").customers.add(kens)
    DecisionFactory(title="About Blue Harbour", status="in_review").customers.add(other)
    past = MeetingFactory(
        customer=kens, host=host, starts_at=days(-30), ends_at=days(-30) + datetime.timedelta(hours=1),
        signup_closes_at=days(-31),
    )
    DebriefFactory(seat=SeatFactory(meeting=past, user=leader), surprises="They keep a spreadsheet of our late orders.")
    DebriefFactory(seat=SeatFactory(meeting=past), surprises="")
    elsewhere = MeetingFactory(customer=other, starts_at=days(-5), ends_at=days(-5) + datetime.timedelta(hours=1),
                               signup_closes_at=days(-6))
    DebriefFactory(seat=SeatFactory(meeting=elsewhere), surprises="Blue Harbour's surprise.")
    PulseFigure.objects.create(month=datetime.date(2026, 11, 1), customer=kens, products_returned=2, customers_credited=1)
    PulseFigure.objects.create(month=datetime.date(2026, 8, 1), customer=kens, products_returned=6, legal_threats=1)
    PulseFigure.objects.create(month=datetime.date(2025, 11, 1), customer=kens, products_returned=50)  # a year ago
    PulseFigure.objects.create(month=datetime.date(2026, 11, 1), customer=other, products_returned=9)
    return meeting


def brief_url(meeting):
    return reverse("meetings:brief", kwargs={"pk": meeting.pk})


@pytest.mark.django_db
class TestWhoMayReadIt:
    @pytest.mark.parametrize("status", ["confirmed", "waitlisted"])
    def test_a_seat_holder_may(self, as_user, staff, meeting, status):
        SeatFactory(meeting=meeting, user=staff, status=status)
        assert as_user(staff).get(brief_url(meeting)).status_code == 200

    @pytest.mark.parametrize("persona", ["host", "leader", "admin_user"])
    def test_the_host_leaders_and_admins_may(self, as_user, meeting, persona, request):
        assert as_user(request.getfixturevalue(persona)).get(brief_url(meeting)).status_code == 200

    @pytest.mark.parametrize("status", [None, "cancelled", "removed"])
    def test_staff_without_a_seat_may_not(self, as_user, staff, meeting, status):
        if status:
            SeatFactory(meeting=meeting, user=staff, status=status)
        response = as_user(staff).get(brief_url(meeting))
        assert response.status_code == 403

    def test_another_persons_seat_does_not_count(self, as_user, staff, outsider, meeting):
        SeatFactory(meeting=meeting, user=outsider)
        assert as_user(staff).get(brief_url(meeting)).status_code == 403

    def test_signed_out_people_are_sent_to_sign_in(self, client, meeting):
        response = client.get(brief_url(meeting))
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_a_missing_meeting_is_404(self, as_user, leader):
        assert as_user(leader).get(reverse("meetings:brief", kwargs={"pk": 999999})).status_code == 404

    def test_the_meeting_page_shows_it_to_a_listener_only(self, as_user, staff, outsider, brief_world):
        SeatFactory(meeting=brief_world, user=staff)
        mine = as_user(staff).get(brief_world.get_absolute_url()).content.decode()
        assert "Married to Luz." in mine and "Newest story" in mine and brief_url(brief_world) in mine
        theirs = as_user(outsider).get(brief_world.get_absolute_url()).content.decode()
        assert "Married to Luz." not in theirs and "Newest story" not in theirs
        assert "Once you have a seat, a brief appears here" in theirs


@pytest.mark.django_db
class TestWhatItShows:
    @pytest.fixture
    def page(self, as_user, staff, brief_world):
        SeatFactory(meeting=brief_world, user=staff)
        response = as_user(staff).get(brief_url(brief_world))
        assert response.status_code == 200
        return response.content.decode()

    def test_the_customer_profile(self, page):
        for text in ("A family-owned plumbing wholesaler in Dayton.", "Supplies pipe and fittings to 400 contractors.",
                     "A missing part at 6 a.m. costs a crew its day.", "<strong>replenishment</strong>"):
            assert text in page

    def test_the_people_key_contacts_first_with_their_ford_notes(self, page):
        assert page.index("Ken Alvarez") < page.index("Rosa Alvarez") < page.index("Pat Quiet")
        assert "Married to Luz." in page and "Hand over to Rosa." in page and "Two young sons." in page

    def test_the_three_newest_published_stories(self, page):
        assert page.index("Newest story") < page.index("Second newest") < page.index("Third newest")
        for absent in ("Oldest story", "A draft about Ken", "About someone else"):
            assert absent not in page

    def test_open_decisions_naming_them_with_the_predicted_impact(self, page):
        assert "Close the cross-dock on Saturdays" in page and "1 review: 1 hurts (medium)" in page
        assert "Named only in a review" in page and "1 review: 1 helps (low)" in page
        assert "Already decided" not in page and "About Blue Harbour" not in page

    def test_what_surprised_us(self, page):
        assert "They keep a spreadsheet of our late orders." in page
        assert "Blue Harbour&#x27;s surprise." not in page and "Blue Harbour's surprise." not in page

    def test_the_pulse_figures_of_the_last_six_months(self, page):
        import re

        figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
        assert figures == {
            "Products returned": "8", "Customers credited": "1", "Legal threats": "1", "Customers saved from leaving": "0",
        }

    def test_a_customer_we_know_nothing_about_still_has_a_brief(self, as_user, leader, host):
        bare = MeetingFactory(customer=CustomerFactory(who_they_are="", what_they_do="", daily_challenges="", how_we_help=""), host=host)
        page = as_user(leader).get(brief_url(bare)).content.decode()
        assert "Nobody has written their profile yet." in page and "No contacts recorded yet." in page
        assert "Latest stories about them" not in page and "Their pulse figures" not in page

    def test_it_caps_what_it_shows_to_fit_one_page(self, as_user, leader, kens, meeting):
        long = "word " * 200
        ContactFactory.create_batch(6, customer=kens, family=long)
        for i in range(5):
            DecisionFactory(title=f"Open decision {i}", status="in_review").customers.add(kens)
        page = as_user(leader).get(brief_url(meeting)).content.decode()
        assert page.count('class="brief__ford"') == 4
        assert page.count("Open decision ") == 3
        assert long.strip() not in page


@pytest.mark.django_db
class TestFordAudit:
    def test_each_view_records_the_notes_shown_once(self, as_user, staff, brief_world):
        SeatFactory(meeting=brief_world, user=staff)
        client = as_user(staff)
        client.get(brief_url(brief_world))
        rows = list(ContactAudit.objects.filter(actor=staff, action="viewed"))
        # Ken and Rosa have notes; Pat has none, so nothing about Pat was seen.
        assert sorted(row.contact_name for row in rows) == ["Ken Alvarez", "Rosa Alvarez"]
        client.get(brief_world.get_absolute_url())
        assert ContactAudit.objects.filter(actor=staff, action="viewed").count() == 4

    def test_nothing_is_recorded_for_someone_turned_away(self, as_user, staff, brief_world):
        as_user(staff).get(brief_url(brief_world))
        as_user(staff).get(brief_world.get_absolute_url())
        assert not ContactAudit.objects.filter(actor=staff).exists()


def grow(customer, host, n):
    """n more of everything the brief reads, about the customer."""
    for i in range(n):
        ContactFactory(customer=customer)
        StoryFactory(customer=customer, published_at=days(-i - 1))
        DecisionFactory(status="in_review").customers.add(customer)
        past = MeetingFactory(customer=customer, host=host, starts_at=days(-i - 2),
                              ends_at=days(-i - 2) + datetime.timedelta(hours=1), signup_closes_at=days(-i - 3))
        DebriefFactory(seat=SeatFactory(meeting=past))


@pytest.mark.django_db
class TestQueries:
    @pytest.mark.parametrize("attending", [False, True])
    @pytest.mark.parametrize("size", [1, 25])
    def test_the_brief_page_runs_a_fixed_number_of_queries(
        self, as_user, staff, kens, meeting, host, size, attending, django_assert_num_queries
    ):
        grow(kens, host, size)
        if attending:  # the people the host ticked as attending, or (none ticked) the key contacts: one query
            meeting.customer_contacts.set(kens.contacts.all()[:size])
        PulseFigure.objects.create(month=datetime.date(2026, 11, 1), customer=kens, products_returned=size)
        SeatFactory(meeting=meeting, user=staff)
        client = as_user(staff)
        # session, user, meeting with counts, my seat, contacts, the FORD audit (one INSERT), stories,
        # open decisions and their review tallies, debriefs' surprises, pulse figures
        with django_assert_num_queries(11):
            response = client.get(brief_url(meeting))
        assert response.status_code == 200
        assert response.context["brief"]["attending"] is attending

    @pytest.mark.parametrize("attending", [False, True])
    @pytest.mark.parametrize("size", [1, 25])
    def test_the_meeting_page_with_the_brief_too(
        self, as_user, staff, kens, meeting, host, size, attending, django_assert_num_queries
    ):
        grow(kens, host, size)
        if attending:  # who attends, named at the top of the page, comes from the brief's query
            meeting.customer_contacts.set(kens.contacts.all()[:size])
        SeatFactory(meeting=meeting, user=staff)
        client = as_user(staff)
        # as above, without the pulse (none recorded costs the same query)
        with django_assert_num_queries(11):
            client.get(meeting.get_absolute_url())


@pytest.mark.django_db
class TestInTheReminder:
    @pytest.fixture
    def tomorrow(self, brief_world, staff):
        brief_world.starts_at, brief_world.ends_at = days(1), days(1) + datetime.timedelta(hours=2)
        brief_world.signup_closes_at = days(1) - datetime.timedelta(hours=3)
        brief_world.save()
        SeatFactory(meeting=brief_world, user=staff)
        return brief_world

    def send(self):
        [delivery_id] = digest_services.reminder_plan(now=NOW)
        assert digest_services.reminder_send(delivery_id, now=NOW) == "sent"
        [message] = mail.outbox
        return message

    def test_the_day_before_email_carries_the_brief(self, tomorrow, staff):
        message = self.send()
        html = message.alternatives[0][0]
        for body in (message.body, html):
            for text in ("A family-owned plumbing wholesaler in Dayton.", "Ken Alvarez", "Married to Luz.",
                         "Newest story", "Close the cross-dock on Saturdays", "1 review: 1 hurts (medium)",
                         "They keep a spreadsheet of our late orders.", "Products returned"):
                assert text in body.replace("&#x27;", "'"), text
            assert "Oldest story" not in body and "Already decided" not in body
        assert "http://" in message.body and brief_url(tomorrow) in message.body
        assert 'href="http' in html and brief_url(tomorrow) in html

    def test_what_we_do_for_them_keeps_its_list_items_apart(self, tomorrow, kens):
        kens.how_we_help = "Two things:\n\n- use our ordering portal\n- Our account team reviews his stock every quarter"
        kens.save()
        message = self.send()
        expected = "Two things: use our ordering portal · Our account team reviews his stock every quarter"
        assert expected in message.body and expected in message.alternatives[0][0]

    def test_the_notes_it_shows_are_audited_for_the_listener(self, tomorrow, staff):
        self.send()
        assert sorted(ContactAudit.objects.filter(actor=staff, action="viewed").values_list("contact_name", flat=True)) == [
            "Ken Alvarez", "Rosa Alvarez",
        ]

    def test_it_is_sent_once(self, tomorrow, staff):
        self.send()
        assert digest_services.reminder_plan(now=NOW) == []
        assert len(mail.outbox) == 1

    def test_in_the_listeners_language_and_zone(self, tomorrow, staff):
        staff.language, staff.time_zone = "ar", "Asia/Riyadh"
        staff.save()
        message = self.send()
        assert 'dir="rtl"' in message.alternatives[0][0]
        # The brief's own words and dates, not only the email's: the newest story's date and a decision's status.
        assert "13 نوفمبر 2026" in message.body and "قيد المراجعة" in message.body


def test_the_waitlisted_and_the_confirmed_hold_a_seat_in_the_matrix():
    from types import SimpleNamespace

    from portal.permissions import can

    person = SimpleNamespace(pk=7, is_authenticated=True, is_active=True, role="staff", is_staff=False, team_id=None)
    meeting = SimpleNamespace(host_id=1)
    for status, allowed in [("confirmed", True), ("offered", True), ("waitlisted", True), ("cancelled", False), ("removed", False)]:
        meeting.viewer_seat = SimpleNamespace(user_id=7, status=status)
        assert can(person, "meeting.brief", meeting) is allowed
    meeting.viewer_seat = SimpleNamespace(user_id=8, status="confirmed")  # someone else's seat
    assert not can(person, "meeting.brief", meeting)
    meeting.viewer_seat = None
    assert not can(person, "meeting.brief", meeting)
    assert Seat.Status.CONFIRMED == "confirmed" and Seat.Status.WAITLISTED == "waitlisted"


@pytest.mark.django_db
def test_the_demo_has_a_brief_worth_reading(client):
    """Ken's annual review, in the demo: every part of the brief has something to say."""
    from django.core.management import call_command

    from meetings.models import Meeting

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    meeting = Meeting.objects.get(title="Annual business review with Ken and Rosa")
    listener = meeting.seat_set.filter(status="confirmed").first().user
    client.force_login(listener)
    response = client.get(brief_url(meeting))
    brief = response.context["brief"]
    assert brief["customer"].who_they_are and brief["customer"].daily_challenges
    assert [c for c in brief["contacts"] if c.has_ford_notes()]
    assert [part.key for part, _context in brief["parts"]] == ["stories", "decisions", "surprises", "pulse"]
