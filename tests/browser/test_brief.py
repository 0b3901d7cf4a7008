"""The listener brief printed: one A4 or Letter page in English and in Arabic (right to left), even
when every part is as full as the brief lets it be. Chromium prints the page to PDF (page.pdf(), print
media), and the test counts the pages in the PDF.

Screenshots of the page at 1280 and 390 pixels are kept under var/screenshots/, with the PDFs."""

import datetime
import re

import pytest
from django.utils import timezone

from customers.selectors import BRIEF_ATTENDING
from insights.models import PulseFigure
from portal.models import User
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.factories import (
    ContactFactory, CustomerFactory, DebriefFactory, DecisionFactory, ImpactReviewFactory, MeetingFactory,
    SeatFactory, StoryFactory, UserFactory,
)

# Long texts, past every cap the brief applies (a real profile runs to a few sentences; these are pages).
WORDS = {
    "en": "Their crews plan every morning around our delivery slots and a late truck idles four people on a site",
    "ar": "تخطط فرقهم كل صباح حول مواعيد تسليمنا وتأخر شاحنة واحدة يوقف أربعة عمال في الموقع طوال اليوم",
}


def text(language, words):
    source = WORDS[language].split()
    return " ".join(source[i % len(source)] for i in range(words))


def pdf_pages(pdf):
    """How many pages a PDF has: its page objects (`/Type /Page`, not the `/Type /Pages` tree). Chromium
    writes them uncompressed, so no PDF library is needed to count them."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.fixture
def full_brief(transactional_db):
    """Build a meeting whose brief has every part filled past its cap, in `language`."""

    def build(language):
        host = UserFactory(role=User.Role.HOST, name="Sam Carter")
        customer = CustomerFactory(
            name="شركة النور للخدمات اللوجستية والتخزين المبرد" if language == "ar" else "Ken's Plumbing Supply and Heating Wholesale",
            slug=f"brief-{language}",
            who_they_are=text(language, 120), what_they_do=text(language, 120),
            daily_challenges=text(language, 120), how_we_help=text(language, 120),
        )
        meeting = MeetingFactory(customer=customer, host=host, title=text(language, 18), place=text(language, 8),
                                 briefing=text(language, 60))
        for i in range(6):
            ContactFactory(customer=customer, name=f"{text(language, 2)} {i}", role=text(language, 5),
                           family=text(language, 40), occupation=text(language, 40), recreation=text(language, 40),
                           dreams=text(language, 40))
        for i in range(5):
            StoryFactory(customer=customer, title=text(language, 25), body=text(language, 200),
                         published_at=timezone.now() - datetime.timedelta(days=i + 1))
            decision = DecisionFactory(title=text(language, 30), status="in_review")
            decision.customers.add(customer)
            for direction, severity in [("hurts", "high"), ("hurts", "medium"), ("helps", "low"), ("neutral", ""), ("unsure", "")]:
                ImpactReviewFactory(decision=decision, direction=direction, severity=severity)
            start = timezone.now() - datetime.timedelta(days=10 + i)
            past = MeetingFactory(customer=customer, host=host, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                  signup_closes_at=start - datetime.timedelta(days=1))
            DebriefFactory(seat=SeatFactory(meeting=past), surprises=text(language, 120))
        month = timezone.localdate().replace(day=1)
        PulseFigure.objects.create(month=month, customer=customer, products_returned=12345, customers_credited=678,
                                   legal_threats=9, customers_saved=1234)
        reader = UserFactory(role=User.Role.STAFF, language=language)
        SeatFactory(meeting=meeting, user=reader)
        return meeting, reader

    return build


@pytest.mark.parametrize("attending", [False, True], ids=["key-contacts", "attending"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_fullest_brief_prints_on_one_page(page, sign_in, full_brief, language, attending):
    """With nobody ticked as attending (the key contacts, at most four) and with as many ticked as the
    form allows (BRIEF_ATTENDING, each with every note past its cap)."""
    meeting, reader = full_brief(language)
    if attending:
        ContactFactory.create_batch(
            BRIEF_ATTENDING - meeting.customer.contacts.count(), customer=meeting.customer, name=text(language, 3),
            role=text(language, 5), family=text(language, 40), occupation=text(language, 40),
            recreation=text(language, 40), dreams=text(language, 40),
        )
        meeting.customer_contacts.set(meeting.customer.contacts.all())
    sign_in(reader)
    page.goto(f"/meetings/{meeting.pk}/brief/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.locator(".brief__part").count() == 6  # profile, people, stories, decisions, surprises, pulse
    assert page.locator(".brief__ford").count() == (BRIEF_ATTENDING if attending else 4)
    language = f"{language}-attending" if attending else language
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".brief-sheet__tools").is_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 703, "height": 1039})  # A4 less the print margins, at 96 dpi
    screenshot(page, f"brief-{language}-print")  # before the count, so a failure can be looked at
    page.set_viewport_size({"width": 720, "height": 960})  # Letter less the print margins
    screenshot(page, f"brief-{language}-print-letter")
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        (SCREENSHOTS / f"brief-{language}-{paper}.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) == 1, f"{paper} in {language}"
    page.emulate_media(media="screen")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"brief-{language}-{width}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways at {width}px"
    assert page.console_errors == []


def test_a_page_too_long_would_be_counted(page, sign_in, full_brief):
    """The page count can fail: the same content without the print stylesheet runs past one page."""
    meeting, reader = full_brief("en")
    sign_in(reader)
    page.goto(f"/meetings/{meeting.pk}/brief/")
    page.emulate_media(media="print")
    # As if the print stylesheet were gone: the screen's type size, one column.
    page.evaluate("document.documentElement.style.fontSize = '16px'; document.querySelector('.brief').style.columnCount = 1")
    assert pdf_pages(page.pdf(format="A4")) > 1


def test_the_print_button_prints(page, sign_in, full_brief):
    meeting, reader = full_brief("en")
    sign_in(reader)
    page.add_init_script("window.print = () => { window.printed = true; };")
    page.goto(f"/meetings/{meeting.pk}/brief/")
    page.get_by_role("button", name="Print the brief").click()
    assert page.evaluate("window.printed") is True


def test_the_host_ticks_who_attends_and_the_brief_names_them(page, sign_in, full_brief):
    """The host ticks two of the customer's people on the meeting form; choosing another customer
    swaps the people to tick (htmx); the brief then shows exactly the two, with their notes."""
    meeting, reader = full_brief("en")
    customer = meeting.customer
    for contact, name in zip(customer.contacts.order_by("id"), ["Ken Alvarez", "Rosa Alvarez", "Pat Quiet"]):
        contact.name = name
        contact.save()
    customer.contacts.filter(name="Rosa Alvarez").update(family="Two young sons.")
    ContactFactory(customer=CustomerFactory(name="Harbor Lights Bakery", slug="harbor"), name="Marta Lindqvist")
    sign_in(meeting.host)
    page.goto(f"/meetings/{meeting.pk}/edit/")
    people = page.locator("#attending-contacts")
    assert people.get_by_label("Ken Alvarez").is_visible()
    # Another customer: its people replace Ken's (and Ken's ticks cannot travel with them).
    page.get_by_label("Find a customer by name").fill("Harbor")
    page.locator(".autocomplete-results button", has_text="Harbor Lights Bakery").click()
    people.get_by_label("Marta Lindqvist").wait_for()
    assert people.get_by_label("Ken Alvarez").count() == 0
    # Back to Ken's, and tick two.
    page.get_by_label("Find a customer by name").fill("Ken")
    page.locator(".autocomplete-results button", has_text=customer.name).click()
    people.get_by_label("Ken Alvarez").check()
    people.get_by_label("Rosa Alvarez").check()
    screenshot(page, "meeting-form-attending")
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert sorted(meeting.customer_contacts.values_list("name", flat=True)) == ["Ken Alvarez", "Rosa Alvarez"]
    attending = page.locator("section[aria-labelledby=attending-heading]")
    assert "Ken Alvarez" in attending.inner_text() and "Pat Quiet" not in attending.inner_text()
    page.goto(f"/meetings/{meeting.pk}/brief/")
    people = page.locator(".brief__part--people")
    assert people.get_by_role("heading").inner_text() == f"Who attends from {customer.name}"
    names = people.locator("li > strong").all_inner_texts()
    assert names == ["Ken Alvarez", "Rosa Alvarez"]
    assert "Two young sons." in people.inner_text()
    screenshot(page, "brief-attending")
    assert page.console_errors == []
