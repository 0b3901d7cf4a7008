"""A comment written while the session ran out is not lost: sending it takes the person to sign in, then
back to the story, which shows what they wrote to copy."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from stories.models import Comment
from tests.browser.conftest import screenshot
from tests.factories import TEST_PASSWORD, CustomerFactory, StoryFactory, UserFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_comment_sent_after_the_session_ran_out_comes_back(page, sign_in, language):
    story = StoryFactory(author=UserFactory(role="leader"), customer=CustomerFactory(name="Ken's Plumbing Supply"),
                         title="Ken at six")
    reader = UserFactory(name="Tom Becker", role="staff", language=language)
    sign_in(reader)
    page.goto(story.get_absolute_url())
    page.locator("#comments textarea[name=body]").fill("Sharing this with the payments team on Monday.")
    Session.objects.all().delete()  # the session runs out while the page is open
    page.locator("#comments button[type=submit]").click()

    page.wait_for_url("**/accounts/login/**")  # the whole page, not the sign-in form swapped into the comments
    page.locator("input[name=username]").fill(reader.email)
    page.locator("input[type=password]").fill(TEST_PASSWORD)
    page.locator("main button[type=submit]").click()

    page.wait_for_url(f"**{story.get_absolute_url()}")
    unsent = page.locator(".unsent")
    expect(unsent.locator("textarea")).to_have_value("Sharing this with the payments team on Monday.")
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert "not saved" not in unsent.inner_text()
    screenshot(page, f"signed-out-comment-{language}")
    assert not Comment.objects.exists()
    page.reload()
    expect(page.locator(".unsent")).to_have_count(0)
    assert page.console_errors == []
