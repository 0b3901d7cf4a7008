"""The quarterly employee pulse: setting the questions, inviting everyone once, answering once from the
email link without a name attached, the minimum-5 rule wherever results show, and who may see what."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core import mail
from django.test import Client
from django.urls import reverse

from digests.models import KIND_FIELDS, Kind, NotificationPreferences
from portal.models import User
from survey import selectors, services
from survey.digest import pick_pulse, prepare
from survey.models import Answer, Invitation, Response, Survey
from survey.tasks import send_invitations_batch_task, send_invitations_task
from survey.tokens import answer_token
from tests.conftest import frozen_at
from tests.factories import TeamFactory, UserFactory

from .builders import QUESTIONS, answer_as, answers_for, open_pulse, past_answers

NOW = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)  # Q4 2026
now = pytest.fixture(autouse=True)(frozen_at(NOW))
pytestmark = pytest.mark.django_db


@pytest.fixture
def pulse(admin_user, leader, staff, host, outsider, django_capture_on_commit_callbacks):
    """Q4 2026, open, everyone invited (and emailed)."""
    with django_capture_on_commit_callbacks(execute=True):
        survey = open_pulse(admin_user, year=2026, quarter=4)
    mail.outbox.clear()
    return survey


def answer_url(invitation):
    return reverse("survey:answer", kwargs={"token": answer_token(invitation)})


def form_data(survey, **kwargs):
    return {f"q{pk}": value for pk, value in answers_for(survey, **kwargs).items()}


# -- setting the questions ----------------------------------------------------------------------------


def setup_data(count, **extra):
    data = {"quarter": "2026Q4", "title": "Do we know our customers?", "closes_on": "2026-12-31"}
    for i in range(1, count + 1):
        data |= {f"q{i}_text": f"Question {i}?", f"q{i}_kind": "scale" if i > 1 else "text"}
    return data | extra


class TestSettingTheQuestions:
    def test_an_admin_sets_three_to_five_questions(self, as_user, admin_user):
        response = as_user(admin_user).post(reverse("survey:new"), setup_data(4))
        assert response.status_code == 302
        survey = Survey.objects.get()
        assert (survey.year, survey.quarter, survey.status) == (2026, 4, "draft")
        assert [q.kind for q in survey.questions.all()] == ["text", "scale", "scale", "scale"]
        assert survey.last_day == datetime.date(2026, 12, 31)

    @pytest.mark.parametrize("count", [0, 2])
    def test_fewer_than_three_is_refused_and_nothing_saved(self, as_user, admin_user, count):
        response = as_user(admin_user).post(reverse("survey:new"), setup_data(count))
        assert response.status_code == 200 and Survey.objects.count() == 0
        assert "This field is required." in response.content.decode() or "Ask from 3 to 5" in response.content.decode()

    def test_the_service_refuses_six(self, admin_user):
        with pytest.raises(Exception, match="Ask from 3 to 5"):
            services.survey_save(by=admin_user, year=2026, quarter=4, closes_at=NOW + datetime.timedelta(days=3),
                                 questions=[("scale", f"Q{i}") for i in range(6)])
        assert Survey.objects.count() == 0

    @pytest.mark.parametrize("closes_on", ["2026-11-01", "1999-12-31", "2101-01-01", "soon"])
    def test_a_bad_closing_day_is_refused(self, as_user, admin_user, closes_on):
        response = as_user(admin_user).post(reverse("survey:new"), setup_data(3, closes_on=closes_on))
        assert response.status_code == 200 and Survey.objects.count() == 0

    def test_a_quarter_has_one_pulse(self, as_user, admin_user):
        client = as_user(admin_user)
        client.post(reverse("survey:new"), setup_data(3))
        offered = [value for value, _label in client.get(reverse("survey:new")).context["form"].fields["quarter"].choices]
        assert offered == ["2026Q3", "2027Q1", "2027Q2"]  # Q4 2026 has its pulse
        response = client.post(reverse("survey:new"), setup_data(3))  # a form drawn before it had one
        assert "Choose one of the quarters offered: the others already have a pulse." in response.content.decode()
        assert Survey.objects.count() == 1
        with pytest.raises(ValidationError, match="This quarter already has a pulse."):
            services.survey_save(by=admin_user, year=2026, quarter=4, closes_at=NOW + datetime.timedelta(days=3),
                                 questions=[("scale", f"Q{i}") for i in range(3)])

    def test_a_new_pulse_is_offered_for_the_first_quarter_without_one(self, as_user, admin_user):
        client = as_user(admin_user)
        assert client.get(reverse("survey:new")).context["form"].initial["quarter"] == "2026Q4"
        open_pulse(admin_user, year=2026, quarter=4, send=False)
        form = client.get(reverse("survey:new")).context["form"]
        assert (form.initial["quarter"], form.initial["closes_on"]) == ("2027Q1", datetime.date(2027, 3, 31))

    def test_a_new_pulse_starts_from_last_quarters_questions(self, as_user, admin_user):
        past = open_pulse(admin_user, year=2026, quarter=4, send=False)
        Survey.objects.filter(pk=past.pk).update(year=2026, quarter=3)
        form = as_user(admin_user).get(reverse("survey:new")).context["form"]
        assert form.initial["q2_text"] == "I understand how my work affects our customers."

    @pytest.mark.parametrize("persona", ["leader", "staff", "host", "outsider"])
    def test_only_admins_manage(self, request, as_user, persona, admin_user):
        client = as_user(request.getfixturevalue(persona))
        draft = services.survey_save(by=admin_user, year=2026, quarter=4, closes_at=NOW + datetime.timedelta(days=3),
                                     questions=[("scale", f"Q{i}") for i in range(3)])
        assert client.get(reverse("survey:manage")).status_code == 403
        assert client.post(reverse("survey:new"), setup_data(3)).status_code == 403
        assert client.post(reverse("survey:open", args=[draft.pk])).status_code in (403, 404)
        draft.refresh_from_db()
        assert draft.status == "draft" and Invitation.objects.count() == 0

    def test_open_and_close_refuse_get(self, as_user, admin_user, pulse):
        client = as_user(admin_user)
        assert client.get(reverse("survey:open", args=[pulse.pk])).status_code == 405
        assert client.get(reverse("survey:close", args=[pulse.pk])).status_code == 405

    def test_an_open_pulse_keeps_its_questions(self, as_user, admin_user, pulse):
        assert as_user(admin_user).get(reverse("survey:edit", args=[pulse.pk])).status_code == 302
        response = as_user(admin_user).post(reverse("survey:edit", args=[pulse.pk]), setup_data(5))
        assert response.status_code == 200 and pulse.questions.count() == 3

    def test_opened_by_another_admin_meanwhile_what_was_typed_comes_back(self, as_user, admin_user):
        draft = services.survey_save(by=admin_user, year=2026, quarter=4, closes_at=NOW + datetime.timedelta(days=3),
                                     questions=[("scale", f"Q{i}") for i in range(3)])
        other = UserFactory(team=None, is_staff=True, is_superuser=True)
        services.survey_open(by=other, survey=draft)
        response = as_user(admin_user).post(reverse("survey:edit", args=[draft.pk]),
                                            setup_data(4, q4_text="Which customer did you meet this quarter?"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "The pulse was opened while you were editing it" in page
        assert 'value="Which customer did you meet this quarter?"' in page
        assert "Save the questions" not in page  # saving again could not work
        assert [q.text for q in draft.questions.all()] == ["Q0", "Q1", "Q2"]

    def test_a_second_admins_save_never_undoes_the_first_and_loses_nothing(self, as_user, admin_user):
        draft = services.survey_save(by=admin_user, year=2026, quarter=4, closes_at=NOW + datetime.timedelta(days=3),
                                     questions=[("scale", f"Q{i}") for i in range(3)])
        edit = reverse("survey:edit", args=[draft.pk])
        other = UserFactory(team=None, is_staff=True, is_superuser=True)
        seen = as_user(admin_user).get(edit).context["form"].initial["seen"]
        assert as_user(other).post(edit, setup_data(3, q3_text="Theirs?", seen=seen)).status_code == 302
        response = as_user(admin_user).post(edit, setup_data(3, q3_text="Mine?", seen=seen))
        page = response.content.decode()
        assert "Someone else saved these questions while you were editing them." in page
        assert 'value="Mine?"' in page
        assert [q.text for q in draft.questions.all()][-1] == "Theirs?"
        again = response.context["form"].data["seen"]
        assert again != seen
        assert as_user(admin_user).post(edit, setup_data(3, q3_text="Mine?", seen=again)).status_code == 302
        assert [q.text for q in draft.questions.all()][-1] == "Mine?"

    @pytest.mark.parametrize(("language", "open_word"), [("ar", "مفتوح"), ("he", "פתוח")])
    def test_an_open_pulse_is_open_in_the_pulse_s_own_grammar(self, as_user, admin_user, pulse, language, open_word):
        """A pulse (نبض, דופק) is masculine; a routed note's "Open" is feminine and must not leak in."""
        admin_user.language = language
        admin_user.save()
        page = as_user(admin_user).get(reverse("survey:manage"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        badge = page.split('class="badge badge--open">', 1)[1].split("<", 1)[0]
        assert badge == open_word


# -- inviting -----------------------------------------------------------------------------------------


class TestInviting:
    def test_opening_emails_everyone_their_own_link_once(self, admin_user, leader, staff, host, django_capture_on_commit_callbacks):
        UserFactory(is_active=False)
        with django_capture_on_commit_callbacks(execute=True):
            survey = open_pulse(admin_user, year=2026, quarter=4)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (admin_user, leader, staff, host))
        message = next(m for m in mail.outbox if m.to == [staff.email])
        invitation = Invitation.objects.get(survey=survey, user=staff)
        assert answer_url(invitation) in message.body and "Do we know our customers?" in message.subject
        assert invitation.status == "sent"
        # Opening again, the fan-out and a batch run twice: nobody gets a second email.
        with django_capture_on_commit_callbacks(execute=True):
            services.survey_open(by=admin_user, survey=survey)
        send_invitations_task.apply(args=[survey.pk])
        send_invitations_batch_task.apply(args=[survey.pk, list(Invitation.objects.values_list("pk", flat=True))])
        assert len(mail.outbox) == 4

    def test_next_quarters_pulse_opens_only_when_its_quarter_starts(self, as_user, admin_user, staff, pulse,
                                                                     django_capture_on_commit_callbacks):
        # Opened early it would take the place of this quarter's open pulse on everyone's home page.
        draft = services.survey_save(by=admin_user, year=2027, quarter=1, title="Next one",
                                     closes_at=datetime.datetime(2027, 2, 1, tzinfo=datetime.UTC),
                                     questions=QUESTIONS)
        client = as_user(admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("survey:open", args=[draft.pk]), follow=True)
        assert "This pulse is for Q1 2027: it can be opened from 1 Jan 2027." in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == "draft" and not draft.invitations.exists() and mail.outbox == []
        assert selectors.current_survey() == pulse
        with time_machine.travel(datetime.datetime(2027, 1, 1, 9, tzinfo=datetime.UTC)):
            with django_capture_on_commit_callbacks(execute=True):
                as_user(admin_user).post(reverse("survey:open", args=[draft.pk]))  # a session of that day
            draft.refresh_from_db()
            assert draft.status == "open" and selectors.current_survey() == draft

    def test_a_mail_server_that_is_down_never_fails_the_opening(self, admin_user, staff, django_capture_on_commit_callbacks):
        with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=smtplib.SMTPException("down")):
            with django_capture_on_commit_callbacks(execute=True):
                survey = open_pulse(admin_user, year=2026, quarter=4)
        survey.refresh_from_db()
        assert survey.status == "open"
        assert set(Invitation.objects.values_list("status", flat=True)) <= {"failed", "pending"}

    def test_someone_who_joined_later_is_invited_on_the_next_run(self, admin_user, pulse, django_capture_on_commit_callbacks):
        newcomer = UserFactory()
        mail.outbox.clear()
        send_invitations_task.apply(args=[pulse.pk])
        assert [m.to for m in mail.outbox] == [[newcomer.email]]


