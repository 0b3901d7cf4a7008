"""An admin connects a Teams channel in the admin and checks it with a test message; a leader then
publishes a story and the channel gets it. A local HTTP server stands in for Teams."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, StoryFactory
from tests.webhooks.conftest import Receiver, receiver  # noqa: F401 - the stand-in for Teams
from webhooks.models import Channel, Delivery


def test_an_admin_connects_a_teams_channel_and_a_story_reaches_it(
    page, sign_in, admin_user, leader, receiver: Receiver, settings  # noqa: F811
):
    settings.SITE_URL = "https://lifeline.example.com"
    url = receiver.url("teams")
    sign_in(admin_user)
    page.goto("/admin/webhooks/channel/add/")
    page.get_by_label("Name").fill("Finance — customer stories")
    page.get_by_label("Service").select_option(label="Microsoft Teams")
    # A plain-http address elsewhere than this machine is refused, and nothing is saved.
    page.get_by_label("Incoming-webhook address").fill("http://teams.example.com/webhook")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("it starts with https://")).to_be_visible()
    assert not Channel.objects.exists()

    page.get_by_label("Incoming-webhook address").fill(url)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    expect(page.get_by_text("http://127.0.0.1/…/oken")).to_be_visible()
    assert "secret-token" not in page.content()

    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.locator("select[name=action]").select_option(label="Send a test message")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("A test message is on its way to 1 channel")).to_be_visible()
    [test] = receiver.requests
    assert test.body["attachments"][0]["content"]["body"][0]["text"] == "Test message from Lifeline"
    screenshot(page, "webhooks-channels")

    page.goto("/admin/webhooks/delivery/")
    expect(page.locator("td.field-status_shown")).to_have_text("Sent")
    expect(page.locator("td.field-response_code")).to_have_text("200")
    screenshot(page, "webhooks-messages")

    page.get_by_role("button", name="Log out").click()
    story = StoryFactory(customer=CustomerFactory(name="Ken's Plumbing Supply"), status="draft", published_at=None,
                         title="Ken's crew kept its schedule")
    sign_in(leader)
    page.goto(story.get_absolute_url())
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()
    assert len(receiver.requests) == 2
    card = receiver.requests[1].body["attachments"][0]["content"]
    assert card["body"][0]["text"] == "New story: Ken's crew kept its schedule"
    assert card["actions"][0]["url"] == f"https://lifeline.example.com{story.get_absolute_url()}"
    assert Delivery.objects.filter(kind="story_published", status="sent").count() == 1
