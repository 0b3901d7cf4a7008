from playwright.sync_api import expect

from customers.models import Follow
from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory


def test_a_colleague_finds_ken_follows_him_and_reads_in_arabic(page, sign_in, staff, host):
    ken = CustomerFactory(
        name="Ken's Plumbing Supply", slug="kens-plumbing-supply", account_owner=host, industry="Wholesale",
        who_they_are="A family-owned plumbing wholesaler in Dayton, Ohio.",
        daily_challenges="A contractor who finds a part missing at 6 a.m. loses the day.",
    )
    ContactFactory(customer=ken, name="Ken Alvarez", recreation="Coaches his grandson's baseball team.")
    for name in ["Harbor Lights Bakery", "Mekong Fresh Foods", "Northwind Community Hospital"]:
        CustomerFactory(name=name)

    sign_in(staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", name="Customer directory")).to_be_visible()
    expect(page.locator("#customer-results .customer-card")).to_have_count(4)

    # Search as you type: htmx swaps the results and keeps the query in the address bar.
    page.get_by_label("Search customers").press_sequentially("plumb", delay=30)
    expect(page.locator("#customer-results .customer-card")).to_have_count(1)
    assert "q=plumb" in page.url
    screenshot(page, "directory-search-en")

    page.get_by_role("link", name="Ken's Plumbing Supply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ken's Plumbing Supply")
    expect(page.get_by_text("Coaches his grandson's baseball team.")).to_be_visible()

    follow = page.locator("#follow-form button")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(page.locator("#follow-form button")).to_have_attribute("aria-pressed", "true")
    assert Follow.objects.filter(user=staff, customer=ken).exists()
    screenshot(page, "customer-page-en")

    page.get_by_label("Language").select_option("ar")
    page.locator(".language-form").get_by_role("button").click()  # a keyboard's choice waits for the button
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ken's Plumbing Supply")
    staff.refresh_from_db()
    assert staff.language == "ar"
    screenshot(page, "customer-page-ar")

    # The navigation sits on the right in a right-to-left layout.
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".site-header__tools").bounding_box()
    assert brand["x"] > tools["x"]

    assert page.console_errors == []