class TestInvitationPreferences:
    """The invitation is an email kind of its own on the notification settings page (on by default)."""

    def test_it_is_on_by_default_and_carries_a_one_click_unsubscribe(self, admin_user, staff, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            open_pulse(admin_user, year=2026, quarter=4)
        message = next(m for m in mail.outbox if m.to == [staff.email])
        link = message.extra_headers["List-Unsubscribe"][1:-1]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in message.body and link.replace("&", "&amp;") in message.alternatives[0][0]
        assert message.extra_headers["Message-ID"].startswith("<survey-")

    def test_turned_off_no_email_no_retry_and_still_answerable(self, as_user, admin_user, staff, leader,
                                                               django_capture_on_commit_callbacks):
        NotificationPreferences.objects.create(user=staff, employee_pulse=False)
        with django_capture_on_commit_callbacks(execute=True):
            survey = open_pulse(admin_user, year=2026, quarter=4)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, leader.email])
        invitation = Invitation.objects.get(survey=survey, user=staff)
        assert invitation.status == "skipped"  # done with: no later run tries it again
        assert invitation.pk not in services.invitation_plan(survey)
        send_invitations_task.apply(args=[survey.pk])
        send_invitations_batch_task.apply(args=[survey.pk, [invitation.pk]])
        assert len(mail.outbox) == 2
        # They still answer: the home page offers the pulse and the digest reminds them with their own link.
        client = as_user(staff)
        assert reverse("survey:mine") in client.get(reverse("home")).content.decode()
        reminder = pick_pulse(prepare([staff], {}, NOW), staff, None, NOW)
        assert reminder["items"][0]["url"].endswith(answer_url(invitation))
        assert client.post(reverse("survey:mine"), form_data(survey)).status_code == 200
        assert Invitation.objects.get(pk=invitation.pk).answered_on == NOW.date()

    def test_switched_back_on_while_a_pulse_is_open_the_invitation_comes_then(
            self, as_user, admin_user, staff, leader, django_capture_on_commit_callbacks):
        NotificationPreferences.objects.create(user=staff, employee_pulse=False)
        NotificationPreferences.objects.create(user=leader, employee_pulse=False)
        with django_capture_on_commit_callbacks(execute=True):
            survey = open_pulse(admin_user, year=2026, quarter=4)
        answer_as(leader, survey)
        mail.outbox.clear()
        settings_page = reverse("digests:settings")
        for person in (staff, leader):
            with django_capture_on_commit_callbacks(execute=True):
                response = as_user(person).post(settings_page, {"digest_weekday": "0", "digest_hour": "8",
                                                                "employee_pulse": "on"})
            assert response.status_code == 302
        [message] = mail.outbox  # the leader had answered already: nothing for them
        invitation = Invitation.objects.get(survey=survey, user=staff)
        assert message.to == [staff.email] and answer_url(invitation) in message.body
        assert invitation.status == "sent"
        with django_capture_on_commit_callbacks(execute=True):  # on again (another kind): nothing more
            as_user(staff).post(settings_page, {"digest_weekday": "0", "digest_hour": "8", "employee_pulse": "on",
                                                "meeting_tomorrow": "on"})
        send_invitations_task.apply(args=[survey.pk])
        assert len(mail.outbox) == 1

    def test_switched_back_on_with_no_pulse_open_sends_nothing(self, as_user, admin_user, staff,
                                                               django_capture_on_commit_callbacks):
        NotificationPreferences.objects.create(user=staff, employee_pulse=False)
        with django_capture_on_commit_callbacks(execute=True):
            survey = open_pulse(admin_user, year=2026, quarter=4)
        services.survey_close(by=admin_user, survey=survey)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            as_user(staff).post(reverse("digests:settings"), {"digest_weekday": "0", "digest_hour": "8",
                                                               "employee_pulse": "on"})
        assert mail.outbox == []
        assert Invitation.objects.get(survey=survey, user=staff).status == "skipped"

    def test_the_email_link_turns_off_just_the_invitations(self, admin_user, staff, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            open_pulse(admin_user, year=2026, quarter=4)
        message = next(m for m in mail.outbox if m.to == [staff.email])
        link = message.extra_headers["List-Unsubscribe"][1:-1].removeprefix(settings.SITE_URL)
        response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        prefs = NotificationPreferences.objects.get(user=staff)
        assert prefs.employee_pulse is False
        assert all(getattr(prefs, field) for kind, field in KIND_FIELDS.items() if kind != Kind.EMPLOYEE_PULSE)


# -- answering ----------------------------------------------------------------------------------------


class TestAnsweringFromTheLink:
    def test_one_page_without_signing_in_saves_answers_without_a_name(self, pulse, staff, finance):
        invitation = Invitation.objects.get(survey=pulse, user=staff)
        client = Client()
        page = client.get(answer_url(invitation))
        assert page.status_code == 200
        html = page.content.decode()
        assert all(q.text in html for q in pulse.questions.all()) and staff.name not in html
        response = client.post(answer_url(invitation), form_data(pulse))
        assert response.status_code == 200 and "Thank you" in response.content.decode()
        saved = Response.objects.get()
        assert saved.team == finance
        assert {f.name for f in Response._meta.get_fields()} == {"id", "survey", "team", "answers"}
        assert {f.name for f in Answer._meta.get_fields()} == {"id", "response", "question", "scale", "text"}
        assert sorted(saved.answers.exclude(scale=None).values_list("scale", flat=True)) == [3, 4]
        invitation.refresh_from_db()
        assert invitation.answered_on == NOW.date()

    def test_every_question_is_marked_required_alike(self, pulse, staff):
        html = Client().get(answer_url(Invitation.objects.get(survey=pulse, user=staff))).content.decode()
        questions = pulse.questions.all()
        assert html.count('<span aria-hidden="true">*</span>') == len(questions)  # the 1–5 scales as the texts
        for question in questions:
            assert f"<bdi>{question.text} <span aria-hidden=\"true\">*</span></bdi>" in html

    def test_a_refused_answer_says_so_first_and_links_each_question(self, pulse, staff):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        html = Client().post(url, {"csrfmiddlewaretoken": "x", f"q{pulse.questions.first().pk}": ""}).content.decode()
        assert "<title>Error: " in html and 'role="alert" id="error-summary" tabindex="-1" autofocus>' in html
        assert "<p>Please check the answers marked below. Nothing was saved yet.</p>" in html
        for question in pulse.questions.all():
            target = f"id_q{question.pk}" if question.kind == "text" else f"id_q{question.pk}_0"
            assert f'<li><a href="#{target}"><bdi>{question.text}</bdi></a>: ' in html and f'id="{target}"' in html
        assert not Response.objects.exists()

    def test_the_link_opens_in_the_invitees_language_unless_the_browser_chose_one(self, pulse, staff):
        staff.language = "ar"
        staff.save(update_fields=["language"])
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        html = Client(headers={"accept-language": "en"}).get(url).content.decode()
        assert '<html lang="ar" dir="rtl"' in html
        chooser = Client(headers={"accept-language": "en"})
        chooser.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
        assert '<html lang="vi" dir="ltr"' in chooser.get(url).content.decode()

    def test_a_used_link_answers_once(self, pulse, staff):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        Client().post(url, form_data(pulse))
        again = Client().post(url, form_data(pulse, scales=(1, 1)))
        assert again.status_code == 410 and "already answered" in again.content.decode()
        assert Response.objects.count() == 1 and Client().get(url).status_code == 410

    def test_a_tampered_link_opens_nothing(self, pulse, staff):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        for bad in (url[:-3] + "abc/", reverse("survey:answer", kwargs={"token": "nonsense"})):
            assert Client().get(bad).status_code == 404
            response = Client().post(bad, form_data(pulse))
            assert response.status_code == 404 and "This link does not work." in response.content.decode()
        assert Response.objects.count() == 0

    def test_the_link_ends_when_the_pulse_closes(self, pulse, staff):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        with time_machine.travel(pulse.closes_at + datetime.timedelta(seconds=1)):
            response = Client().post(url, form_data(pulse))
        page = response.content.decode()
        assert response.status_code == 410 and "This pulse is closed." in page
        assert "Ken&#x27;s crew waiting on a late delivery." in page  # what was written, to copy
        assert Response.objects.count() == 0

    def test_closing_early_ends_the_links(self, as_user, admin_user, pulse, staff):
        as_user(admin_user).post(reverse("survey:close", args=[pulse.pk]))
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        assert Client().post(url, form_data(pulse)).status_code == 410
        assert Response.objects.count() == 0

    @pytest.mark.parametrize("scale", ["0", "6", "abc", "", "3.5"])
    def test_a_scale_outside_1_to_5_is_refused(self, pulse, staff, scale):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        data = form_data(pulse)
        first_scale = next(q for q in pulse.questions.all() if q.kind == "scale")
        data[f"q{first_scale.pk}"] = scale
        response = Client().post(url, data)
        assert response.status_code == 200 and "Choose a number from 1 to 5." in response.content.decode()
        assert Response.objects.count() == 0
        assert Invitation.objects.get(survey=pulse, user=staff).answered_on is None

    def test_free_text_is_length_limited(self, pulse, staff):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        response = Client().post(url, form_data(pulse, text="x" * 1001))
        assert response.status_code == 200 and Response.objects.count() == 0
        with pytest.raises(Exception):
            services.response_submit(invitation=Invitation.objects.get(survey=pulse, user=staff),
                                     answers=answers_for(pulse, text="x" * 1001))
        assert Response.objects.count() == 0

    def test_a_person_who_left_cannot_answer(self, pulse, staff):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        User.objects.filter(pk=staff.pk).update(is_active=False)
        assert Client().post(url, form_data(pulse)).status_code == 410
        assert Response.objects.count() == 0


class TestAnsweringSignedIn:
    def test_from_home_the_pulse_is_one_click_away(self, as_user, pulse, leader):
        client = as_user(leader)
        home = client.get(reverse("home")).content.decode()
        assert reverse("survey:mine") in home and "Answer this quarter's pulse" in home.replace("&#x27;", "'")
        assert client.post(reverse("survey:mine"), form_data(pulse)).status_code == 200
        assert "Thank you for answering" in client.get(reverse("home")).content.decode()
        assert client.post(reverse("survey:mine"), form_data(pulse)).status_code == 410
        assert Response.objects.count() == 1

    def test_back_from_the_menu_after_answering_it_says_so_plainly(self, as_user, pulse, leader):
        """Not the email link's "this link no longer works", nor an error status: they came from the menu."""
        client = as_user(leader)
        client.post(reverse("survey:mine"), form_data(pulse))
        again = client.get(reverse("survey:mine"))
        page = again.content.decode()
        assert again.status_code == 200
        assert "You have already answered this pulse." in page and "yours are in" in page
        assert "link" not in page.split('class="card survey-state', 1)[1].split("</section>", 1)[0].split("<a ", 1)[0]

    def test_sent_from_home_after_the_pulse_closed_the_answers_come_back_to_copy(self, as_user, admin_user, pulse, staff):
        client = as_user(staff)
        services.survey_close(by=admin_user, survey=pulse)  # while the form was open
        response = client.post(reverse("survey:mine"), form_data(pulse))
        page = response.content.decode()
        assert response.status_code == 410
        assert "Nothing was saved." in page and "No pulse is open right now." in page
        assert "Ken&#x27;s crew waiting on a late delivery." in page  # what was written, to copy
        assert Response.objects.count() == 0

    def test_a_one_word_answer_sent_after_the_pulse_closed_comes_back_too(self, as_user, admin_user, pulse, staff):
        client = as_user(staff)
        services.survey_close(by=admin_user, survey=pulse)  # while the form was open
        page = client.post(reverse("survey:mine"), form_data(pulse, text="pricing")).content.decode()
        assert 'dir="auto">pricing</textarea>' in page  # lower case, one word: still what they wrote
        question = next(q for q in pulse.questions.all() if q.kind == "text")
        # under the question it answers, kept in its own direction (an English question on an Arabic page)
        assert f'<span class="written__label"><bdi>{question.text}</bdi></span>' in page.replace("&#x27;", "'")
        assert "Nothing was saved." in page and Response.objects.count() == 0

    def test_a_one_word_answer_sent_from_the_email_link_after_it_closed_comes_back(self, admin_user, pulse, staff):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        services.survey_close(by=admin_user, survey=pulse)
        response = Client().post(url, form_data(pulse, text="onboarding"))
        assert response.status_code == 410 and 'dir="auto">onboarding</textarea>' in response.content.decode()

    def test_someone_without_an_invitation_answers_too(self, as_user, pulse):
        newcomer = UserFactory()
        assert as_user(newcomer).get(reverse("survey:mine")).status_code == 200
        assert not Invitation.objects.filter(user=newcomer).exists()  # a GET changes nothing
        assert as_user(newcomer).post(reverse("survey:mine"), form_data(pulse)).status_code == 200
        assert Invitation.objects.get(survey=pulse, user=newcomer).answered_on == NOW.date()

    @pytest.mark.parametrize(("title", "own_words"), [
        ("Do we know our customers?", False),  # the default, as a form saved it in English
        ("", False),
        ("Winter pulse", True),
    ])
    def test_the_title_is_read_in_the_readers_language_unless_the_admin_wrote_one(self, as_user, pulse, staff, title, own_words):
        from django.utils import translation

        with translation.override("vi"):
            default = translation.gettext("Do we know our customers?")
        assert default != "Do we know our customers?"
        Survey.objects.filter(pk=pulse.pk).update(title=title)
        staff.language = "vi"
        staff.save(update_fields=["language"])
        page = as_user(staff).get(reverse("survey:mine")).content.decode()
        assert f"<h1><bdi>{title if own_words else default}</bdi></h1>" in page

    def test_nothing_open_says_so(self, as_user, staff):
        response = as_user(staff).get(reverse("survey:mine"))
        assert response.status_code == 200 and "No pulse is open right now." in response.content.decode()

    def test_anonymous_is_sent_to_sign_in(self, pulse):
        response = Client().get(reverse("survey:mine"))
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_the_home_panel_is_one_query(self, pulse, staff, django_assert_num_queries):
        with django_assert_num_queries(1):
            assert selectors.open_survey_panel(staff)["answered"] is False


# -- results: the minimum-5 rule and who reads what ---------------------------------------------------


@pytest.fixture
def last_quarter(admin_user, finance, it_team):
    """Q3 2026, closed: Finance 5 answers, IT 4."""
    with time_machine.travel(datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)):
        survey = open_pulse(admin_user, year=2026, quarter=3, closes_on=datetime.date(2026, 9, 30), send=False)
    past_answers(survey, finance, 5, scales=(4, 3), text="Ken's Plumbing")
    past_answers(survey, it_team, 4, scales=(2, 2), text="Harbor Lights")
    return survey


