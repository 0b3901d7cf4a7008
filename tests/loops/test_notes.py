import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from digests.models import KIND_FIELDS, Kind, NotificationPreferences
from loops import services
from loops.models import Note, NoteNotice
from portal.models import PendingTask
from tests.conftest import frozen_at
from tests.factories import UserFactory

from .conftest import NOW, make_note

now = pytest.fixture(autouse=True)(frozen_at(NOW))


def add_url(customer):
    return reverse("loops:note_add", args=[customer.slug])


def post_note(client, customer, **data):
    fields = {"kind": "complaint", "text": "Two pallets arrived damaged.", "visibility": "everyone", "route": ""}
    fields.update(data)
    return client.post(add_url(customer), {f"note-{k}": v for k, v in fields.items()})


@pytest.mark.django_db
class TestNoteAdd:
    @pytest.mark.parametrize(
        ("persona", "allowed"),
        [("host", True), ("owner", True), ("seller", True), ("admin_user", True), ("staff", False),
         ("leader", False), ("outsider", False)],
    )
    def test_who_may_add_notes(self, request, as_user, customer, persona, allowed):
        client = as_user(request.getfixturevalue(persona))
        response = post_note(client, customer)
        assert (response.status_code == 302) is allowed
        assert Note.objects.count() == (1 if allowed else 0)
        if not allowed:
            assert response.status_code == 403

    def test_it_rejects_get_writes_and_keeps_bad_input(self, as_user, owner, customer):
        client = as_user(owner)
        assert client.get(add_url(customer)).status_code == 200  # the form
        response = post_note(client, customer, text="", link="not a link")
        assert response.status_code == 200 and Note.objects.count() == 0
        body = response.content.decode()
        assert "Write a short note." in body and "not a link" in body

    def test_teams_visibility_needs_teams(self, as_user, owner, customer):
        response = post_note(as_user(owner), customer, visibility="teams")
        assert response.status_code == 200 and Note.objects.count() == 0
        assert "Choose the teams who may read it." in response.content.decode()

    def test_a_contact_of_another_customer_is_refused(self, owner, customer):
        from tests.factories import ContactFactory

        with pytest.raises(ValidationError):
            services.note_add(by=owner, customer=customer, kind="call", text="Hi", contact=ContactFactory())
        assert Note.objects.count() == 0

    def test_htmx_returns_the_refreshed_timeline(self, as_user, owner, customer):
        client = as_user(owner)
        response = client.post(add_url(customer), {"note-kind": "praise", "note-text": "Loved the quick fix.",
                                                   "note-visibility": "everyone"}, headers={"HX-Request": "true"})
        body = response.content.decode()
        assert body.lstrip().startswith('<div id="timeline"') and "Loved the quick fix." in body

    def test_htmx_says_it_was_added_at_once_not_on_the_next_page(self, as_user, owner, customer):
        client = as_user(owner)
        response = client.post(add_url(customer), {"note-kind": "praise", "note-text": "Loved the quick fix.",
                                                   "note-visibility": "everyone"}, headers={"HX-Request": "true"})
        body = response.content.decode()
        # out of band, into the page's message region
        notice = body[body.index('<div id="messages" hx-swap-oob="innerHTML">'):]
        assert "Note added to the timeline." in notice and "data-dismiss" in notice
        assert "Note added to the timeline." not in client.get(customer.get_absolute_url()).content.decode()

    def test_without_htmx_the_message_waits_for_the_page_it_lands_on(self, as_user, owner, customer):
        client = as_user(owner)
        response = client.post(add_url(customer), {"note-kind": "praise", "note-text": "Loved the quick fix.",
                                                   "note-visibility": "everyone"}, follow=True)
        body = response.content.decode()
        assert 'hx-swap-oob' not in body
        assert '<div id="messages" role="status">' in body and "Note added to the timeline." in body


