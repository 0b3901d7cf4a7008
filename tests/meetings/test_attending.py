"""Who attends from the customer: the host ticks the customer's people on the meeting form (only that
customer's, at most BRIEF_ATTENDING), the meeting page names them to every colleague (no FORD notes),
and the listener brief and the reminder the day before show exactly them with their FORD notes (audited
as the brief's people always were), falling back to the key contacts when nobody is ticked."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.models import ContactAudit
from customers.selectors import BRIEF_ATTENDING
from digests import services as digest_services
from meetings import services
from meetings.models import Meeting
from tests.conftest import PERSONAS, frozen_at
from tests.factories import ContactFactory, CustomerFactory, MeetingFactory, SeatFactory

NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True, name="now")(frozen_at(NOW))
HTMX = {"HTTP_HX_REQUEST": "true"}


def days(n):
    return NOW + datetime.timedelta(days=n)


def local_input(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(customer, contacts=(), **changes):
    start = days(20).replace(second=0, microsecond=0)
    data = {
        "customer": customer.pk, "kind": "annual_review", "title": "Annual review with Ken",
        "starts_at": local_input(start), "ends_at": local_input(start + datetime.timedelta(hours=1)),
        "place": "Dayton warehouse", "video_url": "", "seats": "3",
        "signup_closes_at": local_input(start - datetime.timedelta(days=2)), "briefing": "Listen. Take notes.",
        "customer_contacts": [str(c.pk) for c in contacts],
    }
    data.update(changes)
    return data


@pytest.fixture
def kens(db):
    return CustomerFactory(name="Ken's Plumbing Supply", slug="kens")


@pytest.fixture
def people(kens):
    """Ken and Rosa (key, with notes), Pat (key, no notes) and Dana (not key, with notes)."""
    return {
        "ken": ContactFactory(customer=kens, name="Ken Alvarez", role="Owner", family="Married to Luz.", dreams="Hand over to Rosa."),
        "rosa": ContactFactory(customer=kens, name="Rosa Alvarez", role="Operations", family="Two young sons."),
        "pat": ContactFactory(customer=kens, name="Pat Quiet", role="Clerk", family="", occupation="", recreation="", dreams=""),
        "dana": ContactFactory(customer=kens, name="Dana Ruiz", role="Warehouse lead", is_key=False, recreation="Salsa on Fridays."),
    }


@pytest.fixture
def stranger(db):
    """Someone at another customer."""
    return ContactFactory(customer=CustomerFactory(name="Blue Harbour", slug="blue"), name="Bo Stranger", family="Sails.")


@pytest.fixture
def meeting(kens, host):
    return MeetingFactory(customer=kens, host=host, title="Annual review with Ken", seats=2,
                          starts_at=days(10), ends_at=days(10) + datetime.timedelta(hours=2), signup_closes_at=days(9))


def edit_url(meeting):
    return reverse("meetings:edit", args=[meeting.pk])


def brief_url(meeting):
    return reverse("meetings:brief", args=[meeting.pk])


def attending_names(meeting):
    return sorted(meeting.customer_contacts.values_list("name", flat=True))


@pytest.mark.django_db
class TestTheForm:
    url = reverse("meetings:new")

    def test_the_host_ticks_who_attends(self, as_user, host, kens, people):
        response = as_user(host).post(self.url, form_data(kens, [people["ken"], people["dana"]]))
        assert response.status_code == 302
        assert attending_names(Meeting.objects.get()) == ["Dana Ruiz", "Ken Alvarez"]

    def test_nobody_ticked_is_fine(self, as_user, host, kens, people):
        assert as_user(host).post(self.url, form_data(kens)).status_code == 302
        assert attending_names(Meeting.objects.get()) == []

    def test_the_form_lists_the_customers_people_only(self, as_user, host, meeting, people, stranger):
        body = as_user(host).get(edit_url(meeting)).content.decode()
        for person in people.values():
            assert f'name="customer_contacts" value="{person.pk}"' in body
        assert "Bo Stranger" not in body and f'value="{stranger.pk}"' not in body

    def test_a_contact_of_another_customer_is_an_error_and_nothing_is_saved(self, as_user, host, kens, people, stranger):
        response = as_user(host).post(self.url, form_data(kens, [people["ken"], stranger]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Tick only people who work at the customer chosen above" in body
        assert 'value="Annual review with Ken"' in body  # what was typed is kept
        assert Meeting.objects.count() == 0

    def test_a_foreign_contact_changes_nothing_on_edit(self, as_user, host, meeting, people, stranger):
        meeting.customer_contacts.set([people["rosa"]])
        response = as_user(host).post(edit_url(meeting), form_data(meeting.customer, [stranger], title="Renamed"))
        assert response.status_code == 200 and "Tick only people who work at the customer chosen above" in response.content.decode()
        meeting.refresh_from_db()
        assert meeting.title == "Annual review with Ken" and attending_names(meeting) == ["Rosa Alvarez"]

    def test_picks_made_for_the_former_customer_are_rejected_when_it_changes(self, as_user, host, meeting, people, stranger):
        meeting.customer_contacts.set([people["ken"]])
        blue = stranger.customer
        response = as_user(host).post(edit_url(meeting), form_data(blue, [people["ken"]]))
        body = response.content.decode()
        assert "Tick only people who work at the customer chosen above" in body
        assert "Bo Stranger" in body and "Ken Alvarez" not in body  # the form now offers Blue Harbour's people
        meeting.refresh_from_db()
        assert meeting.customer == people["ken"].customer and attending_names(meeting) == ["Ken Alvarez"]
        # Ticking again from the new customer's people saves.
        assert as_user(host).post(edit_url(meeting), form_data(blue, [stranger])).status_code == 302
        meeting.refresh_from_db()
        assert meeting.customer == blue and attending_names(meeting) == ["Bo Stranger"]

    def test_at_most_the_briefs_room(self, as_user, host, kens):
        many = ContactFactory.create_batch(BRIEF_ATTENDING + 1, customer=kens)
        response = as_user(host).post(self.url, form_data(kens, many))
        assert f"Tick at most {BRIEF_ATTENDING} people" in response.content.decode()
        assert Meeting.objects.count() == 0
        assert as_user(host).post(self.url, form_data(kens, many[:BRIEF_ATTENDING])).status_code == 302

    @pytest.mark.parametrize("bad", ["abc", "999999", "-1", "99999999999999999999", "\x00"])
    def test_nonsense_is_a_form_error(self, as_user, host, kens, people, bad):
        data = form_data(kens)
        data["customer_contacts"] = [bad]
        response = as_user(host).post(self.url, data)
        assert response.status_code == 200 and Meeting.objects.count() == 0

    def test_the_customer_changing_reloads_the_people_to_tick(self, as_user, host, kens, people, stranger):
        """htmx asks the form's own URL for the fragment of the chosen customer's people."""
        client = as_user(host)
        body = client.get(self.url, {"customer": stranger.customer_id}, **HTMX).content.decode()
        assert body.lstrip().startswith('<fieldset class="attending-field')
        assert "Bo Stranger" in body and "Ken Alvarez" not in body and "<html" not in body
        body = client.get(self.url, {"customer": kens.pk}, **HTMX).content.decode()
        assert "Ken Alvarez" in body and "Bo Stranger" not in body
        assert "Choose the customer first" in client.get(self.url, {"customer": "nope"}, **HTMX).content.decode()

    def test_without_javascript_the_same_address_is_the_whole_form(self, as_user, host, kens, people):
        body = as_user(host).get(self.url, {"customer": kens.pk}).content.decode()
        assert "<html" in body and "Ken Alvarez" in body
        assert f'<option value="{kens.pk}" selected>' in body

    def test_on_edit_the_ticked_people_start_ticked(self, as_user, host, meeting, people):
        meeting.customer_contacts.set([people["rosa"]])
        body = as_user(host).get(edit_url(meeting)).content.decode()
        assert f'value="{people["rosa"].pk}" id="id_customer_contacts_' in body
        rosa = body[body.index(f'value="{people["rosa"].pk}"'):][:80]
        ken = body[body.index(f'value="{people["ken"].pk}"'):][:80]
        assert " checked" in rosa and " checked" not in ken

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_the_fragment_is_for_those_who_may_open_or_edit(self, request, as_user, meeting, people, persona):
        client = as_user(request.getfixturevalue(persona))
        allowed = persona in ("host", "admin_user")
        assert client.get(self.url, {"customer": meeting.customer_id}, **HTMX).status_code == (200 if allowed else 403)
        assert client.get(edit_url(meeting), {"customer": meeting.customer_id}, **HTMX).status_code == (200 if allowed else 403)

    @pytest.mark.parametrize("size", [2, 40])
    def test_the_form_runs_a_fixed_number_of_queries(self, as_user, host, meeting, kens, size, django_assert_num_queries):
        contacts = ContactFactory.create_batch(size + 2, customer=kens)
        meeting.customer_contacts.set(contacts[:2])
        client = as_user(host)
        # session, user, the customer chosen (the picker's one option), its people to tick
        with django_assert_num_queries(4):
            client.get(self.url, {"customer": kens.pk})
        # session, user, its people
        with django_assert_num_queries(3):
            client.get(self.url, {"customer": kens.pk}, **HTMX)
        # session, user, meeting, the ticked people, the customer, its people
        with django_assert_num_queries(6):
            response = client.get(edit_url(meeting))
        assert response.content.decode().count('name="customer_contacts"') == size + 2
        # Saving: the form's checks (the posted customer, the ticks, the model's constraints), then the
        # lock, the people before, the change (a DELETE of who is unticked, an INSERT of who is new), the
        # meeting and the listeners' update: the same for 4 people to tick or 42.
        data = form_data(kens, contacts[1:3], title="Renamed")
        with django_assert_num_queries(44):
            assert client.post(edit_url(meeting), data).status_code == 302


@pytest.mark.django_db
class TestTheServices:
    def test_create_refuses_someone_of_another_customer(self, host, kens, people, stranger):
        with pytest.raises(ValidationError) as error:
            services.meeting_create(
                by=host, customer=kens, kind="annual_review", title="Review", starts_at=days(5),
                ends_at=days(5) + datetime.timedelta(hours=1), seats=2, signup_closes_at=days(4), place="Dayton",
                customer_contacts=[people["ken"], stranger],
            )
        assert "customer_contacts" in error.value.message_dict
        assert Meeting.objects.count() == 0

    def test_update_refuses_someone_of_another_customer_and_changes_nothing(self, host, meeting, people, stranger):
        meeting.customer_contacts.set([people["ken"]])
        with pytest.raises(ValidationError):
            services.meeting_update(by=host, meeting=meeting, title="Renamed", customer_contacts=[stranger])
        meeting.refresh_from_db()
        assert meeting.title == "Annual review with Ken" and attending_names(meeting) == ["Ken Alvarez"]

    def test_a_new_customer_without_new_people_drops_the_former_customers(self, host, meeting, people, stranger):
        meeting.customer_contacts.set([people["ken"]])
        services.meeting_update(by=host, meeting=meeting, customer=stranger.customer)
        assert attending_names(meeting) == []

    def test_changing_who_attends_sends_listeners_nothing(self, host, meeting, people, staff, django_capture_on_commit_callbacks):
        SeatFactory(meeting=meeting, user=staff)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_update(by=host, meeting=meeting, customer_contacts=[people["ken"], people["rosa"]])
        meeting.refresh_from_db()
        assert meeting.sequence == 0 and mail.outbox == []
        assert attending_names(meeting) == ["Ken Alvarez", "Rosa Alvarez"]

    def test_only_the_host_and_admins(self, staff, meeting, people):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.meeting_update(by=staff, meeting=meeting, customer_contacts=[people["ken"]])
        assert attending_names(meeting) == []


@pytest.mark.django_db
class TestTheBrief:
    @pytest.fixture
    def attended(self, meeting, people):
        meeting.customer_contacts.set([people["rosa"], people["dana"], people["pat"]])
        return meeting

    def test_it_shows_exactly_who_attends_with_their_notes(self, as_user, staff, attended):
        SeatFactory(meeting=attended, user=staff)
        page = as_user(staff).get(brief_url(attended)).content.decode()
        assert "Who attends from <bdi>Ken&#x27;s Plumbing Supply</bdi>" in page and "People you may meet" not in page
        assert "Rosa Alvarez" in page and "Dana Ruiz" in page and "Pat Quiet" in page
        assert "Ken Alvarez" not in page and "Married to Luz." not in page  # key, but not coming
        assert "Two young sons." in page and "Salsa on Fridays." in page

    def test_the_notes_shown_are_audited_and_only_those(self, as_user, staff, attended):
        SeatFactory(meeting=attended, user=staff)
        as_user(staff).get(brief_url(attended))
        # Pat has no notes, so nothing about Pat was seen; Ken's notes were not shown.
        assert sorted(ContactAudit.objects.filter(actor=staff, action="viewed").values_list("contact_name", flat=True)) == [
            "Dana Ruiz", "Rosa Alvarez",
        ]

    def test_someone_who_may_not_read_the_brief_sees_names_and_roles_only(self, as_user, outsider, attended):
        client = as_user(outsider)
        assert client.get(brief_url(attended)).status_code == 403
        page = client.get(attended.get_absolute_url()).content.decode()
        assert "Who attends from <bdi>Ken&#x27;s Plumbing Supply</bdi>" in page
        assert "Rosa Alvarez" in page and "Operations" in page and "Dana Ruiz" in page
        for notes in ("Two young sons.", "Salsa on Fridays.", "Married to Luz."):
            assert notes not in page
        assert not ContactAudit.objects.filter(actor=outsider).exists()

    @pytest.mark.parametrize("persona", ["host", "leader", "admin_user"])
    def test_the_host_leaders_and_admins_read_it_audited(self, request, as_user, attended, persona):
        reader = request.getfixturevalue(persona)
        page = as_user(reader).get(attended.get_absolute_url()).content.decode()
        assert "Two young sons." in page and "Married to Luz." not in page
        assert ContactAudit.objects.filter(actor=reader, action="viewed").count() == 2

    def test_with_nobody_ticked_it_falls_back_to_the_key_contacts(self, as_user, staff, meeting, people):
        SeatFactory(meeting=meeting, user=staff)
        page = as_user(staff).get(brief_url(meeting)).content.decode()
        assert "People you may meet" in page and "Who attends from" not in page
        assert page.index("Ken Alvarez") < page.index("Pat Quiet") < page.index("Rosa Alvarez") < page.index("Dana Ruiz")
        assert "Married to Luz." in page

    def test_the_meeting_page_tells_the_host_nobody_is_ticked(self, as_user, host, staff, meeting, people):
        assert "Nobody is picked yet." in as_user(host).get(meeting.get_absolute_url()).content.decode()
        assert "Who attends from" not in as_user(staff).get(meeting.get_absolute_url()).content.decode()

    @pytest.mark.parametrize("size", [1, 30])
    def test_the_brief_costs_the_same_whoever_attends(self, as_user, staff, kens, meeting, size, django_assert_num_queries):
        contacts = ContactFactory.create_batch(size, customer=kens)
        meeting.customer_contacts.set(contacts[:BRIEF_ATTENDING])
        SeatFactory(meeting=meeting, user=staff)
        client = as_user(staff)
        # session, user, meeting, my seat, who attends (one query for all), the FORD audit (one INSERT),
        # stories, open decisions (none: no tallies to ask for), debriefs' surprises, pulse
        with django_assert_num_queries(10):
            page = client.get(brief_url(meeting)).content.decode()
        assert page.count('class="brief__ford"') == min(size, BRIEF_ATTENDING)
        # the meeting page reads who attends from the brief's own query
        with django_assert_num_queries(10):
            client.get(meeting.get_absolute_url())

    @pytest.mark.parametrize("size", [1, 30])
    def test_the_meeting_page_names_them_in_one_query(self, as_user, outsider, kens, meeting, size, django_assert_num_queries):
        meeting.customer_contacts.set(ContactFactory.create_batch(size, customer=kens))
        client = as_user(outsider)
        # session, user, meeting with counts, my seat, who attends
        with django_assert_num_queries(5):
            page = client.get(meeting.get_absolute_url()).content.decode()
        assert page.count('<li><bdi>') >= size


@pytest.mark.django_db
class TestTheReminder:
    @pytest.fixture
    def tomorrow(self, meeting, people, staff):
        meeting.starts_at, meeting.ends_at = days(1), days(1) + datetime.timedelta(hours=2)
        meeting.signup_closes_at = days(1) - datetime.timedelta(hours=3)
        meeting.save()
        SeatFactory(meeting=meeting, user=staff)
        return meeting

    def send(self):
        [delivery_id] = digest_services.reminder_plan(now=NOW)
        assert digest_services.reminder_send(delivery_id, now=NOW) == "sent"
        [message] = mail.outbox
        return message.body, message.alternatives[0][0].replace("&#x27;", "'")

    def test_it_names_who_attends_with_their_notes(self, tomorrow, people, staff):
        tomorrow.customer_contacts.set([people["rosa"], people["dana"]])
        for body in self.send():
            assert "Who attends from" in body and "Ken's Plumbing Supply" in body and "People you may meet" not in body
            assert "Rosa Alvarez" in body and "Two young sons." in body and "Salsa on Fridays." in body
            assert "Married to Luz." not in body
        assert sorted(ContactAudit.objects.filter(actor=staff, action="viewed").values_list("contact_name", flat=True)) == [
            "Dana Ruiz", "Rosa Alvarez",
        ]

    def test_with_nobody_ticked_the_key_contacts(self, tomorrow, staff):
        for body in self.send():
            assert "People you may meet" in body and "Who attends from" not in body and "Married to Luz." in body


@pytest.mark.django_db
def test_the_demo_meeting_with_a_brief_has_two_people_attending(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # again: still the same two
    meeting = Meeting.objects.get(title="Annual business review with Ken and Rosa")
    assert attending_names(meeting) == ["Ken Alvarez", "Rosa Alvarez"]
    client.force_login(meeting.seat_set.filter(status="confirmed").first().user)
    brief = client.get(brief_url(meeting)).context["brief"]
    assert brief["attending"] and all(contact.has_ford_notes() for contact in brief["contacts"])
