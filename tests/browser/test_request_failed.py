"""When an htmx request brings nothing to show (the server fails, refuses, or cannot be reached), the
reader is told so in the notice over the page's foot, in their language, and what they typed stays:
before, the click seemed to do nothing."""

import pytest
from playwright.sync_api import expect

from stories.models import Comment, Reaction
from tests.factories import CustomerFactory, StoryFactory, UserFactory


@pytest.fixture
def story(db):
    leader = UserFactory(name="Grace Okafor", role="leader")
    return StoryFactory(author=leader, customer=CustomerFactory(name="Ken's Plumbing Supply"), title="Ken at six")


@pytest.mark.django_db(transaction=True)
def test_a_failed_comment_says_so_and_keeps_the_text(page, sign_in, story):
    sign_in(UserFactory(name="Tom Becker", role="staff"))
    page.goto(story.get_absolute_url())
    page.route("**/comments/", lambda route: route.fulfill(status=500, body="boom"))
    page.get_by_label("Your comment").fill("Sharing this with the team.")
    page.get_by_role("button", name="Add comment").click()

    notice = page.locator(".messages--notice .message--error")
    expect(notice).to_contain_text("Something went wrong on our side, so that did not go through.")
    expect(page.get_by_label("Your comment")).to_have_value("Sharing this with the team.")
    assert not Comment.objects.exists()

    page.keyboard.press("Escape")
    expect(notice).to_have_count(0)

    # Out of date (the server refuses), held by someone else (503), no connection: a text each.
    page.unroute("**/comments/")
    page.route("**/react/", lambda route: route.fulfill(status=404, body="gone"))
    page.get_by_role("button", name="This moved me").click()
    expect(notice).to_contain_text("this page may be out of date. Reload it and try again.")
    page.unroute("**/react/")
    page.route("**/react/", lambda route: route.fulfill(status=503, body="busy"))
    page.get_by_role("button", name="This moved me").click()
    expect(notice).to_contain_text("Someone else is changing this right now, so that did not go through.")
    page.unroute("**/react/")
    page.route("**/react/", lambda route: route.abort())
    page.get_by_role("button", name="This moved me").click()
    expect(notice).to_contain_text("Lifeline could not be reached")
    expect(notice).to_have_count(1)  # one notice, the latest
    assert not Reaction.objects.exists()
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_notice_is_in_the_readers_language(page, sign_in, story):
    sign_in(UserFactory(name="Layla Haddad", role="staff", language="ar"))
    page.goto(story.get_absolute_url())
    page.route("**/react/", lambda route: route.fulfill(status=500, body="boom"))
    page.locator("#reactions button").first.click()
    notice = page.locator(".messages--notice .message--error")
    expect(notice).to_be_visible()
    assert "Something went wrong" not in notice.inner_text()
    expect(notice.get_by_role("button")).to_have_attribute("aria-label", "أغلق هذه الرسالة")