@pytest.mark.django_db(transaction=True)
class TestRouting:
    def test_for_the_account_owner_emails_them(self, host, owner, customer):
        note = services.note_add(by=host, customer=customer, kind="renewal_risk", text="They are talking to a rival.",
                                 route=Note.Route.OWNER)
        assert note.status == Note.Status.OPEN and note.route_user == owner
        assert [m.to for m in mail.outbox] == [[owner.email]]
        assert "Ken's Plumbing Supply" in mail.outbox[0].subject
        assert reverse("loops:note", args=[note.pk]) in mail.outbox[0].body

    def test_for_a_team_emails_its_members_but_not_the_author(self, host, owner, seller, customer, sales):
        services.note_add(by=owner, customer=customer, kind="complaint", text="Late again.", route=Note.Route.TEAM,
                          route_team=sales)
        assert sorted(m.to[0] for m in mail.outbox) == [seller.email]

    def test_only_customer_facing_teams_take_notes(self, host, customer, finance):
        with pytest.raises(ValidationError):
            services.note_add(by=host, customer=customer, kind="call", text="x", route=Note.Route.TEAM, route_team=finance)
        assert Note.objects.count() == 0 and not mail.outbox

    def test_a_customer_without_owner_cannot_route_to_one(self, host, customer):
        customer.account_owner = None
        customer.save()
        with pytest.raises(ValidationError):
            services.note_add(by=host, customer=customer, kind="call", text="x", route=Note.Route.OWNER)

    def test_the_account_owner_is_not_offered_routing_to_themselves(self, as_user, host, owner, customer):
        form = as_user(owner).get(reverse("loops:timeline", args=[customer.slug])).context["form"]
        assert Note.Route.OWNER not in dict(form.fields["route"].choices)
        assert Note.Route.OWNER in dict(as_user(host).get(reverse("loops:timeline", args=[customer.slug])).context["form"].fields["route"].choices)
        with pytest.raises(ValidationError, match="account owner"):
            services.note_add(by=owner, customer=customer, kind="call", text="x", route=Note.Route.OWNER)
        assert Note.objects.count() == 0 and not mail.outbox

    def test_the_email_never_names_a_customer_who_asked_not_to_be(self, host, owner, customer):
        customer.do_not_name = True
        customer.employees = 40
        customer.save()
        services.note_add(by=host, customer=customer, kind="complaint", text="Ken is upset about Ken's order.",
                          route=Note.Route.OWNER)
        message = mail.outbox[0]
        for part in (message.subject, message.body, message.alternatives[0][0]):
            assert "Ken" not in part
        assert "40-person" in message.body

    def test_a_failing_mail_server_never_fails_the_write(self, host, owner, customer, monkeypatch):
        def boom(*args, **kwargs):
            raise OSError("mail server down")

        monkeypatch.setattr("loops.tasks.send_email", boom)
        note = services.note_add(by=host, customer=customer, kind="call", text="Call back.", route=Note.Route.OWNER)
        assert Note.objects.filter(pk=note.pk, status="open").exists()
        assert PendingTask.objects.filter(task="loops.tasks.send_note_routed_task").count() == 1
        assert NoteNotice.objects.get().emailed_at is None  # released, so the retry sends it
        monkeypatch.undo()
        from portal.lib.tasks import retry_pending

        assert retry_pending() == (1, 0) and len(mail.outbox) == 1

    def test_the_task_run_twice_sends_once(self, host, owner, customer):
        services.note_add(by=host, customer=customer, kind="call", text="Call back.", route=Note.Route.OWNER)
        from loops.tasks import send_note_routed_task

        assert send_note_routed_task.apply(args=[NoteNotice.objects.get().pk]).get() == 0
        assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
class TestRoutedNoteEmailPreferences:
    """"A customer note routed to you or your team" is an email kind of its own (on by default)."""

    def test_it_is_on_by_default_and_carries_a_one_click_unsubscribe(self, host, owner, customer):
        services.note_add(by=host, customer=customer, kind="call", text="Call back.", route=Note.Route.OWNER)
        message = mail.outbox[0]
        link = message.extra_headers["List-Unsubscribe"][1:-1]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in message.body and link.replace("&", "&amp;") in message.alternatives[0][0]
        assert reverse("digests:settings") in message.alternatives[0][0]

    def test_turned_off_no_email_but_the_note_still_waits_on_them(self, as_user, host, owner, seller, customer, sales):
        NotificationPreferences.objects.create(user=seller, note_routed=False)
        teammate = UserFactory(team=sales)
        note = services.note_add(by=owner, customer=customer, kind="complaint", text="Late again.",
                                 route=Note.Route.TEAM, route_team=sales)
        assert [m.to for m in mail.outbox] == [[teammate.email]]
        notice = NoteNotice.objects.get(user=seller)
        assert notice.emailed_at is not None  # done with: no retry sends it later
        from loops.tasks import send_note_routed_task

        assert send_note_routed_task.apply(args=[notice.pk]).get() == 0 and len(mail.outbox) == 1
        assert "Late again." in as_user(seller).get(reverse("home")).content.decode()
        assert Note.objects.get(pk=note.pk).status == "open"

    def test_the_email_link_turns_off_just_routed_notes(self, host, owner, customer, settings):
        services.note_add(by=host, customer=customer, kind="call", text="Call back.", route=Note.Route.OWNER)
        link = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1].removeprefix(settings.SITE_URL)
        response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        prefs = NotificationPreferences.objects.get(user=owner)
        assert prefs.note_routed is False
        assert all(getattr(prefs, field) for kind, field in KIND_FIELDS.items() if kind != Kind.NOTE_ROUTED)
        services.note_add(by=host, customer=customer, kind="call", text="Again.", route=Note.Route.OWNER)
        assert len(mail.outbox) == 1


