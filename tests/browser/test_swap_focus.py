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


def announced(page, text):
    expect(page.locator("#announcer")).to_contain_text(text)


@pytest.mark.django_db(transaction=True)
def test_follow_keeps_the_focus_on_its_button_and_is_said(page, sign_in):
    ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    sign_in(UserFactory(name="Tom Becker", role="staff"))
    page.goto(ken.get_absolute_url())
    page.locator("#follow-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#follow-button")).to_have_attribute("aria-pressed", "true")
    wait_for_focus(page, "a.id === 'follow-button'")
    announced(page, "You follow Ken's Plumbing Supply.")
    # The swapped-in status is silenced, so it is not said a second time.
    expect(page.locator("#follow-form [role=status]")).to_have_attribute("aria-live", "off")
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_a_refused_then_added_note_and_an_answer_keep_the_focus(page, sign_in):
    from loops.models import Note
    from portal.models import Team, User
    from tests.factories import ContactFactory

    sales = Team.objects.create(name="Sales", slug="sales", kind=Team.Kind.CUSTOMER_FACING)
    sam = UserFactory(name="Sam Carter", team=sales, role=User.Role.HOST)
    ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply", account_owner=sam)
    ContactFactory(customer=ken, name="Rosa Alvarez")
    sign_in(sam)
    page.goto(ken.get_absolute_url())
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("Nothing on this customer's timeline yet.")).to_be_visible()
    timeline.get_by_text("Add a note").click()

    # Refused (routed to a team, but which?): focus on the field with the error, not 40 Tabs away.
    page.get_by_label("What happened").fill("Pallets arrived crushed.")
    page.get_by_label("Route it").select_option("team")
    page.get_by_role("button", name="Add the note").focus()
    page.keyboard.press("Enter")
    wait_for_focus(page, "a.id === 'id_note-route_team' && a.getAttribute('aria-invalid') === 'true'")

    # Added: focus on the new note in the timeline.
    page.get_by_label("Team", exact=True).select_option(label="Sales")
    page.get_by_role("button", name="Add the note").focus()
    page.keyboard.press("Enter")
    wait_for_focus(page, "a.matches('li.timeline__entry') && a.textContent.includes('Pallets arrived crushed.')")
    note = Note.objects.get()

    # The answer's buttons say which note they are for; a refused answer's error is tied to its field.
    answer = page.get_by_role("button", name="Answer Pallets arrived crushed.")
    expect(answer).to_have_count(1)
    expect(page.get_by_role("button", name="Acknowledge Pallets arrived crushed.")).to_have_count(1)
    page.locator(f"#answer-{note.pk}").fill("x" * 20)
    page.locator(f"#answer-{note.pk}").fill("x" * 600)  # lifeline.js lifts the browser's cut at 500
    answer.focus()
    page.keyboard.press("Enter")
    field = page.locator(f"#answer-{note.pk}")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(
        "Your answer is too long: at most 500 characters. Too long to save: 600 / 500")  # the error, then the count
    wait_for_focus(page, f"a.id === 'answer-{note.pk}'")
    field.fill("Credited.")
    page.get_by_role("button", name="Answer Pallets arrived crushed.").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#note-status-{note.pk}")).to_contain_text("Credited.")
    wait_for_focus(page, f"a.id === 'note-status-{note.pk}'")
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_logging_a_touch_names_the_contact_and_keeps_the_focus(page, sign_in):
    from portal.models import User
    from tests.factories import ContactFactory

    sam = UserFactory(name="Sam Carter", role=User.Role.HOST)
    ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply", account_owner=sam)
    ContactFactory(customer=ken, name="Rosa Alvarez")
    ContactFactory(customer=ken, name="Ken Adams")
    sign_in(sam)
    page.goto("/loops/rhythm/")
    page.get_by_role("button", name="Turn the rhythm on").click()
    button = page.get_by_role("button", name="Log: Call Rosa Alvarez Ken's Plumbing Supply")
    expect(button).to_have_count(1)
    expect(page.get_by_role("button", name="Log: Call Ken Adams Ken's Plumbing Supply")).to_have_count(1)
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#rhythm").get_by_text("Nothing logged yet this week.")).to_have_count(0)
    wait_for_focus(page, "document.getElementById('rhythm').contains(a) && a !== document.body")
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_signing_up_keeps_the_focus_on_the_seat_button_and_is_said(page, sign_in):
    from tests.factories import MeetingFactory

    meeting = MeetingFactory(title="Annual review with Ken", seats=2)
    sign_in(UserFactory(name="Grace Okafor", role="leader"))
    page.goto(meeting.get_absolute_url())
    page.get_by_role("button", name="Sign up to listen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Give up my seat")).to_be_visible()
    wait_for_focus(page, "a.id === 'seat-action'")
    announced(page, "You have a seat.")
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_the_previous_quarter_takes_the_focus_to_the_new_figures(page, sign_in):
    sign_in(UserFactory(name="Ada Admin", team=None, is_staff=True, is_superuser=True))
    page.goto("/insights/")
    page.locator(".period-nav a[rel=prev]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/insights/?quarter=*")
    wait_for_focus(page, "a.id === 'scorecard-results'")
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_arrowing_through_a_feed_filter_asks_once_and_the_result_is_said(page, sign_in, story):
    from tests.factories import TeamFactory

    for name in ("Finance", "HR", "IT"):
        TeamFactory(name=name, slug=name.lower())
    sign_in(UserFactory(name="Tom Becker", role="staff"))
    page.goto("/stories/")
    asked = []
    page.on("request", lambda request: asked.append(request.url) if request.headers.get("hx-request") else None)
    history = page.evaluate("history.length")
    page.locator("#id_team").focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(100)
    expect(page.locator("#id_team")).to_have_value("it")
    announced(page, "0 stories shown")
    assert len(asked) == 1, asked
    assert page.evaluate("history.length") == history + 1
    wait_for_focus(page, "a.id === 'id_team'")  # the filter keeps the focus

    page.locator("#id_team").select_option("")  # a pointer's choice still filters
    announced(page, "Newest first · 1 story shown")
    assert len(asked) == 2
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_arrowing_through_languages_changes_nothing_until_switch(page, sign_in):
    user = UserFactory(name="Tom Becker", role="staff", language="en")
    sign_in(user)
    page.goto("/stories/")
    page.locator("#language-select").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    user.refresh_from_db()
    assert user.language == "en"
    page.locator(".language-form").get_by_role("button").click()
    expect(page.locator("html")).not_to_have_attribute("lang", "en")