class TestResults:
    def test_a_team_below_five_answers_shows_nothing(self, last_quarter, finance, it_team):
        found = selectors.results(teams=[finance, it_team], quarters=[(2026, 3)])[(2026, 3)]
        finance_row, it_row = found.teams
        assert finance_row.shown and finance_row.cells == [4.0, 3.0]
        assert not it_row.shown and it_row.means == {} and it_row.cells == [] and it_row.answers == 4

    def test_the_scorecard_shows_means_beside_the_activity_figures(self, as_user, admin_user, last_quarter):
        html = as_user(admin_user).get(reverse("insights:scorecard") + "?quarter=2026Q3").content.decode()
        section = html[html.index('id="employee-pulse"'):]
        assert "I understand how my work affects our customers." in section
        assert '<td class="num">4.0</td>' in section and '<td class="num">3.0</td>' in section
        assert "too few answers to show" in section and "2.0" not in section

    def test_the_team_page_follows_each_question_over_time(self, as_user, admin_user, last_quarter, finance, it_team):
        client = as_user(admin_user)
        response = client.get(reverse("insights:team", args=["finance"]) + "?quarter=2026Q4")
        charts = response.context["employee_pulse_charts"]
        assert [c["title"] for c in charts] == ["I understand how my work affects our customers.", "I could name three of our customers."]
        assert [m.display for m in charts[0]["marks"]] == ["—", "—", "4", "—"]
        it_charts = client.get(reverse("insights:team", args=["it"]) + "?quarter=2026Q4").context["employee_pulse_charts"]
        assert [m.display for m in it_charts[0]["marks"]] == ["—", "—", "too few", "—"]
        assert all(m.value is None for m in it_charts[0]["marks"])

    def test_the_team_page_mirrors_in_arabic(self, as_user, admin_user, last_quarter):
        admin_user.language = "ar"
        admin_user.save()
        client = as_user(admin_user)
        client.cookies["django_language"] = "ar"
        response = client.get(reverse("insights:team", args=["finance"]) + "?quarter=2026Q4", HTTP_ACCEPT_LANGUAGE="ar")
        assert 'dir="rtl"' in response.content.decode()
        marks = response.context["employee_pulse_charts"][0]["marks"]
        assert marks[0].full_label.endswith("2026") and marks[1].value is not None  # newest first, from the right

    def test_free_text_only_for_leaders_and_admins_and_teams_of_five(self, as_user, admin_user, leader, staff, last_quarter):
        url = reverse("survey:results", args=[last_quarter.pk])
        assert as_user(staff).get(url).status_code == 403
        leader_html = as_user(leader).get(url).content.decode()
        assert "Ken&#x27;s Plumbing 0" in leader_html and "Harbor Lights" not in leader_html
        admin_html = as_user(admin_user).get(url).content.decode()
        assert "Ken&#x27;s Plumbing 4" in admin_html and "Harbor Lights" not in admin_html  # IT has 4 answers
        assert all(u.name not in admin_html for u in User.objects.filter(team__isnull=False))

    def test_a_leader_of_another_team_reads_nothing_of_finance(self, as_user, last_quarter, it_team):
        it_leader = UserFactory(team=it_team, role=User.Role.LEADER)
        html = as_user(it_leader).get(reverse("survey:results", args=[last_quarter.pk])).content.decode()
        assert "Ken&#x27;s Plumbing" not in html and "Harbor Lights" not in html

    def test_a_draft_has_no_results(self, as_user, admin_user):
        draft = services.survey_save(by=admin_user, year=2026, quarter=4, closes_at=NOW + datetime.timedelta(days=3),
                                     questions=[("scale", f"Q{i}") for i in range(3)])
        assert as_user(admin_user).get(reverse("survey:results", args=[draft.pk])).status_code == 404


