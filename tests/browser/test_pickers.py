"""The customer and person pickers from the keyboard, and in the filter bars: finding a customer never
moves the address bar (a reload must show the same list, not a bare suggestion), and Enter in a picker
chooses rather than sends a story half written."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from stories.models import Story
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/stories/", "/meetings/", "/decisions/", "/customers/"])
def test_typing_in_a_filter_picker_keeps_the_address(page, sign_in, path):
    CustomerFactory(name="Sunrise Dental Clinics", slug="sunrise-dental-clinics")
    UserFactory(name="Sunita Rao")
    sign_in(UserFactory(role="leader"))
    page.goto(path)
    search = page.locator(".filters [data-picker-search]").first
    search.press_sequentially("Sun", delay=40)
    expect(page.locator(".filters .autocomplete-results [data-pick-value]").first).to_be_visible()
    page.wait_for_timeout(300)  # any address change would have landed with the suggestions
    assert urlsplit(page.url).path == path
    page.reload()
    expect(page.locator(".filters")).to_be_visible()  # the page itself, not a bare suggestion


def type_in_the_story_forms_picker(page, sign_in, text, *, until):
    """A leader on the new-story form types `text` in the customer box; the box, once `until` is suggested."""
    sign_in(UserFactory(role="leader"))
    page.goto("/stories/new/")
    search = page.get_by_label("Find a customer by name")
    search.press_sequentially(text, delay=40)
    expect(page.get_by_role("button", name=until)).to_be_visible()
    return search


def test_enter_chooses_the_only_match_and_the_arrows_walk_several(page, sign_in):
    ken = CustomerFactory(name="Ken's Plumbing Supply")
    CustomerFactory(name="Harbor Lights Bakery")
    harbour = CustomerFactory(name="Harbour View Hotel")
    search = type_in_the_story_forms_picker(page, sign_in, "Ken", until="Ken's Plumbing Supply")
    search.press("Enter")
    expect(page.locator("select#id_customer")).to_have_value(str(ken.pk))
    assert page.url.endswith("/stories/new/") and not Story.objects.exists()  # nothing was sent
    expect(search).to_be_focused()

    search.press_sequentially("Harb", delay=40)
    bakery = page.get_by_role("button", name="Harbor Lights Bakery")
    expect(bakery).to_be_visible()
    search.press("Enter")  # several: into the list, nothing chosen yet
    expect(bakery).to_be_focused()
    expect(page.locator("select#id_customer")).to_have_value(str(ken.pk))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="Harbour View Hotel")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(search).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("select#id_customer")).to_have_value(str(harbour.pk))
    assert not Story.objects.exists()
    screenshot(page, "picker-keyboard")


def test_the_feeds_filter_row_lines_up(page, sign_in):
    """Nothing chosen: a picker's search box fills its two columns (it was cut to three fifths, its hint
    cut off), and every filter's label sits on one line with the others."""
    sign_in(UserFactory(role="leader"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/stories/")
    customer, author = (page.locator(f"#id_{name}_search").bounding_box() for name in ("customer", "author"))
    team = page.locator("#id_team").bounding_box()
    assert abs(customer["width"] - author["width"]) <= 1 and customer["width"] > 2 * team["width"]
    tops = [page.locator(f".filters label[for='{f}']").bounding_box()["y"] for f in ("id_team", "id_theme")]
    tops += [page.locator(".filters .field", has=page.locator(f"#id_{n}_search")).locator("label").first.bounding_box()["y"]
             for n in ("customer", "author")]
    assert max(tops) - min(tops) <= 2, tops


def test_enter_never_chooses_from_a_list_drawn_for_earlier_text(page, sign_in):
    CustomerFactory(name="Ken's Plumbing Supply")
    mekong = CustomerFactory(name="Mekong Fresh Foods")
    search = type_in_the_story_forms_picker(page, sign_in, "Ken", until="Ken's Plumbing Supply")
    search.fill("Mek")
    search.press("Enter")  # at once: the list on screen is still Ken's
    expect(page.locator("select#id_customer")).to_have_value("")
    assert not Story.objects.exists()
    expect(page.get_by_role("button", name="Mekong Fresh Foods")).to_be_visible()
    search.press("Enter")
    expect(page.locator("select#id_customer")).to_have_value(str(mekong.pk))
