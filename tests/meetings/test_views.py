import datetime
import html as html_module
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from icalendar import Calendar

from meetings import selectors, services
from meetings.admin import MeetingAdminForm
from meetings.forms import MeetingForm
from meetings.models import DEFAULT_BRIEFING, CalendarFeed, Debrief, DebriefReaction, Meeting, Seat
from tests.conftest import PERSONAS
from tests.factories import CustomerFactory, DebriefFactory, MeetingFactory, SeatFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def local_input(dt):
    """How a datetime-local field posts a time in the active zone."""
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(customer_, /, **changes):
    start = (timezone.now() + datetime.timedelta(days=20)).replace(second=0, microsecond=0)
    data = {
        "customer": customer_.pk, "kind": "annual_review", "title": "Annual review with Ken",
        "starts_at": local_input(start), "ends_at": local_input(start + datetime.timedelta(hours=1)),
        "place": "", "video_url": "https://meet.example.com/ken", "seats": "3",
        "signup_closes_at": local_input(start - datetime.timedelta(days=2)), "briefing": "Listen. Take notes.",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
class TestMeetingNew:
    url = reverse("meetings:new")

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_hosts_and_admins_open_meetings(self, request, as_user, customer, persona):
        client = as_user(request.getfixturevalue(persona))
        allowed = persona in ("host", "admin_user")
        assert client.get(self.url).status_code == (200 if allowed else 403)
        response = client.post(self.url, form_data(customer))
        assert response.status_code == (302 if allowed else 403)
        assert Meeting.objects.count() == (1 if allowed else 0)

    def test_times_are_entered_in_the_users_zone(self, as_user, host, customer):
        host.time_zone = "America/Chicago"
        host.save()
        client = as_user(host)
        data = form_data(customer, starts_at="2031-03-04T09:30", ends_at="2031-03-04T10:30",
                         signup_closes_at="2031-03-01T17:00")
        client.post(self.url, data)
        meeting = Meeting.objects.get()
        assert meeting.starts_at == datetime.datetime(2031, 3, 4, 15, 30, tzinfo=datetime.timezone.utc)
        response = client.get(reverse("meetings:edit", args=[meeting.pk]))
        assert 'value="2031-03-04T09:30"' in response.content.decode()

    @pytest.mark.parametrize("changes,message", [
        ({"ends_at": "2031-03-04T08:00", "starts_at": "2031-03-04T09:00", "signup_closes_at": "2031-03-01T09:00"},
         "The meeting must end after it starts."),
        ({"seats": "0"}, "A meeting needs at least one listener seat."),
        ({"seats": "-3"}, "A meeting needs at least one listener seat."),
        ({"starts_at": "2031-03-04T09:00", "ends_at": "2031-03-04T10:00", "signup_closes_at": "2031-03-05T09:00"},
         "Sign-up must close before the meeting starts."),
        ({"customer": "999999"}, "Choose a customer from the directory."),
        ({"video_url": "http://meet.example.com/x"}, "Use a secure link that starts with https://."),
        ({"video_url": "not a link"}, "Enter a valid URL."),
        ({"video_url": ""}, "Give a place or a video link"),
    ])
    def test_bad_input_keeps_everything_typed_and_saves_nothing(self, as_user, host, customer, changes, message):
        response = as_user(host).post(self.url, form_data(customer, **changes))
        assert response.status_code == 200
        body = response.content.decode()
        assert message in body
        assert 'value="Annual review with Ken"' in body
        assert "Listen. Take notes." in body
        assert Meeting.objects.count() == 0

    def test_the_briefing_defaults_to_listening(self, as_user, host):
        assert "Your only job is to listen." in as_user(host).get(self.url).content.decode()

    def test_the_customer_picker_lists_only_the_chosen_customer(self, as_user, host, customer):
        CustomerFactory.create_batch(5)
        client = as_user(host)
        assert select_options(client.get(self.url).content.decode(), "customer") == [("", "---------")]
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(self.url, form_data(customer, title=""))
        fetched = [q for q in ctx.captured_queries if q["sql"].startswith('SELECT "customers_customer"."id"')]
        assert len(fetched) == 1  # the posted customer, not fetched again to show it
        chosen = [("", "---------"), (str(customer.pk), customer.name)]
        assert select_options(response.content.decode(), "customer") == chosen

    def test_without_javascript_a_customer_search_with_one_match_picks_it(self, as_user, host, customer):
        CustomerFactory(name="Harbor Lights Bakery")
        client = as_user(host)
        response = client.post(self.url, {**form_data(customer, title=""), "customer": "", "customer_search": "plumb"})
        chosen = [("", "---------"), (str(customer.pk), customer.name)]
        assert select_options(response.content.decode(), "customer") == chosen
        client.post(self.url, {**form_data(customer), "customer": "", "customer_search": "plumb"})
        assert Meeting.objects.get().customer == customer


@pytest.mark.django_db
class TestMeetingEdit:
    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_the_host_and_admins_edit(self, request, as_user, meeting, customer, persona):
        client = as_user(request.getfixturevalue(persona))
        allowed = persona in ("host", "admin_user")
        url = reverse("meetings:edit", args=[meeting.pk])
        assert client.get(url).status_code == (200 if allowed else 403)
        response = client.post(url, form_data(customer, title="Renamed"))
        assert response.status_code == (302 if allowed else 403)
        meeting.refresh_from_db()
        assert (meeting.title == "Renamed") is allowed

    def test_the_host_and_an_admin_editing_at_once_the_second_save_loses_nothing(self, as_user, meeting, customer, admin_user):
        """The host and an admin open the same meeting; the admin moves it to another room first. The
        host's save, drawn before that, must not silently put the old room back: it is refused with the
        host's text kept in the form, and a second save (after comparing) keeps the host's version."""
        url = reverse("meetings:edit", args=[meeting.pk])
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(meeting.host).get(url).content.decode())[1]
        assert as_user(admin_user).post(url, form_data(customer, place="Room 4")).status_code == 302

        response = as_user(meeting.host).post(url, {**form_data(customer, title="Renamed by the host"), "seen": seen})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Someone else saved changes to this meeting while you were editing it." in page
        assert 'value="Renamed by the host"' in page
        meeting.refresh_from_db()
        assert meeting.title != "Renamed by the host" and meeting.place == "Room 4"

        again = re.search(r'name="seen" value="([0-9a-f]+)"', page)[1]
        assert as_user(meeting.host).post(url, {**form_data(customer, title="Renamed by the host"), "seen": again}).status_code == 302
        meeting.refresh_from_db()
        assert meeting.title == "Renamed by the host"

    def test_another_host_may_not_edit(self, as_user, meeting, customer):
        other = UserFactory(role="host")
        assert as_user(other).post(reverse("meetings:edit", args=[meeting.pk]), form_data(customer)).status_code == 403

    def test_a_missing_meeting_is_404(self, as_user, host):
        assert as_user(host).get(reverse("meetings:edit", args=[99999])).status_code == 404


