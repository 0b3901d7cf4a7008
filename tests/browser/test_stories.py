"""A leader writes and publishes a story about Ken's; a finance colleague finds it by a word, opens it and reacts."""

import re

import pytest
from playwright.sync_api import expect

from stories.models import Reaction, Story
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, TeamFactory, ThemeFactory, UserFactory

BODY = (
    "Ken's crews start at **six in the morning**.\n\n"
    "> If a fitting is missing, a crew of four stands idle until noon.\n\n"
    "- 400 contractors\n- two warehouses\n\n"
    "<script>alert('x')</script>"
)


@pytest.mark.django_db(transaction=True)
def test_a_leader_publishes_and_a_colleague_finds_and_reacts(page, sign_in):
    finance = TeamFactory(name="Finance", slug="finance")
    leader = UserFactory(name="Grace Okafor", role="leader", team=finance)
    staff = UserFactory(name="Tom Becker", role="staff", team=finance)
    ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    ThemeFactory(name="Reliability", slug="reliability")
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    # The leader writes, previews and publishes.
    sign_in(leader)
    page.goto("/stories/new/")
    page.get_by_label("Find a customer by name").fill("Ken")
    page.get_by_role("button", name="Ken's Plumbing Supply").click()
    expect(page.locator("select#id_customer")).to_have_value(str(ken.pk))
    page.get_by_label("Title").fill("Why Ken opens his counter at six")
    page.get_by_label("The story").fill(BODY)
    preview = page.locator("#story-preview")
    expect(preview.locator("strong")).to_have_text("six in the morning")
    expect(preview.locator("script")).to_have_count(0)
    page.get_by_label("What they bought").fill("Fittings and water heaters")
    page.get_by_label("Reliability").check()
    page.get_by_role("group", name="Teams it matters most to").get_by_label("Finance").check()
    screenshot(page, "stories-form")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Story published.")).to_be_visible()
    story = Story.objects.get()
    assert story.is_published and story.author == leader
    page.get_by_role("button", name="Sign out").click()

    # A finance colleague searches by a word from the body, opens the story and reacts.
    sign_in(staff)
    page.goto("/stories/")
    page.get_by_label("Search stories").fill("contractors")
    results = page.locator("#story-results")
    expect(results.get_by_role("link", name="Why Ken opens his counter at six")).to_be_visible()
    expect(results.locator("mark").first).to_have_text(re.compile("contractors", re.I))
    assert "q=contractors" in page.url  # the search survives a reload
    screenshot(page, "stories-feed-search")
    results.get_by_role("link", name="Why Ken opens his counter at six").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why Ken opens his counter at six")
    button = page.get_by_role("button", name=re.compile("This moved me"))
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button.locator("[data-count]")).to_have_text("0")
    url_before = page.url
    button.click()
    button = page.get_by_role("button", name=re.compile("This moved me"))
    expect(button.locator("[data-count]")).to_have_text("1")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#reaction-status")).to_contain_text("You reacted")
    assert page.url == url_before
    assert Reaction.objects.filter(user=staff, story=story, kind="moved").exists()
    page.get_by_label("Your comment").fill("Sharing this with the **team**.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#comments strong")).to_have_text("team")
    screenshot(page, "stories-detail")

    # The same page in Arabic mirrors.
    staff.language = "ar"
    staff.save(update_fields=["language"])
    page.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "stories-detail-ar")
    page.goto(story.get_present_url())
    screenshot(page, "stories-present-ar")
    assert not page.console_errors
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


@pytest.mark.django_db(transaction=True)
def test_load_more_appends_and_give_me_one_opens_the_meeting_view(page, sign_in):
    from tests.stories.test_reads import make_stories

    leader = UserFactory(name="Grace Okafor", role="leader")
    staff = UserFactory(name="Tom Becker", role="staff")
    ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    make_stories(27, customer=ken, author=leader)
    sign_in(staff)
    page.goto("/stories/")
    cards = page.locator("#story-list > li")
    expect(cards).to_have_count(20)
    page.get_by_role("link", name="Load more stories").click()
    expect(cards).to_have_count(27)
    expect(page.get_by_role("link", name="Load more stories")).to_have_count(0)
    assert page.url.endswith("/stories/")
    screenshot(page, "stories-feed")
    page.get_by_role("link", name="Give me a story").click()
    page.wait_for_url("**/present/")
    expect(page.locator("nav.primary-nav")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_save_saves_one_story(page, sign_in):
    leader = UserFactory(name="Grace Okafor", role="leader", team=TeamFactory(name="Finance", slug="finance"))
    ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply")
    sign_in(leader)
    page.goto(f"/stories/new/?customer={ken.pk}")
    page.get_by_label("Title").fill("Why Ken opens his counter at six")
    page.get_by_label("The story").fill("Crews start at six.")
    # While the first post is on its way, a second submit of the same form is held back.
    held_back = page.evaluate("""() => {
        const form = document.querySelector("form.story-form");
        const button = form.querySelector("button[value=draft]");
        form.requestSubmit(button);
        return !form.dispatchEvent(new SubmitEvent("submit", {cancelable: true, bubbles: true, submitter: button}));
    }""")
    assert held_back
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.goto(f"/stories/new/?customer={ken.pk}")
    page.get_by_label("Title").fill("A second story")
    page.get_by_label("The story").fill("Another.")
    page.get_by_role("button", name="Save draft").dblclick()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert sorted(Story.objects.values_list("title", flat=True)) == ["A second story", "Why Ken opens his counter at six"]