@pytest.mark.django_db
class TestRespond:
    @pytest.fixture
    def routed(self, host, sales, customer):
        return make_note(customer, host, kind="complaint", text="Late again.", route="team", route_team=sales, status="open")

    def url(self, note):
        return reverse("loops:note_respond", args=[note.pk])

    @pytest.mark.parametrize(
        ("persona", "allowed"),
        [("seller", True), ("owner", True), ("admin_user", True), ("host", False), ("staff", False), ("leader", False)],
    )
    def test_who_may_answer(self, request, as_user, routed, persona, allowed):
        client = as_user(request.getfixturevalue(persona))
        response = client.post(self.url(routed), {"answer": "On it: a new truck tomorrow."})
        routed.refresh_from_db()
        assert (routed.status == "answered") is allowed
        assert response.status_code == (302 if allowed else 403)

    def test_get_is_refused(self, as_user, seller, routed):
        assert as_user(seller).get(self.url(routed)).status_code == 405

    def test_acknowledge_or_answer_and_the_first_wins(self, seller, owner, routed):
        services.note_respond(by=seller, note=routed, acknowledge=True)
        routed.refresh_from_db()
        assert routed.status == "acknowledged" and routed.responded_by == seller
        with pytest.raises(ValidationError):
            services.note_respond(by=owner, note=routed, answer="Me too")
        routed.refresh_from_db()
        assert routed.responded_by == seller and routed.answer == ""

    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_too_long_answer_comes_back_as_written(self, as_user, seller, routed, htmx):
        answer = "We re-ship on the early truck. " * 20  # 620 characters
        headers = {"HX-Request": "true"} if htmx else {}
        response = as_user(seller).post(self.url(routed), {"answer": answer}, headers=headers)
        page = response.content.decode()
        assert response.status_code == (200 if htmx else 400)
        assert "Your answer is too long: at most 500 characters." in page
        assert f'aria-invalid="true" aria-describedby="answer-{routed.pk}-error">{answer}</textarea>' in page
        assert f'id="answer-{routed.pk}-error"' in page  # the error it is described by
        routed.refresh_from_db()
        assert routed.status == "open" and routed.answer == ""

    @pytest.mark.parametrize("htmx", [False, True])
    def test_answered_by_a_colleague_meanwhile_the_answer_comes_back_to_copy(self, as_user, seller, owner, routed, htmx):
        services.note_respond(by=owner, note=routed, answer="Called them: re-shipped this morning.")
        headers = {"HX-Request": "true"} if htmx else {}
        response = as_user(seller).post(self.url(routed), {"answer": "We re-ship on the early truck."}, headers=headers)
        page = response.content.decode()
        assert "Someone has already answered this note." in page
        assert "Called them: re-shipped this morning." in page  # theirs, as it is saved
        assert ">We re-ship on the early truck.</textarea>" in page and "readonly" in page  # ours, to copy
        routed.refresh_from_db()
        assert routed.answer == "Called them: re-shipped this morning."

    def test_a_one_word_answer_sent_after_a_colleague_answered_comes_back_too(self, as_user, seller, owner, routed):
        services.note_respond(by=owner, note=routed, answer="Called them.")
        page = as_user(seller).post(self.url(routed), {"answer": "credited", "acknowledge": "on"}).content.decode()
        assert 'dir="auto">credited</textarea>' in page  # lower case, one word: still what they wrote
        assert 'dir="auto">on</textarea>' not in page  # the tick box is not writing

    def test_corrected_after_a_refusal_it_goes_back_where_it_was_sent_from(self, as_user, seller, routed):
        """Without JavaScript: a refused answer draws the note's page again; its form still says where
        the answer came from, not the answering address (which takes only POST)."""
        home = reverse("home")
        client = as_user(seller)
        page = client.post(self.url(routed), {"answer": "x" * 600, "next": home}).content.decode()
        assert f'name="next" value="{home}"' in page
        response = client.post(self.url(routed), {"answer": "Credited.", "next": home})
        assert response.status_code == 302 and response["Location"] == home
        page = client.post(self.url(make_note(routed.customer, routed.author, kind="complaint", text="Again.",
                                              route="team", route_team=routed.route_team, status="open")),
                           {"answer": "x" * 600}).content.decode()  # no next: the note's own page
        answering = page.split('class="note-respond"', 1)[1]
        assert re.search(r'name="next" value="/loops/notes/\d+/"', answering)

    def test_an_empty_answer_changes_nothing(self, as_user, seller, routed):
        response = as_user(seller).post(self.url(routed), {"answer": "  "}, headers={"HX-Request": "true"})
        routed.refresh_from_db()
        assert routed.status == "open" and "Write an answer" in response.content.decode()

    def test_htmx_returns_the_status(self, as_user, seller, routed):
        body = as_user(seller).post(self.url(routed), {"answer": "Done."}, headers={"HX-Request": "true"}).content.decode()
        assert body.lstrip().startswith(f'<div class="note-status" id="note-status-{routed.pk}"') and "Done." in body

    @pytest.mark.parametrize(
        ("posted", "lands_on"),
        [("/?panel=notes", "/?panel=notes"), ("https://evil.example/", None), ("a b", None), ("home", None),
         ("/" + "x" * 3000, None), ("", None)],
    )
    def test_it_goes_back_where_it_was_answered_on_this_site_only(self, as_user, seller, routed, posted, lands_on):
        response = as_user(seller).post(self.url(routed), {"answer": "Done.", "next": posted})
        routed.refresh_from_db()
        assert routed.status == "answered"
        assert response.status_code == 302 and response["Location"] == (lands_on or routed.get_absolute_url())

    def test_a_note_one_may_not_read_is_a_404(self, as_user, outsider, host, customer):
        hidden = make_note(customer, host, visibility="leaders")
        client = as_user(outsider)
        assert client.get(reverse("loops:note", args=[hidden.pk])).status_code == 404
        assert client.post(self.url(hidden), {"answer": "x"}).status_code == 404

    def test_the_home_panel_lists_open_notes_in_one_query(self, as_user, seller, routed, host, customer, django_assert_num_queries):
        from loops.selectors import routed_notes_panel

        make_note(customer, host, text="For the owner", route="owner", route_user=customer.account_owner, status="open")
        make_note(customer, host, text="Answered", route="team", route_team=seller.team, status="answered")
        with django_assert_num_queries(1) as captured:
            panel = routed_notes_panel(seller)
        assert [n.text for n in panel["notes"]] == ["Late again."]
        # It joins only what an open note's line shows (customer, author, whom it is routed to): every
        # join more costs PostgreSQL planning time on every home page, for everyone.
        assert captured.captured_queries[0]["sql"].count(" JOIN ") == 4
        body = as_user(seller).get(reverse("home")).content.decode()
        assert "Notes waiting on you" in body and "Late again." in body

    def test_nothing_open_leaves_the_panel_out(self, staff, routed):
        from loops.selectors import routed_notes_panel

        assert routed_notes_panel(staff) is None


