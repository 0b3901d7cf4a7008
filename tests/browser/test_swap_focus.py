"""Keyboard and screen-reader users after an htmx swap: focus lands on what was used, what is new or the field
with the error (never on <body>), and what changed is said once by the region that stays (#announcer)."""

import time

import pytest
from playwright.sync_api import expect

from stories import services as story_services
from tests.factories import CustomerFactory, StoryFactory, UserFactory

ACTIVE = "(() => { const a = document.activeElement; return a.id || a.tagName + '.' + a.className; })()"


def active(page):
    return page.evaluate(ACTIVE)


def wait_for_focus(page, check, timeout=5.0):
    """Wait until `check` (a JavaScript expression about document.activeElement) holds (the page's
    Content-Security-Policy forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"(() => {{ const a = document.activeElement; return !!({check}); }})()"):
        assert time.monotonic() < deadline, f"focus is on {active(page)}, not where {check}"
        page.wait_for_timeout(50)


@pytest.fixture
def story(db):
    leader = UserFactory(name="Grace Okafor", role="leader")
    return StoryFactory(author=leader, customer=CustomerFactory(name="Ken's Plumbing Supply"), title="Ken at six")


@pytest.mark.django_db(transaction=True)
def test_comments_keep_the_focus_and_say_what_happened(page, sign_in, story):
    staff = UserFactory(name="Tom Becker", role="staff")
    sign_in(staff)
    page.goto(story.get_absolute_url())
    field = page.get_by_label("Your comment")

    # Refused (only spaces): focus on the field, which is tied to its error.
    field.fill("   ")
    field.press("Tab")
    page.keyboard.press("Enter")  # "Add comment"
    expect(page.locator("#id_body")).to_have_attribute("aria-invalid", "true")
    wait_for_focus(page, "a.id === 'id_body'")

    # Added: focus on the new comment; the heading counts it; it is said.
    page.locator("#id_body").fill("Sharing this with the team.")
    page.locator("#id_body").press("Tab")
    page.keyboard.press("Enter")
    comment = page.locator("#comments li.comment")
    expect(comment).to_have_count(1)
    wait_for_focus(page, "a.matches('li.comment')")
    expect(page.locator("#comments-heading")).to_have_text("1 comment")
    expect(page.locator("#messages")).to_contain_text("Comment added.")

    # Edit: the form opens with its own ids and the focus in it.
    page.get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")
    editor = page.locator("li.comment--editing textarea")
    expect(editor).to_be_visible()
    wait_for_focus(page, "a.matches('li.comment--editing textarea')")
    assert page.locator("[id=id_body]").count() == 1
    expect(page.get_by_role("textbox", name="Your comment", exact=True)).to_have_count(2)  # each its own label, once
    page.keyboard.press("Control+A")
    page.keyboard.type("Sharing this with finance.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Save comment"
    expect(comment).to_contain_text("Sharing this with finance.")
    wait_for_focus(page, "a.matches('li.comment')")

    # Deleted: the heading and the empty list agree, focus stays in the section, it is said.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#comments-heading")).to_have_text("0 comments")
    expect(page.locator("#comments")).to_contain_text("No comments yet.")
    expect(page.locator("#messages")).to_contain_text("Comment deleted.")
    wait_for_focus(page, "document.getElementById('comments').contains(a)")
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_a_comment_added_after_others_takes_the_focus(page, sign_in, story):
    staff = UserFactory(name="Tom Becker", role="staff")
    story_services.comment_add(by=story.author, story=story, body="First.")
    sign_in(staff)
    page.goto(story.get_absolute_url())
    page.get_by_label("Your comment").fill("Second.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#comments li.comment")).to_have_count(2)
    wait_for_focus(page, "a.matches('li.comment') && a.textContent.includes('Second.')")
