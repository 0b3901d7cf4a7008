"""The finance leader asks IT how 60-day payment terms would affect customers, and must answer the harm."""

import re

import pytest
from playwright.sync_api import expect

from decisions.models import Decision, ReviewRequest
from portal.models import Team, User
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(db):
    finance = Team.objects.create(name="Finance", slug="finance")
    it = Team.objects.create(name="IT", slug="it")
    leader = UserFactory(name="Grace Okafor", email="grace@example.com", team=finance, role=User.Role.LEADER)
    it_staff = UserFactory(name="Noa Levi", email="noa@example.com", team=it)
    UserFactory(name="Omar Nasser", email="omar@example.com", team=it, role=User.Role.LEADER)
    sales = Team.objects.create(name="Sales", slug="sales")
    UserFactory(name="Lina Haddad", email="lina@example.com", team=sales)
    CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    CustomerFactory(name="Northwind Community Hospital", slug="northwind-hospital")
    return {"leader": leader, "it_staff": it_staff}


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/accounts/"))


def test_a_hurts_high_review_must_be_answered_before_deciding(page, sign_in, people):
    leader, it_staff = people["leader"], people["it_staff"]

    # The finance leader records the decision, naming a customer through the picker.
    sign_in(leader)
    page.goto("/decisions/")
    page.get_by_role("link", name="Record a decision").first.click()  # the header's (the empty log offers one too)
    page.get_by_label("Title").fill("Require 60-day payment terms from suppliers")
    page.get_by_label("Context").fill("Customers pay us in 60 days; we pay suppliers in 30.")
    page.get_by_label("Proposal").fill("Move **every supplier** to 60-day terms.")
    page.get_by_label("Find a customer by name").fill("Ken")
    page.get_by_role("button", name="Ken's Plumbing Supply").click()
    page.get_by_label("Links").fill("https://intranet.example.com/working-capital")
    screenshot(page, "decisions-new")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Require 60-day payment terms from suppliers")
    decision = Decision.objects.get()
    assert list(decision.customers.values_list("slug", flat=True)) == ["kens-plumbing-supply"]

    # …and asks the IT team, and one named person found through the people picker, for a review.
    page.get_by_role("link", name="Ask for reviews").click()
    page.get_by_label("IT", exact=True).check()
    page.get_by_label("Find a person by name or email").fill("Lina")
    page.get_by_role("button", name="Lina Haddad").click()
    expect(page.get_by_role("listbox", name="Named people")).to_have_values([str(User.objects.get(email="lina@example.com").pk)])
    page.get_by_role("button", name="Ask for reviews").click()
    expect(page.get_by_role("status").first).to_contain_text("Asked 3 more people")
    assert set(ReviewRequest.objects.values_list("reviewer__email", flat=True)) == {
        "noa@example.com", "omar@example.com", "lina@example.com"
    }
    sign_out(page)

    # An IT staff member sees the request on their home page and files a "hurts, high" review inline.
    sign_in(it_staff)
    panel = page.locator(".panel-awaiting-review")
    expect(panel).to_contain_text("Awaiting my review")
    screenshot(page, "decisions-home-panel")
    panel.get_by_role("link", name="Require 60-day payment terms from suppliers").click()
    page.get_by_role("textbox", name="How will this affect our customers?").fill("Bad")
    page.get_by_role("button", name="File my review").click()
    expect(page.locator("#my-review")).to_contain_text("One word is not an answer")
    page.get_by_role("textbox", name="How will this affect our customers?").fill(
        "Our training vendor would put weaker trainers on the project, so customer-facing staff would be trained worse."
    )
    page.get_by_label("Hurts customers").check()
    page.get_by_label("High").check()
    page.get_by_label("Customer-facing staff").check()
    page.get_by_label("Suppliers and partners who serve customers").check()
    page.get_by_label("What would reduce the harm").fill("Pay the vendor in stages as work is completed.")
    page.get_by_role("button", name="File my review").click()
    expect(page.locator("#impact-reviews .impact-summary")).to_have_text("1 review: 1 hurts (high)")
    expect(page.get_by_role("button", name="Save my review")).to_be_visible()
    screenshot(page, "decisions-review-filed")
    sign_out(page)

    # The leader cannot decide until the outcome answers the harm.
    sign_in(leader)
    page.goto(decision.get_absolute_url())
    expect(page.locator(".decide-blockers")).to_contain_text("hurts customers with high severity")
    page.get_by_role("link", name="Record the outcome").click()
    page.get_by_label("What was decided").fill("60-day terms for most suppliers.")
    page.get_by_role("button", name="Save and decide").click()
    expect(page.get_by_role("alert")).to_contain_text("hurts customers with high severity")
    expect(page.get_by_label("What was decided")).to_have_value("60-day terms for most suppliers.")
    screenshot(page, "decisions-outcome-refused")
    decision.refresh_from_db()
    assert decision.status == "in_review"
    page.get_by_label("Mitigated").check()
    page.get_by_label("Answer to the customer impact reviews").fill(
        "Suppliers whose work reaches customers are paid in stages as work is completed."
    )
    page.get_by_role("button", name="Save and decide").click()
    expect(page.locator(".badge--status-decided").first).to_have_text("Decided")
    expect(page.locator(".decision-outcome")).to_contain_text("paid in stages")
    decision.refresh_from_db()
    assert decision.status == "decided"
    screenshot(page, "decisions-decided")

    # The log shows the summary at a glance, and filters by a customer found through the picker (htmx
    # swaps the results); and the page reads right-to-left in Arabic.
    page.goto("/decisions/")
    expect(page.locator(".decision-row .impact-summary")).to_have_text("1 review: 1 hurts (high)")
    screenshot(page, "decisions-log")
    page.get_by_label("Find a customer by name").fill("Northwind")
    page.get_by_role("button", name="Northwind Community Hospital").click()
    expect(page.locator("#decision-results .result-count")).to_have_text("0 decisions")
    expect(page).to_have_url(re.compile("customer=northwind-hospital"))
    page.get_by_label("Find a customer by name").fill("Ken")
    page.get_by_role("button", name="Ken's Plumbing Supply").click()
    expect(page.locator("#decision-results .result-count")).to_have_text("1 decision")
    expect(page).to_have_url(re.compile("customer=kens-plumbing-supply"))
    page.goto("/customers/kens-plumbing-supply/")
    expect(page.locator("#section-decisions")).to_contain_text("Require 60-day payment terms from suppliers")
    screenshot(page, "decisions-customer-section")
    User.objects.filter(pk=leader.pk).update(language="ar")
    page.goto(decision.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "decisions-decided-ar")
    assert not page.console_errors