@pytest.mark.django_db(transaction=True)
def test_a_language_chosen_with_the_mouse_switches_at_once(page, sign_in):
    user = UserFactory(name="Tom Becker", role="staff", language="en")
    sign_in(user)
    page.goto("/stories/")
    select = page.locator("#language-select")
    select.dispatch_event("pointerdown")  # the native list opens under the pointer; the choice is made there
    with page.expect_navigation():
        select.select_option("vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


@pytest.mark.django_db(transaction=True)
def test_the_notice_closes_with_escape_and_never_covers_the_focused_control(page, sign_in, story):
    from stories import services

    for n in range(8):
        services.comment_add(by=story.author, story=story, body=f"Comment {n}.\n\n" + "More words. " * 30)
    page.set_viewport_size({"width": 800, "height": 600})
    sign_in(UserFactory(name="Tom Becker", role="staff"))
    page.goto(story.get_absolute_url())
    page.get_by_role("button", name="This moved me").click()
    page.locator("#id_body").fill("Sharing this.")
    page.get_by_role("button", name="Add comment").click()
    notice = page.locator(".messages--notice .message")
    expect(notice).to_contain_text("Comment added.")
    # Tab backwards through the comments' links and buttons: none is ever hidden under the notice.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#reactions button").first.focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        covered = page.evaluate("""() => {
            const a = document.activeElement.getBoundingClientRect();
            const n = document.querySelector('.messages--notice').getBoundingClientRect();
            return a.bottom > n.top && a.top < n.bottom;
        }""")
        assert not covered, page.evaluate(ACTIVE)
        if page.evaluate(ACTIVE) == "id_body":
            break
    page.keyboard.press("Escape")
    expect(notice).to_have_count(0)
    assert not page.console_errors
