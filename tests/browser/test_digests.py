import datetime

from django.utils import timezone
from playwright.sync_api import expect

from digests.models import NotificationPreferences
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, FollowFactory, MeetingFactory, StoryFactory


def test_a_colleague_chooses_her_digest_and_previews_it_in_arabic(page, sign_in, staff, host):
    kens = CustomerFactory(name="Ken's Plumbing Supply", slug="kens")
    FollowFactory(user=staff, customer=kens)
    StoryFactory(
        title="Why Ken opens his counter at 6 a.m.",
        customer=kens,
        author=host,
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    start = timezone.now() + datetime.timedelta(days=6)
    MeetingFactory(
        title="Ken's annual business review",
        customer=kens,
        host=host,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        signup_closes_at=start - datetime.timedelta(days=1),
    )

    sign_in(staff)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()

    # A bad hour is refused with a clear message and nothing changes.
    page.evaluate("document.querySelector('#id_digest_hour').options[0].value = '24'")
    page.get_by_label("Hour").select_option("24")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Choose an hour from 0 to 23.", exact=True)).to_be_visible()
    assert NotificationPreferences.objects.get(user=staff).digest_hour == 8

    page.get_by_label("Day").select_option(label="Friday")
    page.get_by_label("Hour").select_option(label="16:00")
    page.get_by_label("Debriefs you owe your team").uncheck()
    page.get_by_label("I still owe my team a debrief").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Your notification settings are saved.")
    prefs = NotificationPreferences.objects.get(user=staff)
    assert (prefs.digest_weekday, prefs.digest_hour, prefs.debrief_due) == (4, 16, False)
    assert prefs.muted_sections == ["debriefs"]
    screenshot(page, "digests-settings-en")

    page.get_by_role("link", name="Preview my next digest").click()
    expect(page.get_by_role("heading", name="My next digest")).to_be_visible()
    expect(page.get_by_role("link", name="Why Ken opens his counter at 6 a.m.")).to_be_visible()
    expect(page.get_by_text("A customer you follow").first).to_be_visible()
    expect(page.get_by_role("link", name="Ken's annual business review")).to_be_visible()
    screenshot(page, "digests-preview-en")

    page.get_by_label("Language").select_option("ar")
    page.locator(".language-form").get_by_role("button").click()  # a keyboard's choice waits for the button
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "digests-preview-ar")
    page.goto("/settings/notifications/")
    screenshot(page, "digests-settings-ar")
    assert page.console_errors == []