@pytest.mark.django_db
class TestEdit:
    """The author (or an admin) corrects or deletes a note while it is not routed or still open."""

    @pytest.fixture
    def note(self, owner, customer, contact):
        return make_note(customer, owner, kind="call", text="Called about the sping order.", contact=contact)

    def edit(self, client, note, **data):
        fields = {"kind": "praise", "text": "Called about the spring order: all good.", "visibility": "everyone", "link": ""}
        fields.update(data)
        return client.post(reverse("loops:note_edit", args=[note.pk]), {f"note-{k}": v for k, v in fields.items()})

    @pytest.mark.parametrize(
        ("persona", "allowed"),
        [("owner", True), ("admin_user", True), ("seller", False), ("host", False), ("leader", False), ("staff", False)],
    )
    def test_who_may_correct_a_note(self, request, as_user, note, persona, allowed):
        response = self.edit(as_user(request.getfixturevalue(persona)), note)
        note.refresh_from_db()
        assert (note.text == "Called about the spring order: all good.") is allowed
        assert response.status_code == (302 if allowed else 403)
        if allowed:
            assert note.kind == "praise" and note.contact is None
            assert NOW <= note.edited_at < NOW + datetime.timedelta(minutes=1)

    def test_the_page_offers_it_to_the_author_only_and_says_edited(self, as_user, owner, seller, note):
        page = reverse("loops:note", args=[note.pk])
        edit = reverse("loops:note_edit", args=[note.pk])
        assert edit in as_user(owner).get(page).content.decode()
        assert edit not in as_user(seller).get(page).content.decode()
        self.edit(as_user(owner), note)
        assert "edited" in as_user(seller).get(page).content.decode()

    def test_the_form_shows_what_the_note_says(self, as_user, owner, note, contact):
        body = as_user(owner).get(reverse("loops:note_edit", args=[note.pk])).content.decode()
        assert "Called about the sping order." in body
        assert f'<option value="{contact.pk}" selected>' in body
        assert 'name="note-route"' not in body  # its routing stays as it is

    def test_bad_input_changes_nothing_and_keeps_what_was_typed(self, as_user, owner, note):
        response = self.edit(as_user(owner), note, text="", link="not a link")
        note.refresh_from_db()
        assert response.status_code == 200 and note.text == "Called about the sping order." and note.edited_at is None
        body = response.content.decode()
        assert "Write a short note." in body and "not a link" in body

    def test_a_second_correction_never_undoes_the_first_and_loses_nothing(self, as_user, owner, admin_user, note):
        seen = as_user(owner).get(reverse("loops:note_edit", args=[note.pk])).context["form"].initial["seen"]
        assert self.edit(as_user(admin_user), note, text="Called about the spring order.", seen=seen).status_code == 302
        response = self.edit(as_user(owner), note, text="Called about the spring order: two pallets short.", seen=seen)
        page = response.content.decode()
        assert "Someone else corrected this note while you were editing it." in page
        assert "Called about the spring order: two pallets short.</textarea>" in page
        note.refresh_from_db()
        assert note.text == "Called about the spring order."
        again = response.context["form"].data["note-seen"]
        assert again != seen
        self.edit(as_user(owner), note, text="Called about the spring order: two pallets short.", seen=again)
        note.refresh_from_db()
        assert note.text == "Called about the spring order: two pallets short."

    def test_narrowing_who_may_read_it_takes_effect(self, as_user, owner, staff, note, sales):
        self.edit(as_user(owner), note, visibility="teams", audience=sales.pk)
        assert as_user(staff).get(reverse("loops:note", args=[note.pk])).status_code == 404

    def test_an_answered_note_stays_as_it_was_answered(self, as_user, host, seller, customer, sales):
        routed = make_note(customer, host, kind="complaint", text="Late again.", route="team", route_team=sales, status="open")
        services.note_respond(by=seller, note=routed, answer="A new truck tomorrow.")
        client = as_user(host)
        assert client.get(reverse("loops:note_edit", args=[routed.pk])).status_code == 302
        refused = self.edit(client, routed, text="Not late at all.")
        body = refused.content.decode()  # answered while the form was open: refused, and what was typed stays
        assert "This note has been answered: it stays as it was when it was answered." in body
        assert "Not late at all." in body
        response = client.post(reverse("loops:note_delete", args=[routed.pk]))
        routed.refresh_from_db()
        assert routed.text == "Late again." and routed.edited_at is None
        assert response.status_code == 302 and Note.objects.filter(pk=routed.pk).exists()
        with pytest.raises(ValidationError):
            services.note_delete(by=host, note=routed)

    def test_an_open_routed_note_can_be_corrected_and_keeps_its_routing(self, as_user, host, customer, sales):
        routed = make_note(customer, host, kind="complaint", text="Late agian.", route="team", route_team=sales, status="open")
        self.edit(as_user(host), routed, kind="complaint", text="Late again.")
        routed.refresh_from_db()
        assert routed.text == "Late again." and routed.route == "team" and routed.route_team == sales
        assert routed.status == "open"

    def test_delete_takes_it_off_the_timeline(self, as_user, owner, seller, note, customer):
        assert as_user(seller).post(reverse("loops:note_delete", args=[note.pk])).status_code == 403
        response = as_user(owner).post(reverse("loops:note_delete", args=[note.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("loops:timeline", args=[customer.slug])
        assert not Note.objects.filter(pk=note.pk).exists()
        assert as_user(owner).get(reverse("loops:note_delete", args=[note.pk])).status_code in (404, 405)

    def test_a_deleted_routed_note_sends_no_email(self, host, owner, customer, django_capture_on_commit_callbacks):
        from loops.tasks import send_note_routed_task

        routed = services.note_add(by=host, customer=customer, kind="complaint", text="Late.", route="owner")
        notice = NoteNotice.objects.get(note=routed)
        services.note_delete(by=host, note=routed)
        mail.outbox.clear()
        assert send_note_routed_task.run(notice.pk) == 0 and mail.outbox == []
