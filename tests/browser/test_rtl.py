"""Right-to-left pages in Arabic and Hebrew: direction, navigation side and text alignment.

Screenshots are kept under var/screenshots/ for a person to look at (CI keeps them as artifacts).
"""

import pytest
from django.apps import apps
from django.core.management import call_command

from portal.models import User
from tests.browser.conftest import screenshot


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return User.objects.get(email="grace@lifeline.example")


def pages():
    Story = apps.get_model("stories", "Story")
    Decision = apps.get_model("decisions", "Decision")
    Meeting = apps.get_model("meetings", "Meeting")
    return {
        "feed": "/stories/",
        "story": Story.objects.filter(status="published").order_by("pk").first().get_absolute_url(),
        "decision": Decision.objects.get(title__icontains="60-day").get_absolute_url(),
        "meeting": Meeting.objects.order_by("starts_at").first().get_absolute_url(),
    }


@pytest.mark.parametrize("language", ["ar", "he"])
def test_pages_read_right_to_left(page, sign_in, demo, language):
    demo.language = language
    demo.save()
    from tests.factories import TEST_PASSWORD

    demo.set_password(TEST_PASSWORD)
    demo.save()
    sign_in(demo)
    for name, url in pages().items():
        page.goto(url)
        html = page.locator("html")
        assert html.get_attribute("dir") == "rtl", name
        assert html.get_attribute("lang") == language, name
        # The brand and the navigation start on the right; the tools sit on the left.
        brand = page.locator(".brand").bounding_box()
        nav = page.locator(".primary-nav").bounding_box()
        tools = page.locator(".site-header__tools").bounding_box()
        assert brand["x"] + brand["width"] > nav["x"] + nav["width"] - 1, name
        assert tools["x"] < nav["x"], name
        # Interface headings align to the start, which is the right edge. (Headings holding
        # user-written text carry dir="auto" and follow their own script.)
        assert page.locator("main").evaluate("el => getComputedStyle(el).direction") == "rtl", name
        h1 = page.locator("main :is(h1, h2):not([dir])").first
        assert h1.evaluate("el => getComputedStyle(el).direction") == "rtl", name
        assert h1.evaluate("el => getComputedStyle(el).textAlign") in ("start", "right"), name
        # The heading's text hugs the right edge of its own box.
        gap = h1.evaluate("""el => {
            const range = document.createRange(); range.selectNodeContents(el);
            return el.getBoundingClientRect().right - range.getBoundingClientRect().right;
        }""")
        assert gap < 2, name
        screenshot(page, f"rtl-{name}-{language}")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_on_a_phone_the_header_leaves_room_for_the_page(page, sign_in, demo, language):
    """Three rows at most: the brand and the tools, then every section on one row that scrolls sideways,
    with the one you are in in view (the last one, in either direction)."""
    demo.language = language
    from tests.factories import TEST_PASSWORD

    demo.set_password(TEST_PASSWORD)
    demo.save()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(demo)
    last = page.locator(".primary-nav li a").last
    page.goto(last.get_attribute("href"))
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 844 * 0.2, header
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    current = page.locator(".primary-nav [aria-current=page]").bounding_box()
    assert 0 <= current["x"] and current["x"] + current["width"] <= 390, current
    rows = {round(box["y"]) for box in (link.bounding_box() for link in page.locator(".primary-nav li a").all())}
    assert len(rows) == 1  # one row, however many sections
    screenshot(page, f"header-phone-{language}")
    assert page.console_errors == []
