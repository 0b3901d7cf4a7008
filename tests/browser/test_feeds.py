"""A colleague subscribes to a customer's stories in their feed reader: from the customer page to the
page of addresses, copies the address, the reader fetches it without signing in; after a reset the
old address is gone."""

import feedparser
import pytest
from playwright.sync_api import expect

from stories import services
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, ThemeFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_copy_an_address_and_read_the_feed(browser, live_server, sign_in, page):
    leader = UserFactory(name="Grace Okafor", role="leader")
    reader = UserFactory(name="Minh Anh", role="staff")
    kens = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    theme = ThemeFactory(name="Reliability", slug="reliability")
    services.story_create(by=leader, customer=kens, title="The 6 a.m. counter", body="Crews start at **six**.",
                          themes=[theme], publish=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    sign_in(reader)
    page.goto(kens.get_absolute_url())
    page.get_by_role("link", name="Subscribe to these stories").click()
    expect(page.get_by_role("heading", name="Stories about Ken's Plumbing Supply")).to_be_visible()
    address = page.locator("#feed-chosen")
    expect(address).to_have_value(f"{live_server.url}/stories/feeds/{reader.feed_token}/customers/kens-plumbing-supply/")
    copy = page.locator("[data-copy=feed-chosen]")
    expect(copy).to_be_visible()  # the script showed it
    copy.click()
    expect(page.locator("#feed-chosen ~ [role=status]")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == address.input_value()
    screenshot(page, "feeds-subscribe-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "feeds-subscribe-390")

    # The feed reader: no cookies, just the address.
    reader_context = browser.new_context()
    fetched = reader_context.request.get(copied)
    assert fetched.status == 200 and fetched.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(fetched.body())
    assert parsed.bozo == 0 and [e.title for e in parsed.entries] == ["Ken's Plumbing Supply: The 6 a.m. counter"]

    page.get_by_role("button", name="Reset my feed addresses").click()
    expect(page.get_by_text("The old ones no longer work")).to_be_visible()
    assert reader_context.request.get(copied).status == 404
    reader.refresh_from_db()
    assert reader_context.request.get(f"{live_server.url}/stories/feeds/{reader.feed_token}/").status == 200
    reader_context.close()


@pytest.mark.django_db(transaction=True)
def test_the_page_of_addresses_in_arabic(live_server, sign_in, page):
    reader = UserFactory(name="ليلى حداد", role="staff", language="ar")
    ThemeFactory(name="الموثوقية", slug="reliability")
    sign_in(reader)
    page.goto("/stories/subscribe/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#feed-all").get_attribute("dir") == "ltr"
    screenshot(page, "feeds-subscribe-ar-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "feeds-subscribe-ar-390")
