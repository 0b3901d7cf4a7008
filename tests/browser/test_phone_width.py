"""At a phone's width, pages with long values (a video link, long Vietnamese labels) fit the screen."""

import pytest
from django.core.management import call_command

from meetings.models import Meeting
from improvements.models import Idea
from portal.models import User
from tests.browser.conftest import screenshot
from tests.factories import TEST_PASSWORD


@pytest.fixture
def tom(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    user = User.objects.get(email="tom@lifeline.example")
    user.set_password(TEST_PASSWORD)
    user.language = "vi"
    user.save()
    return user


def test_a_meeting_with_a_video_link_and_an_idea_with_a_result_fit_a_phone(page, sign_in, tom):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(tom)
    meeting = Meeting.objects.exclude(video_url="").order_by("pk").first()
    idea = Idea.objects.filter(pilot__recorded_at__isnull=False).order_by("pk").first()
    for name, url in [("meeting", meeting.get_absolute_url()), ("idea", idea.get_absolute_url())]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0, name
        cards = page.locator("main .card").all()
        assert cards and all(card.bounding_box()["x"] + card.bounding_box()["width"] <= 390 for card in cards), name
        screenshot(page, f"phone-{name}-vi")
    assert page.console_errors == []


def test_a_name_with_no_spaces_breaks_instead_of_widening_the_page(page, sign_in, tom):
    """A contact named in one 150-letter word (a paste, a typo) on the pages that show contacts."""
    from customers.models import Contact
    from loops.models import Rhythm

    sam = User.objects.get(email="sam@lifeline.example")
    sam.set_password(TEST_PASSWORD)
    sam.save()
    meeting = Meeting.objects.filter(host=sam, customer__account_owner=sam).order_by("pk").first()
    Contact.objects.create(customer=meeting.customer, name="N" * 150, role="R" * 150, family="F" * 300, is_key=True)
    meeting.customer_contacts.clear()  # the brief then shows the key contacts, this one among them
    Rhythm.objects.get_or_create(user=sam)
    sign_in(sam)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        for url in (meeting.customer.get_absolute_url(), "/loops/rhythm/", meeting.get_absolute_url()):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0, (width, url)
    screenshot(page, "phone-long-name")