def test_a_refused_decision_is_said_first_and_each_error_leads_to_its_field(page, sign_in, people):
    """Keyboard and screen-reader users: the refused page's title says so, its summary has the focus (no
    script needed), and each link in it moves to the field, a picker's being its search box."""
    sign_in(people["leader"])
    page.goto("/decisions/new/")
    page.get_by_label("Title").fill("Require 60-day payment terms from suppliers")
    page.get_by_role("combobox", name="Owner").select_option("")  # the picker's <select>, named for what it shows
    page.get_by_role("button", name="Record decision").click()
    expect(page).to_have_title(re.compile(r"^Error: Record a decision"))
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct the errors below.")
    summary.get_by_role("link", name="Owner").click()
    owner = page.get_by_role("searchbox", name=re.compile("^Owner"))
    expect(owner).to_be_focused()
    expect(owner).to_have_attribute("aria-invalid", "true")
    expect(owner).to_have_accessible_description(re.compile("required"))
    expect(page.get_by_label("Title")).to_have_value("Require 60-day payment terms from suppliers")


def test_picked_people_stay_picked_under_the_arrow_keys(page, sign_in, people):
    """A keyboard user picks two people, then arrows onto the list of picks: both stay picked."""
    import datetime

    from django.utils import timezone

    from decisions import services

    leader = people["leader"]
    decision = services.decision_create(by=leader, title="Close the Friday depot", team=leader.team, owner=leader,
                                        context="c", proposal="p", decide_by=timezone.localdate() + datetime.timedelta(days=9))
    sign_in(leader)
    page.goto(f"/decisions/{decision.pk}/reviews/request/")
    search = page.locator("[data-picker-search]").last
    for name in ("Lina", "Noa"):
        search.fill(name)
        page.get_by_role("button", name=re.compile(name)).press("Enter")
        expect(search).to_be_focused()  # ready for the next pick
    picks = page.locator(".autocomplete select[multiple]").last
    ids = sorted(str(User.objects.get(name=n).pk) for n in ("Lina Haddad", "Noa Levi"))
    picks.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert sorted(picks.evaluate("s => Array.from(s.selectedOptions, o => o.value)")) == ids
    assert not page.console_errors
