"""A customer asked not to be named: the leader's story about them is anonymised by default, is refused
when named without consent, and a colleague reads it without ever seeing who it is about; a story for
leaders only does not exist for her."""

import pytest
from playwright.sync_api import expect

from stories import services
from stories.models import Story
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, TeamFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_an_anonymised_story_never_names_the_customer(page, sign_in):
    finance = TeamFactory(name="Finance", slug="finance")
    leader = UserFactory(name="Grace Okafor", role="leader", team=finance)
    staff = UserFactory(name="Tom Becker", role="staff", team=finance)
    riverbend = CustomerFactory(
        name="Riverbend Farms Co-op", slug="riverbend-farms", industry="Agriculture", region="Wisconsin",
        employees=12, do_not_name=True,
    )
    secret = services.story_create(
        by=leader, customer=CustomerFactory(name="Galil Solar"), title="What keeping Galil would cost",
        body="Margins.", visibility="leaders", publish=True,
    )

    sign_in(leader)
    page.goto(f"/stories/new/?customer={riverbend.pk}")
    page.get_by_label("Title").fill("Why a dairy co-operative left us")
    page.get_by_label("The story").fill("Milking starts at 4 a.m. on eighty farms.")
    # Named inside the company, without their consent: refused, and nothing typed is lost.
    page.get_by_role("group", name="Naming the customer").get_by_label("Named inside the company only").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#id_naming_error").get_by_text("This customer asked not to be named.")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()  # said first
    expect(page.get_by_label("Title")).to_have_value("Why a dairy co-operative left us")
    assert not Story.objects.filter(customer=riverbend).exists()
    # As the customer wishes: anonymised, described from their profile.
    page.get_by_role("group", name="Naming the customer").get_by_label("As the customer wishes", exact=False).check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Story published.")).to_be_visible()
    expect(page.locator(".story__customer")).to_contain_text("a 12-person agriculture business in Wisconsin")
    expect(page.locator(".story__customer .badge")).to_have_text("Anonymised")
    page.get_by_role("button", name="Sign out").click()

    sign_in(staff)
    page.goto("/stories/")
    expect(page.get_by_text("a 12-person agriculture business in Wisconsin")).to_be_visible()
    page.get_by_role("link", name="Why a dairy co-operative left us").click()
    expect(page).to_have_title("Why a dairy co-operative left us · Lifeline")
    assert "Riverbend" not in page.content() and "riverbend" not in page.url
    screenshot(page, "stories-anonymised")
    assert page.goto(secret.get_absolute_url()).status == 404
