"""Two colleagues, one seat: the second waits, the first gives up the seat, the seat is held for the
second, who accepts it. The host marks who attended."""

import pytest
from playwright.sync_api import expect

from meetings.models import Seat
from tests.browser.conftest import screenshot
from tests.factories import TEST_PASSWORD, CustomerFactory, MeetingFactory, UserFactory


def sign_in_on(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


@pytest.fixture
def second_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_waitlist_moves_up_when_a_seat_frees(page, second_page, sign_in):
    host = UserFactory(name="Sam Carter", role="host")
    first = UserFactory(name="Grace Okafor", role="leader")
    second = UserFactory(name="ليلى حداد", role="staff")
    customer = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    meeting = MeetingFactory(host=host, customer=customer, title="Annual review with Ken", seats=1,
                             briefing="Your only job is to listen.")

    sign_in(first)
    page.goto("/meetings/")
    page.get_by_role("link", name="Annual review with Ken").click()
    page.get_by_role("button", name="Sign up to listen").click()
    panel = page.locator("#seat-panel")
    panel.get_by_text("You have a seat.", exact=True).wait_for()
    assert "1 of 1 seat taken" in panel.inner_text()
    screenshot(page, "meetings-detail-seat")

    sign_in_on(second_page, second)
    second_page.goto(meeting.get_absolute_url())
    second_page.get_by_role("button", name="Join the waitlist").click()
    second_page.locator("#seat-panel").get_by_text("You are number 1 on the waitlist.").wait_for()

    page.get_by_role("button", name="Give up my seat").click()
    page.locator("#seat-panel").get_by_text("You are no longer signed up for this meeting.").wait_for()

    second_page.reload()
    offer = second_page.locator("#seat-panel")
    expect(offer).to_contain_text("Your seat is held until")
    assert Seat.objects.get(meeting=meeting, user=second).status == Seat.Status.OFFERED
    screenshot(second_page, "meetings-offer")
    offer.get_by_role("button", name="Accept the seat").click()
    second_page.locator("#seat-panel").get_by_text("You have a seat.", exact=True).wait_for()
    assert Seat.objects.get(meeting=meeting, user=second).status == Seat.Status.CONFIRMED
    assert Seat.objects.get(meeting=meeting, user=first).status == Seat.Status.CANCELLED

    # The same page in Arabic: right to left.
    second.language = "ar"
    second.save()
    second_page.reload()
    assert second_page.locator("html").get_attribute("dir") == "rtl"
    screenshot(second_page, "meetings-detail-seat-ar")
    second_page.goto("/meetings/")
    screenshot(second_page, "meetings-list-ar")
    page.goto("/meetings/")
    screenshot(page, "meetings-list")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_signing_up_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    user = UserFactory(role="staff")
    meeting = MeetingFactory(seats=1)
    sign_in_on(page, user)
    page.goto(meeting.get_absolute_url())
    page.get_by_role("button", name="Sign up to listen").click()
    page.get_by_text("You have a seat.", exact=True).first.wait_for()
    assert Seat.objects.filter(meeting=meeting, user=user, status="confirmed").exists()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_host_sees_listeners_and_removes_one(page, sign_in):
    host = UserFactory(name="Sam Carter", role="host", time_zone="America/Chicago")
    meeting = MeetingFactory(host=host, title="Quarterly review with Rosa", seats=2)
    people = [UserFactory(name=name) for name in ("Grace Okafor", "Omar Nasser", "Nguyễn Minh Anh")]
    for person in people:
        from meetings.services import seat_claim

        seat_claim(by=person, meeting=meeting)
    sign_in(host)
    page.goto(meeting.get_absolute_url())
    people_region = page.locator("#people")
    assert "Nguyễn Minh Anh" in people_region.locator("ol").nth(1).inner_text()
    screenshot(page, "meetings-host")
    people_region.get_by_role("button", name="Remove Grace Okafor").click()
    page.locator("#people").get_by_text("Grace Okafor was removed").wait_for()
    held = page.locator("#people ol").nth(1).inner_text()  # the seat is held for the first waiting
    assert "Nguyễn Minh Anh" in held and "Seat held until" in held
    page.goto("/meetings/new/")
    screenshot(page, "meetings-new")


@pytest.mark.django_db(transaction=True)
def test_the_list_filters_by_a_customer_found_with_the_picker(page, sign_in):
    kens = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    MeetingFactory(customer=kens, title="Annual review with Ken")
    MeetingFactory(customer=CustomerFactory(name="Harbor Lights Bakery"), title="Site visit at the bakery")
    sign_in(UserFactory(role="staff"))
    page.goto("/meetings/")
    results = page.locator("#meeting-results")
    expect(results).to_contain_text("Site visit at the bakery")
    page.get_by_label("Find a customer by name").fill("Ken")
    page.get_by_role("button", name="Ken's Plumbing Supply").click()
    expect(results).not_to_contain_text("Site visit at the bakery")
    expect(results).to_contain_text("Annual review with Ken")
    page.wait_for_url(lambda url: "customer=kens-plumbing-supply" in url)
    page.get_by_label("Has open seats").check()  # the other filters still apply on change
    page.wait_for_url(lambda url: "open=on" in url and "customer=kens-plumbing-supply" in url)
    expect(results).to_contain_text("Annual review with Ken")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_customer_filter_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    kens = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    MeetingFactory(customer=kens, title="Annual review with Ken")
    MeetingFactory(customer=CustomerFactory(name="Harbor Lights Bakery"), title="Site visit at the bakery")
    sign_in_on(page, UserFactory(role="staff"))
    page.goto("/meetings/")
    page.get_by_label("Find a customer by name").fill("plumbing")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#meeting-results")).to_contain_text("Annual review with Ken")
    expect(page.locator("#meeting-results")).not_to_contain_text("Site visit at the bakery")
    expect(page.locator("#id_customer")).to_have_value("kens-plumbing-supply")
    context.close()


def views_at(page, name, widths=(1280, 390)):
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")


@pytest.mark.django_db(transaction=True)
def test_a_held_seat_is_accepted_from_the_emailed_link_in_arabic_and_english(page, sign_in):
    import datetime
    from urllib.parse import urlsplit

    from django.core import mail
    from django.utils import timezone

    from meetings import services

    leaver, waiting = UserFactory(name="Omar Nasser"), UserFactory(name="ليلى حداد", language="ar", time_zone="Asia/Dubai")
    meeting = MeetingFactory(title="مراجعة سنوية مع كين", seats=1, starts_at=timezone.now() + datetime.timedelta(days=5))
    services.seat_claim(by=leaver, meeting=meeting)
    services.seat_claim(by=waiting, meeting=meeting)
    mail.outbox.clear()
    services.seat_cancel(by=leaver, meeting=meeting)
    [email] = [m for m in mail.outbox if m.to == [waiting.email]]
    link = next(word for word in email.body.split() if "/meetings/offers/" in word)

    sign_in(waiting)
    page.goto(urlsplit(link).path)  # the live server's address, not SITE_URL's
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert Seat.objects.get(meeting=meeting, user=waiting).status == Seat.Status.OFFERED  # opening changed nothing
    views_at(page, "meetings-offer-page-ar")
    page.goto("/")
    views_at(page, "meetings-offer-home-ar")
    page.goto(meeting.get_absolute_url())
    views_at(page, "meetings-offer-detail-ar")
    waiting.language = "en"
    waiting.save(update_fields=["language"])
    page.goto(meeting.get_absolute_url())
    views_at(page, "meetings-offer-detail-en")
    page.goto("/")
    views_at(page, "meetings-offer-home-en")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator(".home-meetings").get_by_role("button", name="Accept the seat").click()
    page.get_by_text("You have a seat.", exact=True).first.wait_for()
    assert Seat.objects.get(meeting=meeting, user=waiting).status == Seat.Status.CONFIRMED
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_host_marks_who_attended(page, sign_in):
    import datetime

    from django.utils import timezone

    from tests.factories import SeatFactory

    host = UserFactory(name="Sam Carter", role="host")
    start = timezone.now() - datetime.timedelta(days=2)
    meeting = MeetingFactory(host=host, title="Quarterly review with Rosa", starts_at=start,
                             ends_at=start + datetime.timedelta(hours=1), signup_closes_at=start - datetime.timedelta(days=1),
                             seats=3)
    came, absent = UserFactory(name="Grace Okafor"), UserFactory(name="داریوش فراهانی")
    SeatFactory(meeting=meeting, user=came)
    SeatFactory(meeting=meeting, user=absent)
    sign_in(host)
    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="Mark who attended").click()
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(2)
    assert all(boxes.nth(i).is_checked() for i in range(2))  # everyone confirmed starts ticked
    views_at(page, "meetings-attendance-en")
    page.get_by_role("checkbox", name="داریوش فراهانی").uncheck()
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved.").wait_for()
    expect(page.locator("#people")).to_contain_text("Did not attend")
    views_at(page, "meetings-attended-host-en")
    assert Seat.objects.get(meeting=meeting, user=absent).attendance == "no_show"
    host.language = "ar"
    host.save(update_fields=["language"])
    page.goto(f"{meeting.get_absolute_url()}attendance/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    views_at(page, "meetings-attendance-ar")
    assert page.console_errors == []