@pytest.mark.django_db
class TestMeetingCancelView:
    def test_it_rejects_get(self, as_user, host, meeting):
        assert as_user(host).get(reverse("meetings:cancel_meeting", args=[meeting.pk])).status_code == 405

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_the_host_and_admins_cancel(self, request, as_user, meeting, persona):
        client = as_user(request.getfixturevalue(persona))
        allowed = persona in ("host", "admin_user")
        response = client.post(reverse("meetings:cancel_meeting", args=[meeting.pk]))
        assert response.status_code == (302 if allowed else 403)
        meeting.refresh_from_db()
        assert meeting.is_cancelled is allowed


@pytest.mark.django_db
class TestSignUp:
    def url(self, meeting):
        return reverse("meetings:signup", args=[meeting.pk])

    def test_it_rejects_get(self, as_user, staff, meeting):
        assert as_user(staff).get(self.url(meeting)).status_code == 405

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_everyone_but_the_host_signs_up(self, request, as_user, meeting, persona):
        user = request.getfixturevalue(persona)
        response = as_user(user).post(self.url(meeting), follow=True)
        assert response.status_code == 200
        has_seat = Seat.objects.filter(meeting=meeting, user=user, status="confirmed").exists()
        assert has_seat is (persona != "host")
        if persona == "host":
            assert "You host this meeting" in response.content.decode()

    def test_htmx_returns_the_seat_panel(self, as_user, staff, meeting):
        response = as_user(staff).post(self.url(meeting), **HTMX)
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<section class="card seat-panel" id="seat-panel"')
        assert "You have a seat." in body
        assert "<html" not in body

    def test_a_seat_opens_the_brief_on_the_page_and_giving_it_up_closes_it(self, as_user, staff, meeting):
        client = as_user(staff)
        assert "Once you have a seat, a brief appears here" in client.get(meeting.get_absolute_url()).content.decode()
        body = client.post(self.url(meeting), **HTMX).content.decode()
        brief = body[body.index('id="listener-brief"'):]
        assert 'hx-swap-oob="true"' in brief and "Once you have a seat" not in brief
        assert f"About <bdi>{escape(meeting.customer.name)}</bdi>" in brief  # the brief itself, out of band
        body = client.post(reverse("meetings:cancel_seat", args=[meeting.pk]), **HTMX).content.decode()
        assert "You are no longer signed up" in body
        assert 'id="listener-brief" aria-labelledby="brief-heading" hx-swap-oob="true"' in body
        assert "Once you have a seat, a brief appears here" in body

    def test_a_full_meeting_shows_my_waitlist_position(self, as_user, staff, meeting, make_users):
        for user in make_users(3):
            services.seat_claim(by=user, meeting=meeting)
        body = as_user(staff).post(self.url(meeting), **HTMX).content.decode()
        assert "You are number 2 on the waitlist." in body
        # what happens next, as it really does: a freed seat is held for a while, not given at once
        assert f"it is held for you for {meeting.offer_hours} hours and we email you" in body

    def test_double_clicking_gives_one_seat(self, as_user, staff, meeting):
        client = as_user(staff)
        client.post(self.url(meeting))
        client.post(self.url(meeting))
        assert Seat.objects.filter(meeting=meeting, user=staff).count() == 1

    def test_no_signup_after_it_closes(self, as_user, staff, meeting):
        Meeting.objects.filter(pk=meeting.pk).update(signup_closes_at=timezone.now() - datetime.timedelta(hours=1))
        response = as_user(staff).post(self.url(meeting), follow=True)
        assert "Sign-up for this meeting has closed." in response.content.decode()
        assert not Seat.objects.exists()

    def test_no_signup_for_cancelled_or_past_meetings(self, as_user, staff, meeting, past_meeting, host):
        services.meeting_cancel(by=host, meeting=meeting)
        as_user(staff).post(self.url(meeting))
        as_user(staff).post(self.url(past_meeting))
        assert not Seat.objects.exists()

    def test_a_busy_meeting_says_try_again(self, as_user, staff, meeting, monkeypatch):
        def busy(**kwargs):
            raise services.MeetingBusy

        monkeypatch.setattr(services, "seat_claim", busy)
        response = as_user(staff).post(self.url(meeting), **HTMX)
        assert response.status_code == 200
        assert "Please try again in a moment." in response.content.decode()

    def test_a_missing_meeting_is_404(self, as_user, staff):
        assert as_user(staff).post(reverse("meetings:signup", args=[424242])).status_code == 404


