"""The quarterly employee pulse: the invitation's link opens one page without signing in, the answers
go in once, and the link then says it was used; a colleague reading Arabic answers from the home page.
Wide and narrow."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from portal.models import Team, User
from survey.forms import quarter_of
from survey.models import Response
from tests.browser.conftest import screenshot
from tests.factories import UserFactory
from tests.survey.builders import open_pulse, past_answers

pytestmark = pytest.mark.django_db(transaction=True)


def ar(message):
    with translation.override("ar"):
        return translation.gettext(message)


@pytest.fixture
def pulse(db):
    finance = Team.objects.create(name="Finance", slug="finance")
    admin = UserFactory(name="Ada Admin", team=None, is_staff=True, is_superuser=True)
    staff = UserFactory(name="Tom Becker", email="tom@example.com", team=finance)
    layla = UserFactory(name="ليلى حداد", email="layla@example.com", team=finance, language="ar", role=User.Role.LEADER)
    mail.outbox.clear()
    year, number = quarter_of(timezone.now())
    survey = open_pulse(admin, year=year, quarter=number)  # the live server's transaction: emails go at once
    return {"survey": survey, "staff": staff, "layla": layla}


@pytest.mark.parametrize("width", [1280, 390])
def test_answer_from_the_email_link_once(page, sign_in, pulse, width):
    page.set_viewport_size({"width": width, "height": 900})
    [email] = [m for m in mail.outbox if m.to == [pulse["staff"].email]]
    link = re.search(r"https?://\S+/survey/a/\S+/", email.body)[0]
    path = "/" + link.split("/", 3)[3]

    page.goto(path)  # not signed in
    expect(page.get_by_role("heading", name="Do we know our customers?", level=1)).to_be_visible()
    page.get_by_label("Name a customer and their biggest challenge this year.").fill("Ken's crew waits on late orders.")
    page.get_by_role("group", name="I understand how my work affects our customers.").get_by_label("4 – Agree").check()
    page.get_by_role("button", name="Send my answers").click()  # one question left: nothing saved, the page says so
    expect(page.get_by_text("Choose a number from 1 to 5.", exact=True)).to_be_visible()  # by the question
    expect(page.get_by_role("alert")).to_be_focused()  # and first, in the summary
    expect(page.get_by_role("alert").get_by_role("link", name="I could name three of our customers.")).to_be_visible()
    assert Response.objects.count() == 0
    page.get_by_role("group", name="I could name three of our customers.").get_by_label("3 – Neither").check()
    screenshot(page, f"survey-answer-en-{width}")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you, your answers are in.")).to_be_visible()
    assert Response.objects.count() == 1
    page.goto(path)  # the link is used up
    expect(page.get_by_text("You have already answered this pulse.")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_answer_signed_in_from_home_in_arabic(page, sign_in, pulse, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(pulse["layla"])
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name=ar("Answer this quarter's pulse")).click()
    page.get_by_label("Name a customer and their biggest challenge this year.").fill("مخبز هاربر لايتس: أسعار الطحين.")
    for group in ("I understand how my work affects our customers.", "I could name three of our customers."):
        page.get_by_role("group", name=group).get_by_label(ar("5 – Strongly agree")).check()
    screenshot(page, f"survey-answer-ar-{width}")
    page.get_by_role("button", name=ar("Send my answers")).click()
    expect(page.get_by_text(ar("Thank you, your answers are in."))).to_be_visible()
    assert Response.objects.get().team.slug == "finance"
    page.goto("/")
    expect(page.get_by_role("link", name=ar("Answer this quarter's pulse"))).to_have_count(0)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_questions_sent_after_another_admin_opened_the_pulse_come_back(page, sign_in, language):
    from survey import services

    year, number = quarter_of(timezone.now())
    admin = UserFactory(name="Ada Admin", team=None, is_staff=True, is_superuser=True, language=language)
    other = UserFactory(name="Omar Admin", team=None, is_staff=True, is_superuser=True)
    draft = services.survey_save(by=admin, year=year, quarter=number, closes_at=timezone.now() + datetime.timedelta(days=20),
                                 questions=[("scale", "I know our customers."), ("text", "Name one."), ("scale", "Q3")])
    sign_in(admin)
    page.goto(reverse("survey:edit", args=[draft.pk]))
    page.locator("input[name=q4_text]").fill("Which customer did you meet this quarter?")
    services.survey_open(by=other, survey=draft)  # while the form is open
    page.locator("form.survey-setup button[type=submit]").click()

    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(alert).to_contain_text(ar("The pulse was opened while you were editing it: its questions can no longer"
                                         " change. What you wrote is below, not saved."))
    else:
        expect(alert).to_contain_text("The pulse was opened while you were editing it")
    expect(page.locator("input[name=q4_text]")).to_have_value("Which customer did you meet this quarter?")
    expect(page.locator("form.survey-setup button[type=submit]")).to_have_count(0)
    screenshot(page, f"survey-opened-meanwhile-{language}")
    assert draft.questions.count() == 3
    assert page.console_errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_closing_a_pulse_early_asks_first(page, sign_in, pulse, width):
    page.set_viewport_size({"width": width, "height": 900})
    admin = User.objects.get(name="Ada Admin")
    sign_in(admin)
    page.goto(reverse("survey:manage"))
    expect(page.get_by_role("button", name="Close now")).to_be_in_viewport()  # on a phone too, not scrolled to
    screenshot(page, f"survey-manage-{width}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Close now").click()
    page.wait_for_timeout(300)
    pulse["survey"].refresh_from_db()
    assert pulse["survey"].is_open()  # dismissed: nothing changed
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close now").click()
    expect(page.get_by_text("The pulse is closed; its links no longer work.")).to_be_visible()
    pulse["survey"].refresh_from_db()
    assert not pulse["survey"].is_open()
    assert page.console_errors == []


@pytest.mark.parametrize("who", ["staff", "layla"])
def test_answers_sent_from_home_after_the_pulse_closed_come_back_to_copy(page, sign_in, pulse, who):
    from survey import services

    sign_in(pulse[who])
    page.goto(reverse("survey:mine"))
    page.locator("textarea").first.fill("Ken's crew waits on late orders.")
    services.survey_close(by=User.objects.get(name="Ada Admin"), survey=pulse["survey"])  # while it was open
    page.locator("main form button[type=submit]").click()
    expect(page.locator("textarea[readonly]")).to_have_value("Ken's crew waits on late orders.")
    if who == "layla":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("main")).to_contain_text(ar("No pulse is open right now."))
    else:
        expect(page.locator("main")).to_contain_text("Nothing was saved.")
    screenshot(page, f"survey-closed-meanwhile-{who}")
    assert Response.objects.count() == 0


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_leader_reads_the_teams_averages_on_a_phone(page, sign_in, pulse, language):
    """Each question over its column reads in a few lines (it was one word a line, a column of words as
    tall as the screen); the table scrolls sideways in its own region, never the page."""
    finance = pulse["layla"].team
    past_answers(pulse["survey"], finance, 5, scales=(4, 3))
    layla = pulse["layla"]
    User.objects.filter(pk=layla.pk).update(language=language)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(layla)
    page.goto(reverse("survey:results", args=[pulse["survey"].pk]))
    table = page.locator("#survey-means")
    question = table.get_by_role("columnheader", name="I understand how my work affects our customers.")
    line = question.evaluate("th => parseFloat(getComputedStyle(th).lineHeight)")
    assert question.bounding_box()["height"] <= 4 * line
    row = table.locator("tr[data-team='finance']")
    expect(row.get_by_role("rowheader")).to_have_text("Finance")
    expect(row.locator("td")).to_have_text(["5", "4.0" if language == "en" else "4,0", "3.0" if language == "en" else "3,0"])
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    screenshot(page, f"survey-results-390-{language}")