# -- the digest ---------------------------------------------------------------------------------------


class TestDigest:
    def test_it_reminds_only_those_who_have_not_answered(self, pulse, leader, staff, django_assert_num_queries):
        answer_as(leader, pulse)
        users = [leader, staff]
        with django_assert_num_queries(2):
            data = prepare(users, {}, NOW)
        assert pick_pulse(data, leader, None, NOW) is None
        part = pick_pulse(data, staff, None, NOW)
        invitation = Invitation.objects.get(survey=pulse, user=staff)
        assert part["items"][0]["url"].endswith(answer_url(invitation))

    def test_nothing_open_nothing_said(self, staff, django_assert_num_queries):
        with django_assert_num_queries(1):
            data = prepare([staff], {}, NOW)
        assert pick_pulse(data, staff, None, NOW) is None

    def test_it_is_a_registered_section(self):
        from digests.sections import active_sections

        assert "employee_pulse" in [s.key for s in active_sections()]


# -- fixed query counts ---------------------------------------------------------------------------------


class TestQueries:
    def test_the_manage_list(self, as_user, admin_user, django_assert_num_queries):
        client = as_user(admin_user)
        client.get(reverse("survey:manage"))
        for size in (1, 6):
            for i in range(size):
                year = 2010 + Survey.objects.count()
                open_pulse(admin_user, year=year, quarter=1, send=False)
            UserFactory.create_batch(3)
            with django_assert_num_queries(4):  # session, user, the pulses with counts, their questions
                response = client.get(reverse("survey:manage"))
            assert response.status_code == 200

    def test_the_results_page(self, as_user, admin_user, last_quarter, django_assert_num_queries):
        client = as_user(admin_user)
        url = reverse("survey:results", args=[last_quarter.pk])
        client.get(url)
        # session, user, the pulse, the teams, questions, answers counted, means; words: counted, listed
        with django_assert_num_queries(9):
            client.get(url)
        for i in range(5):
            past_answers(last_quarter, TeamFactory(), 5)
        with django_assert_num_queries(9):
            client.get(url)

    def test_the_answer_page(self, pulse, staff, django_assert_num_queries):
        url = answer_url(Invitation.objects.get(survey=pulse, user=staff))
        client = Client()
        client.get(url)
        with django_assert_num_queries(2):  # the invitation with its pulse and person, the questions
            client.get(url)

    def test_the_scorecard_and_team_page_with_a_pulse(self, as_user, admin_user, last_quarter, django_assert_num_queries):
        """The pulse adds three queries to each (its questions, answers counted per team, means), whatever
        the number of teams and answers."""
        client = as_user(admin_user)
        scorecard = reverse("insights:scorecard") + "?quarter=2026Q3"
        team = reverse("insights:team", args=["finance"]) + "?quarter=2026Q4"
        client.get(scorecard), client.get(team)  # counted once; the figures are kept
        with django_assert_num_queries(6):  # session, user, visible teams + the pulse's three
            client.get(scorecard)
        with django_assert_num_queries(6):  # session, user, the team + the pulse's three
            client.get(team)
        for i in range(4):
            past_answers(last_quarter, TeamFactory(), 6)
        client.get(scorecard)  # new teams: their activity is counted once
        with django_assert_num_queries(6):
            response = client.get(scorecard)
        assert len(response.context["employee_pulse"].teams) == 6
        with django_assert_num_queries(6):
            client.get(team)
