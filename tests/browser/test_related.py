"""A colleague reads a story, follows one of the stories like it, and from its customer's page finds
stories about other customers like theirs; an anonymised story shows its description, never the customer."""

import pytest
from playwright.sync_api import expect

from stories import services
from stories.models import Story
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, TeamFactory, ThemeFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_colleague_follows_a_story_like_this_one(page, sign_in):
    finance = TeamFactory(name="Finance", slug="finance")
    leader = UserFactory(name="Grace Okafor", role="leader", team=finance)
    staff = UserFactory(name="Tom Becker", role="staff", team=finance)
    reliability = ThemeFactory(name="Reliability", slug="reliability")
    harbour = CustomerFactory(name="Harbour Freight Co", slug="harbour-freight-co", industry="Logistics")
    bakery = CustomerFactory(name="Rosa's Bakery", slug="rosas-bakery", industry="Food")
    secret = CustomerFactory(name="Zephyrine Widgets Ltd", slug="zephyrine-widgets-ltd", industry="Logistics",
                             employees=40, region="the Midwest", do_not_name=True)

    def publish(customer, title, **kwargs):
        return services.story_create(by=leader, customer=customer, title=title, body="What happened.",
                                     themes=[reliability], publish=True, **kwargs)

    source = publish(harbour, "Pallets found before dawn")
    publish(bakery, "Flour that arrives before dawn")
    anonymous = publish(secret, "The morning the fittings ran out")
    publish(bakery, "Margins we cannot talk about", visibility=Story.Visibility.LEADERS)
    assert anonymous.is_anonymised

    sign_in(staff)
    page.goto(source.get_absolute_url())
    aside = page.get_by_role("region", name="Stories like this")
    expect(aside.get_by_role("link", name="Flour that arrives before dawn")).to_be_visible()
    expect(aside).to_contain_text(anonymous.anonymised_as)
    expect(aside).not_to_contain_text("Zephyrine")
    expect(aside).not_to_contain_text("Margins we cannot talk about")
    screenshot(page, "related-story-page")

    aside.get_by_role("link", name="Flour that arrives before dawn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flour that arrives before dawn")
    expect(page.get_by_role("region", name="Stories like this").get_by_role("link", name="Pallets found before dawn")).to_be_visible()

    page.goto(bakery.get_absolute_url())
    section = page.locator("#section-related_stories")
    expect(section.get_by_role("heading", name="Stories like theirs")).to_be_visible()
    expect(section.get_by_role("link", name="Pallets found before dawn")).to_be_visible()
    expect(section).not_to_contain_text("Flour that arrives before dawn")  # its own stories are listed above
    screenshot(page, "related-customer-page")
    assert page.console_errors == []