@pytest.mark.django_db
class TestCancelSeat:
    def test_it_rejects_get(self, as_user, staff, meeting):
        assert as_user(staff).get(reverse("meetings:cancel_seat", args=[meeting.pk])).status_code == 405

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_each_person_cancels_only_their_own_seat(self, request, as_user, meeting, persona, make_users):
        (other,) = make_users(1)
        other_seat = services.seat_claim(by=other, meeting=meeting)
        user = request.getfixturevalue(persona)
        if persona != "host":
            services.seat_claim(by=user, meeting=meeting)
        response = as_user(user).post(reverse("meetings:cancel_seat", args=[meeting.pk]))
        assert response.status_code == 302
        assert Seat.objects.get(pk=other_seat.pk).status == "confirmed"
        assert not Seat.objects.filter(meeting=meeting, user=user, status__in=Seat.ACTIVE).exists()

    def test_cancelling_twice_is_harmless(self, as_user, staff, meeting):
        client = as_user(staff)
        services.seat_claim(by=staff, meeting=meeting)
        assert client.post(reverse("meetings:cancel_seat", args=[meeting.pk])).status_code == 302
        assert client.post(reverse("meetings:cancel_seat", args=[meeting.pk]), **HTMX).status_code == 200

    def test_the_waitlist_moves_up(self, as_user, meeting, make_users, django_capture_on_commit_callbacks):
        a, b, c = make_users(3)
        for user in (a, b, c):
            services.seat_claim(by=user, meeting=meeting)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            as_user(a).post(reverse("meetings:cancel_seat", args=[meeting.pk]))
        assert Seat.objects.get(meeting=meeting, user=c).status == "offered"
        assert c.email in [m.to[0] for m in mail.outbox]


@pytest.mark.django_db
class TestRemoveListener:
    def url(self, meeting, seat):
        return reverse("meetings:remove_listener", args=[meeting.pk, seat.pk])

    def test_it_rejects_get(self, as_user, host, meeting, staff):
        seat = SeatFactory(meeting=meeting, user=staff)
        assert as_user(host).get(self.url(meeting, seat)).status_code == 405

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_only_the_host_and_admins_remove(self, request, as_user, meeting, persona, make_users):
        (listener,) = make_users(1)
        seat = services.seat_claim(by=listener, meeting=meeting)
        response = as_user(request.getfixturevalue(persona)).post(self.url(meeting, seat))
        allowed = persona in ("host", "admin_user")
        assert response.status_code == (302 if allowed else 403)
        assert Seat.objects.get(pk=seat.pk).status == ("removed" if allowed else "confirmed")

    def test_a_seat_of_another_meeting_is_404(self, as_user, host, meeting, staff):
        other = SeatFactory(user=staff)
        assert as_user(host).post(self.url(meeting, other)).status_code == 404
        assert Seat.objects.get(pk=other.pk).status == "confirmed"

    def test_htmx_returns_the_people_fragment(self, as_user, host, meeting, staff):
        seat = services.seat_claim(by=staff, meeting=meeting)
        body = as_user(host).post(self.url(meeting, seat), **HTMX).content.decode()
        assert body.lstrip().startswith('<section class="card" id="people"')
        assert "was removed and has been told by email" in body


