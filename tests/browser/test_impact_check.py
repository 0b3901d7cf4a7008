"""Deciding sets the impact check date; on that date the reviewer records that it was worse than
predicted, and the decider reopens the decision in one click. In English and in Arabic, wide and narrow."""

import datetime

import pytest
import time_machine
from django.utils import translation
from playwright.sync_api import expect

from decisions import services
from decisions.models import Decision, ImpactCheck
from insights.models import PulseFigure
from portal.models import Team, User
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, DecisionFactory, ImpactReviewFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DECIDED = datetime.datetime(2026, 1, 12, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def decided(db):
    """A finance decision decided in January 2026 (so its check is long due), reviewed by IT."""
    finance = Team.objects.create(name="Finance", slug="finance")
    it = Team.objects.create(name="IT", slug="it")
    leader = UserFactory(name="Grace Okafor", email="grace@example.com", team=finance, role=User.Role.LEADER)
    reviewer = UserFactory(name="ليلى حداد", email="layla@example.com", team=it, language="ar")
    ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    StoryFactory(customer=ken, author=leader, title="Why Ken opens his counter at 6 a.m.")
    PulseFigure.objects.create(month=datetime.date(2025, 12, 1), customer=ken, products_returned=6, legal_threats=1)
    decision = DecisionFactory(title="Require 60-day payment terms from suppliers", team=finance, owner=leader,
                               outcome="60-day terms; staged payments for training vendors.")
    decision.customers.add(ken)
    ImpactReviewFactory(decision=decision, author=reviewer, direction="hurts", severity="medium")
    with time_machine.travel(DECIDED, tick=False):
        services.decision_transition(by=leader, decision=decision, to=Decision.Status.DECIDED,
                                     check_on=DECIDED.date() + datetime.timedelta(days=90))
    return {"decision": decision, "leader": leader, "reviewer": reviewer}


def ar(message):
    """What the Arabic reader sees for `message`."""
    with translation.override("ar"):
        return translation.gettext(message)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_worse_check_reopens_the_decision(page, sign_in, decided, width):
    page.set_viewport_size({"width": width, "height": 900})
    decision, leader, reviewer = decided["decision"], decided["leader"], decided["reviewer"]

    # The reviewer (Arabic) finds it on the home page and records what happened.
    sign_in(reviewer)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator(f'a[href="/decisions/{decision.pk}/check/"]').first.click()
    expect(page.get_by_role("cell", name="6", exact=True)).to_be_visible()  # the pulse before the decision
    screenshot(page, f"impact-check-form-ar-{width}")
    page.get_by_label(ar("Worse than predicted")).check()
    page.get_by_label("Why Ken opens his counter at 6 a.m.").check()
    page.get_by_role("button", name=ar("Record what happened")).click()
    # A worse check needs a note: the form says so and keeps the choices.
    expect(page.locator("#id_note_error")).to_contain_text(ar("Say in a few words what was worse for customers, so whoever reopens it knows."))
    expect(page.get_by_label(ar("Worse than predicted"))).to_be_checked()
    expect(page.get_by_label("Why Ken opens his counter at 6 a.m.")).to_be_checked()
    page.get_by_label(ar("Note")).fill("Two training vendors left; Ken's new counter staff were trained late.")
    page.get_by_role("button", name=ar("Record what happened")).click()
    expect(page.locator("#impact-check")).to_contain_text(ar("Worse than predicted"))
    screenshot(page, f"impact-check-recorded-ar-{width}")
    page.locator("form[action=\"/accounts/logout/\"] button").click()  # in Arabic
    page.wait_for_url(lambda url: "/accounts/" in url)

    # The decider sees predicted beside actual, and reopens in one click.
    sign_in(leader)
    page.goto(decision.get_absolute_url())
    card = page.locator("#impact-check")
    expect(card).to_contain_text("Predicted")
    expect(card).to_contain_text("Ken's new counter staff were trained late.")
    screenshot(page, f"impact-check-decision-en-{width}")
    card.get_by_role("button", name="Reopen the decision").click()
    expect(page.locator(".badge--status-in_review").first).to_be_visible()
    expect(page.locator("#decision-history")).to_contain_text("reopened it after the impact check")
    decision.refresh_from_db()
    assert decision.status == "in_review"
    assert ImpactCheck.objects.get().result == "worse"
    assert not page.console_errors


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_check_recorded_meanwhile_shows_theirs_and_the_note_to_copy(page, sign_in, decided, language):
    decision, leader, reviewer = decided["decision"], decided["leader"], decided["reviewer"]
    reviewer.language = language
    reviewer.save(update_fields=["language"])
    sign_in(reviewer)
    page.goto(f"/decisions/{decision.pk}/check/")
    page.locator("input[name=result][value=worse]").check()
    page.locator("textarea[name=note]").fill("Two training vendors stopped invoicing us.")
    services.impact_check_record(by=leader, check=ImpactCheck.objects.get(decision=decision), result="as_predicted",
                                 note="Suppliers paid in stages stayed.")  # while the form was open
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text("Suppliers paid in stages stayed.")).to_be_visible()
    expect(page.locator("textarea[readonly]")).to_have_value("Two training vendors stopped invoicing us.")
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("main")).to_contain_text(ar("What you wrote was not saved"))
    screenshot(page, f"impact-check-recorded-meanwhile-{language}")
    assert ImpactCheck.objects.get(decision=decision).result == "as_predicted"
    assert page.console_errors == []
