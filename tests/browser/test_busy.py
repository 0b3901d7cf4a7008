"""A story saved while another writer holds its row (a migration, a bulk update) waits, then the page
says nothing was saved, to try again in a moment, and shows what was written, to copy: in the reader's
language, laid out for it. PostgreSQL only: SQLite has no row locks."""

import pytest
from django.db import connection

from stories.models import Story
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, StoryFactory, UserFactory
from tests.locks import Holder

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")

HEADINGS = {"en": "Someone else is changing this right now", "ar": "هناك من يغيّر هذا الآن"}
# Each piece under its field's name in the story form (its view declares it: portal.refused.posts).
TITLES = {"en": ("Title", "The story"), "ar": ("العنوان", "القصة")}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_story_saved_while_its_row_is_held_comes_back_to_copy(page, sign_in, language):
    leader = UserFactory(name="Grace Okafor", role="leader", language=language)
    story = StoryFactory(author=leader, customer=CustomerFactory(name="Ken's Plumbing Supply"), title="Ken at six",
                         body="Crews start at six.")
    sign_in(leader)
    page.goto(story.get_absolute_url() + "edit/")
    page.locator("textarea[name=body]").fill("Crews now start at five, and the heaters run an hour earlier.")
    holder = Holder(story)
    try:
        page.locator("form.story-form button[name=action][value=draft]").first.click()
        heading = HEADINGS[language]
        page.get_by_role("heading", name=heading).wait_for(timeout=15000)
    finally:
        holder.release()
    title, body = TITLES[language]
    assert page.get_by_role("textbox", name=title, exact=True).input_value() == "Ken at six"  # each under its field's name
    copy = page.get_by_role("textbox", name=body, exact=True)
    assert copy.input_value() == "Crews now start at five, and the heaters run an hour earlier."
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    assert Story.objects.get(pk=story.pk).body == "Crews start at six."  # nothing saved
    screenshot(page, f"busy-story-{language}")
    page.locator("main a.button").first.click()  # back to the form, to send it again now the row is free
    page.wait_for_url(f"**{story.get_absolute_url()}edit/")