def make_meetings(count, *, seats=2, waitlist=1, open_every=0):
    """`count` upcoming meetings, each full with a waitlist (every `open_every`-th one with a seat
    left), created in bulk."""
    host = UserFactory(role="host")
    customers = Meeting.customer.field.related_model.objects.bulk_create(
        [CustomerFactory.build(name=f"Bulk {i:05d}", slug=f"bulk-{i:05d}") for i in range(max(count // 10, 1))]
    )
    people = UserFactory.create_batch(seats + waitlist)
    start = timezone.now() + datetime.timedelta(days=5)
    meetings = Meeting.objects.bulk_create([
        Meeting(customer=customers[i % len(customers)], host=host, title=f"Meeting {i}", place="Room",
                starts_at=start + datetime.timedelta(hours=i), ends_at=start + datetime.timedelta(hours=i + 1),
                signup_closes_at=start - datetime.timedelta(days=1),
                seats=seats + 1 if open_every and i % open_every == 0 else seats, seats_taken=seats)
        for i in range(count)
    ])
    Seat.objects.bulk_create([
        Seat(meeting=m, user=p, status="confirmed" if j < seats else "waitlisted")
        for m in meetings for j, p in enumerate(people)
    ])
    return meetings


def select_options(html, name):
    """The (value, label) options of the <select name=`name`> in `html`."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[0]) if select else []
    return [(html_module.unescape(value), html_module.unescape(label)) for value, label in options]


@pytest.mark.django_db
class TestMeetingList:
    url = reverse("meetings:list")

    @pytest.mark.parametrize("count", [5, 500])
    def test_it_runs_a_fixed_number_of_queries(self, as_user, staff, count, django_assert_num_queries):
        make_meetings(count)
        client, other = as_user(staff), Client()
        other.force_login(UserFactory())
        # Session, user, count (and where the walk starts), meetings with a seat left (none), full
        # ones with their seats and the viewer's own: the same on every request, cards cached or not.
        for viewer in (client, other):
            with django_assert_num_queries(5):
                response = viewer.get(self.url)
            assert response.status_code == 200
            assert "Full" in response.content.decode()
        month = timezone.localtime(timezone.now() + datetime.timedelta(days=5)).strftime("%Y-%m")
        for viewer in (client, other):
            with django_assert_num_queries(5):
                response = viewer.get(self.url, {"kind": "annual_review", "month": month}, **HTMX)
            assert "Meeting 0" in response.content.decode()
        # a chosen customer: one more, to find it by its slug (on every request: the form is checked)
        for viewer in (client, other):
            with django_assert_num_queries(6):
                response = viewer.get(self.url, {"customer": "bulk-00000"})
            assert "Meeting 0" in response.content.decode()

    @pytest.mark.parametrize("count", [60, 600])
    def test_a_page_of_open_meetings_counts_seats_of_that_page_only(
        self, as_user, staff, count, django_assert_num_queries, django_assert_max_num_queries
    ):
        make_meetings(count, open_every=2)
        client = as_user(staff)
        # session, user, count, meetings with a seat left (and my seats among them): the page is
        # full, so no walk over full ones
        with django_assert_num_queries(4):
            response = client.get(self.url)
        page = response.context["page"]
        assert page.paginator.count == count
        assert [m.title for m in page.object_list] == [f"Meeting {i}" for i in range(0, 40, 2)]
        with django_assert_max_num_queries(5):  # the page runs into the full meetings when there are few
            client.get(self.url, {"page": 2}, **HTMX)

    @pytest.mark.parametrize("count", [20, 200])
    def test_the_customer_filter_lists_only_the_chosen_customer(self, as_user, staff, meeting, customer, count):
        make_meetings(count)
        client = as_user(staff)
        html = client.get(self.url).content.decode()
        assert select_options(html, "customer") == [("", "All customers")]
        assert 'name="customer_search"' in html
        response = client.get(self.url, {"customer": customer.slug})
        assert select_options(response.content.decode(), "customer") == [("", "All customers"), (customer.slug, customer.name)]
        assert [m.title for m in response.context["page"].object_list] == [meeting.title]

    def test_without_javascript_a_customer_search_with_one_match_picks_it(self, as_user, staff, meeting, customer):
        make_meetings(20)
        response = as_user(staff).get(self.url, {"customer_search": "plumbing"})
        assert [m.title for m in response.context["page"].object_list] == [meeting.title]
        assert (customer.slug, customer.name) in select_options(response.content.decode(), "customer")

    def test_open_seats_come_first(self, as_user, staff, meeting, customer):
        later = MeetingFactory(customer=customer, title="Later but open", seats=1,
                               starts_at=meeting.starts_at + datetime.timedelta(days=3))
        for user in UserFactory.create_batch(2):
            SeatFactory(meeting=meeting, user=user)
        titles = [m.title for m in as_user(staff).get(self.url).context["page"].object_list]
        assert titles == ["Later but open", "Annual review with Ken"]
        assert later

    def test_it_shows_seats_left(self, as_user, staff, meeting):
        SeatFactory(meeting=meeting)
        assert "1 seat left" in as_user(staff).get(self.url).content.decode()

    def test_it_filters(self, as_user, staff, meeting, past_meeting):
        other = MeetingFactory(kind="site_visit", title="Site visit")
        client = as_user(staff)

        def titles(**params):
            return {m.title for m in client.get(self.url, params).context["page"].object_list}

        assert titles() == {"Annual review with Ken", "Site visit"}
        assert titles(customer=meeting.customer.slug) == {"Annual review with Ken"}
        assert titles(kind="site_visit") == {"Site visit"}
        month = timezone.localtime(past_meeting.starts_at).strftime("%Y-%m")
        assert "Quarterly review" in titles(month=month)
        SeatFactory.create_batch(2, meeting=meeting)
        assert titles(open="on") == {"Site visit"}
        assert other

    def test_bad_filters_are_ignored_with_a_message(self, as_user, staff, meeting):
        response = as_user(staff).get(self.url, {"month": "2026-13", "customer": "nope", "kind": "party"})
        assert response.status_code == 200
        assert "Some filters were not understood" in response.content.decode()
        assert len(response.context["page"].object_list) == 1

    def test_cancelled_meetings_are_not_listed(self, as_user, staff, meeting, host):
        services.meeting_cancel(by=host, meeting=meeting)
        assert len(as_user(staff).get(self.url).context["page"].object_list) == 0


@pytest.mark.django_db
class TestMeetingDetail:
    @pytest.mark.parametrize("listeners", [3, 60])
    def test_it_runs_a_fixed_number_of_queries_for_the_host(self, as_user, host, listeners, django_assert_num_queries):
        meeting = MeetingFactory(host=host, seats=listeners)
        for user in UserFactory.create_batch(listeners + 5):
            SeatFactory(meeting=meeting, user=user, status="confirmed" if user.pk % (listeners + 5) else "waitlisted")
        Seat.objects.filter(meeting=meeting).update(status="confirmed")
        Seat.objects.filter(pk__in=list(meeting.seat_set.order_by("-id").values_list("pk", flat=True)[:5])).update(status="waitlisted")
        services.seats_recount(meeting.pk)
        # session, user, meeting with counts, my seat, listeners and waitlist, and the listener brief the
        # host reads (contacts, stories, open decisions, debriefs' surprises, pulse: tests/meetings/test_brief.py)
        client = as_user(host)
        with django_assert_num_queries(10):
            response = client.get(meeting.get_absolute_url())
        assert len(response.context["listeners"]) == listeners
        assert len(response.context["waitlist"]) == 5

    @pytest.mark.parametrize("debriefs", [2, 40])
    def test_a_past_meeting_with_debriefs_runs_a_fixed_number_of_queries(
        self, as_user, staff, past_meeting, debriefs, django_assert_num_queries
    ):
        Meeting.objects.filter(pk=past_meeting.pk).update(seats=debriefs)
        for seat in SeatFactory.create_batch(debriefs, meeting=past_meeting):
            DebriefReaction.objects.create(debrief=DebriefFactory(seat=seat), user=staff)
        # session, user, meeting, my seat, who attends from the customer, debriefs with reactions
        client = as_user(staff)
        with django_assert_num_queries(6):
            response = client.get(past_meeting.get_absolute_url())
        assert response.content.decode().count("1 colleague found this helpful") == debriefs

    @pytest.mark.parametrize("count", [5, 500])
    def test_a_meeting_page_runs_fixed_queries_whatever_the_number_of_meetings(
        self, as_user, staff, count, django_assert_num_queries
    ):
        meetings = make_meetings(count)
        client = as_user(staff)
        # session, user, meeting with counts, my seat, who attends from the customer
        with django_assert_num_queries(5):
            response = client.get(meetings[-1].get_absolute_url())
        assert "2 of 2 seats taken · 1 on the waitlist" in response.content.decode()

    def test_staff_do_not_see_who_else_listens(self, as_user, staff, meeting, make_users):
        (other,) = make_users(1, name="Zed Unique")
        SeatFactory(meeting=meeting, user=other)
        assert "Zed Unique" not in as_user(staff).get(meeting.get_absolute_url()).content.decode()
        assert "1 of 2 seats taken" in as_user(staff).get(meeting.get_absolute_url()).content.decode()

    def test_a_missing_meeting_is_404(self, as_user, staff):
        assert as_user(staff).get(reverse("meetings:detail", args=[98765])).status_code == 404

    def test_times_show_in_my_zone(self, as_user, staff, meeting):
        staff.time_zone = "Asia/Tokyo"
        staff.save()
        body = as_user(staff).get(meeting.get_absolute_url()).content.decode()
        assert "Asia/Tokyo" in body
        local = timezone.localtime(meeting.starts_at, __import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
        assert local.strftime("%H:%M") in body


@pytest.mark.django_db
class TestMine:
    def test_it_shows_my_year(self, as_user, leader, meeting, past_meeting, settings):
        settings.LIFELINE_MEETING_QUOTA = 2
        SeatFactory(meeting=meeting, user=leader)
        SeatFactory(meeting=past_meeting, user=leader)
        response = as_user(leader).get(reverse("meetings:mine"))
        body = response.content.decode()
        assert response.context["attended"] == (1 if past_meeting.starts_at.year == timezone.now().year else 0)
        assert "Annual review with Ken" in body
        assert "Write my debrief" in body or past_meeting.starts_at.year != timezone.now().year
        assert CalendarFeed.objects.get(user=leader).token in body


@pytest.mark.django_db
class TestTeam:
    def test_it_shows_each_leader_on_track_or_behind_in_words(self, as_user, staff, leader, finance, meeting, settings):
        settings.LIFELINE_MEETING_QUOTA = 1
        behind = UserFactory(name="Behind Leader", team=finance, role="leader")
        SeatFactory(meeting=meeting, user=leader)
        response = as_user(staff).get(reverse("meetings:team", args=[finance.slug]))
        body = response.content.decode()
        statuses = {u.name: u.quota_label for u in response.context["leaders"]}
        assert statuses == {"Grace Okafor": "On track", "Behind Leader": "Behind"}
        assert "On track" in body and "Behind" in body
        assert behind

    @pytest.mark.parametrize("leaders", [2, 20])
    def test_it_runs_a_fixed_number_of_queries(self, as_user, staff, finance, leaders, django_assert_num_queries):
        for user in UserFactory.create_batch(leaders, team=finance, role="leader"):
            SeatFactory(user=user)
        client = as_user(staff)
        # session, user, team, leaders with counts
        with django_assert_num_queries(4):
            client.get(reverse("meetings:team", args=[finance.slug]))

    def test_an_unknown_team_is_404(self, as_user, staff):
        assert as_user(staff).get(reverse("meetings:team", args=["nope"])).status_code == 404


@pytest.mark.django_db
class TestCalendarFeedView:
    def test_it_serves_my_meetings_without_signing_in(self, client, staff, meeting, make_users):
        (other,) = make_users(1)
        SeatFactory(meeting=meeting, user=staff)
        SeatFactory(meeting=meeting, user=other)
        MeetingFactory(title="Not mine")
        feed = services.calendar_feed_get(user=staff)
        response = client.get(reverse("meetings:calendar_feed", args=[feed.token]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        body = response.content.decode()
        assert f"UID:meeting-{meeting.pk}@lifeline" in body
        assert "Not mine" not in body
        assert other.email not in body

    def test_a_bad_token_is_404(self, client, db):
        assert client.get(reverse("meetings:calendar_feed", args=["nope"])).status_code == 404

    def test_it_is_in_its_owners_language_whatever_the_calendar_app_asks_for(self, client, staff, meeting):
        staff.language = "fa"
        staff.save(update_fields=["language"])
        SeatFactory(meeting=meeting, user=staff)
        feed = services.calendar_feed_get(user=staff)
        response = client.get(reverse("meetings:calendar_feed", args=[feed.token]), HTTP_ACCEPT_LANGUAGE="en")
        [event] = Calendar.from_ical(response.content).walk("VEVENT")
        with translation.override("fa"):
            persian = str(DEFAULT_BRIEFING)
        assert persian != "Your only job is to listen."
        assert str(event["description"]).startswith(persian + "\n\n")

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_each_person_resets_only_their_own_feed(self, request, as_user, persona, make_users):
        (other,) = make_users(1)
        theirs = services.calendar_feed_get(user=other).token
        user = request.getfixturevalue(persona)
        mine = services.calendar_feed_get(user=user).token
        assert as_user(user).post(reverse("meetings:calendar_reset")).status_code == 302
        assert CalendarFeed.objects.get(user=other).token == theirs
        assert CalendarFeed.objects.get(user=user).token != mine

    def test_reset_rejects_get_and_invalidates_the_old_address(self, client, as_user, staff):
        old = services.calendar_feed_get(user=staff).token
        signed_in = as_user(staff)
        assert signed_in.get(reverse("meetings:calendar_reset")).status_code == 405
        assert signed_in.post(reverse("meetings:calendar_reset")).status_code == 302
        signed_in.logout()
        assert client.get(reverse("meetings:calendar_feed", args=[old])).status_code == 404


@pytest.mark.django_db
class TestDebriefViews:
    def test_an_attendee_writes_a_debrief(self, as_user, staff, past_meeting):
        SeatFactory(meeting=past_meeting, user=staff)
        url = reverse("meetings:debrief", args=[past_meeting.pk])
        client = as_user(staff)
        assert client.get(url).status_code == 200
        response = client.post(url, {"goals_and_needs": "", "surprises": "Lots", "do_differently": ""})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        assert 'Lots</textarea>' in response.content.decode()
        assert not Debrief.objects.exists()
        response = client.post(url, {"goals_and_needs": "Reliable deliveries", "surprises": "", "do_differently": ""})
        assert response.status_code == 302
        assert Debrief.objects.get().goals_and_needs == "Reliable deliveries"

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_non_attendees_may_not_debrief(self, request, as_user, past_meeting, persona):
        url = reverse("meetings:debrief", args=[past_meeting.pk])
        client = as_user(request.getfixturevalue(persona))
        assert client.get(url).status_code == 403
        assert client.post(url, {"goals_and_needs": "x"}).status_code == 403

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_every_colleague_but_the_author_may_react(self, request, as_user, past_meeting, persona):
        author = UserFactory(name="Author")
        debrief = DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=author))
        url = reverse("meetings:debrief_react", args=[past_meeting.pk, debrief.pk])
        assert as_user(request.getfixturevalue(persona)).post(url).status_code == 302
        assert DebriefReaction.objects.count() == 1
        assert as_user(author).post(url).status_code == 302
        assert DebriefReaction.objects.count() == 1

    def test_a_colleague_finds_a_debrief_helpful(self, as_user, staff, leader, past_meeting):
        debrief = DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=leader))
        url = reverse("meetings:debrief_react", args=[past_meeting.pk, debrief.pk])
        client = as_user(staff)
        assert client.get(url).status_code == 405
        body = client.post(url, **HTMX).content.decode()
        assert body.lstrip().startswith('<section class="card" id="debriefs"')
        assert "1 colleague found this helpful" in body
        client.post(url)
        assert DebriefReaction.objects.count() == 0

    def test_debrief_to_story_rejects_get_and_others(self, as_user, staff, leader, past_meeting):
        debrief = DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=leader))
        url = reverse("meetings:debrief_to_story", args=[past_meeting.pk])
        assert as_user(leader).get(url).status_code == 405
        assert as_user(staff).post(url).status_code == 404
        Debrief.objects.filter(pk=debrief.pk).update(story_id=None)

    def test_debrief_to_story_makes_a_draft(self, as_user, leader, past_meeting):
        pytest.importorskip("stories.services")
        DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=leader))
        response = as_user(leader).post(reverse("meetings:debrief_to_story", args=[past_meeting.pk]))
        assert response.status_code == 302
        assert Debrief.objects.get().story_id is not None

    def test_the_meeting_page_links_to_the_story_made_from_my_debrief(self, as_user, leader, past_meeting):
        DebriefFactory(seat=SeatFactory(meeting=past_meeting, user=leader))
        client = as_user(leader)
        client.post(reverse("meetings:debrief_to_story", args=[past_meeting.pk]))
        page = client.get(past_meeting.get_absolute_url()).content.decode()
        story_url = reverse("stories:detail_short", args=[Debrief.objects.get().story_id])
        assert f'href="{story_url}"' in page and "Turn my debrief into a draft story" not in page
        assert client.get(story_url, follow=True).status_code == 200  # the author may open their draft


@pytest.mark.django_db
class TestCustomerPageAndHome:
    @pytest.mark.parametrize("count", [2, 30])
    def test_the_customer_page_lists_meetings_in_fixed_queries(self, as_user, staff, customer, count, django_assert_num_queries):
        for i in range(count):
            MeetingFactory(customer=customer, title=f"Review {i}")
        client = as_user(staff)
        client.get(customer.get_absolute_url())  # warm up other apps' sections
        MeetingFactory(customer=customer, title=f"Review {count}")
        other = Client()
        other.force_login(UserFactory())
        for viewer in (client, other):
            with CaptureQueriesContext(connection) as ctx:
                body = viewer.get(customer.get_absolute_url()).content.decode()
            # upcoming and past together, with their seats and debriefs: one query on every request
            assert len([q for q in ctx.captured_queries if "meetings_meeting" in q["sql"]]) == 1
            assert "Customer meetings" in body and "Review 0" in body

    def test_the_customer_page_shows_seats_left_and_debriefs(self, as_user, staff, customer, meeting, past_meeting):
        SeatFactory(meeting=meeting)
        for seat in SeatFactory.create_batch(2, meeting=past_meeting):
            DebriefFactory(seat=seat)
        section = selectors.customer_section_context(customer)
        assert [(m.title, m.seats_left()) for m in section["upcoming"]] == [("Annual review with Ken", 1)]
        assert [(m.title, m.debrief_count) for m in section["past"]] == [("Quarterly review", 2)]
        body = as_user(staff).get(customer.get_absolute_url()).content.decode()
        assert "1 seat left" in body and "2 debriefs" in body

    def test_the_home_page_asks_for_a_debrief(self, as_user, staff, past_meeting):
        SeatFactory(meeting=past_meeting, user=staff)
        body = as_user(staff).get(reverse("home")).content.decode()
        assert "Tell your team what you heard" in body
        assert reverse("meetings:debrief", args=[past_meeting.pk]) in body


class TestTimeZoneShown:
    @pytest.mark.parametrize(("zone", "month", "shown"), [
        ("America/New_York", 1, "America/New York (UTC−5)"),
        ("America/New_York", 7, "America/New York (UTC−4)"),
        ("Asia/Kolkata", 1, "Asia/Kolkata (UTC+5:30)"),
        ("UTC", 7, "UTC (UTC+0)"),
    ])
    def test_the_meeting_names_the_readers_zone_with_its_offset_then(self, as_user, staff, customer, zone, month, shown):
        starts = datetime.datetime(2027, month, 12, 15, 0, tzinfo=datetime.UTC)
        meeting = MeetingFactory(customer=customer, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1),
                                 signup_closes_at=starts - datetime.timedelta(days=1))
        staff.time_zone = zone
        staff.save(update_fields=["time_zone"])
        page = as_user(staff).get(meeting.get_absolute_url()).content.decode()
        assert f"<bdi>{shown}</bdi>" in page


class TestBriefingShown:
    def test_the_untouched_default_reads_in_the_readers_language(self, as_user, staff, customer):
        with translation.override("en"):
            meeting = MeetingFactory(customer=customer, briefing=str(DEFAULT_BRIEFING))
        staff.language = "he"
        staff.save(update_fields=["language"])
        page = as_user(staff).get(meeting.get_absolute_url()).content.decode()
        with translation.override("he"):
            hebrew = str(DEFAULT_BRIEFING)
        assert hebrew != "Your only job is to listen." and hebrew in page
        assert "Your only job is to listen." not in page

    def test_the_hosts_own_words_stay_as_written(self, as_user, staff, customer):
        meeting = MeetingFactory(customer=customer, briefing="Listen for what slows their crews down.")
        staff.language = "he"
        staff.save(update_fields=["language"])
        assert "Listen for what slows their crews down." in as_user(staff).get(meeting.get_absolute_url()).content.decode()

    @pytest.mark.parametrize(("persona", "url"), [("admin_user", "admin:meetings_meeting_change"), ("host", "meetings:edit")])
    def test_the_edit_forms_show_the_untouched_default_in_the_editors_language(self, request, as_user, persona, url):
        editor = request.getfixturevalue(persona)
        with translation.override("en"):
            meeting = MeetingFactory(host=request.getfixturevalue("host"), briefing=str(DEFAULT_BRIEFING))
        editor.language = "he"
        editor.save(update_fields=["language"])
        page = as_user(editor).get(reverse(url, args=[meeting.pk])).content.decode()
        with translation.override("he"):
            hebrew = str(DEFAULT_BRIEFING)
        assert escape(hebrew) + "</textarea>" in page
        assert "Your only job is to listen." not in page

    def test_the_admin_shows_the_hosts_own_words_as_written(self, as_user, admin_user):
        meeting = MeetingFactory(briefing="Listen for what slows their crews down.")
        admin_user.language = "he"
        admin_user.save(update_fields=["language"])
        page = as_user(admin_user).get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).content.decode()
        assert "Listen for what slows their crews down.</textarea>" in page

    @pytest.mark.parametrize("form_class", [MeetingForm, MeetingAdminForm])
    def test_the_default_sent_back_untouched_stays_as_stored(self, db, form_class):
        """Saved as shown, the default changes nothing: no new SEQUENCE, no update emails to listeners."""
        with translation.override("en"):
            meeting = MeetingFactory(briefing=str(DEFAULT_BRIEFING))
        with translation.override("he"):
            form = form_class(data={"briefing": str(DEFAULT_BRIEFING)}, instance=meeting)
            form.is_valid()
        assert form.cleaned_data["briefing"] == "Your only job is to listen."

    @pytest.mark.parametrize("form_class", [MeetingForm, MeetingAdminForm])
    def test_a_briefing_written_over_the_default_is_kept(self, db, form_class):
        with translation.override("en"):
            meeting = MeetingFactory(briefing=str(DEFAULT_BRIEFING))
        with translation.override("he"):
            form = form_class(data={"briefing": "Listen for their delivery windows."}, instance=meeting)
            form.is_valid()
        assert form.cleaned_data["briefing"] == "Listen for their delivery windows."
