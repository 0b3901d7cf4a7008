"""Service tells sales: a complaint routed to Sales from Ken's timeline, answered from the home page;
then the account owner logs a touch in one click and sees it on the same timeline."""

import re

import pytest
from playwright.sync_api import expect

from loops.models import Note, Rhythm, Touch
from portal.models import Team, User
from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(db):
    success = Team.objects.create(name="Customer Success", slug="customer-success", kind=Team.Kind.CUSTOMER_FACING)
    sales = Team.objects.create(name="Sales", slug="sales", kind=Team.Kind.CUSTOMER_FACING)
    sam = UserFactory(name="Sam Carter", email="sam@example.com", team=success, role=User.Role.HOST)
    priya = UserFactory(name="Priya Raman", email="priya@example.com", team=sales, role=User.Role.HOST)
    customer = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply", account_owner=sam)
    ContactFactory(customer=customer, name="Rosa Alvarez", recreation="Trail running.")
    return {"sam": sam, "priya": priya, "customer": customer}


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/accounts/"))


def test_a_routed_note_is_answered_and_a_touch_is_logged(page, sign_in, people):
    sign_in(people["sam"])
    page.goto("/customers/kens-plumbing-supply/")
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("Nothing on this customer's timeline yet.")).to_be_visible()  # loaded by htmx
    timeline.get_by_text("Add a note").click()
    page.get_by_label("Kind").select_option("complaint")
    page.get_by_label("What happened").fill("Two pallets arrived crushed; Rosa's crews were short.")
    page.get_by_label("Contact", exact=True).select_option(label="Rosa Alvarez")
    page.get_by_label("Route it").select_option("team")
    page.get_by_label("Team", exact=True).select_option(label="Sales")
    page.get_by_role("button", name="Add the note").click()
    expect(timeline.get_by_text("Two pallets arrived crushed")).to_be_visible()
    expect(timeline.get_by_text("Open", exact=True)).to_be_visible()
    assert page.url.endswith("/customers/kens-plumbing-supply/")  # swapped in place
    notice = page.locator(".messages--notice")  # said at once, over the page's foot, and closed
    expect(notice.get_by_text("Note added to the timeline.")).to_be_in_viewport()
    notice.get_by_role("button", name="Close this message").click()
    expect(notice.locator(".message")).to_have_count(0)
    assert Note.objects.get().status == "open"
    screenshot(page, "timeline-note-added")
    sign_out(page)

    sign_in(people["priya"])
    panel = page.locator(".home-notes")
    expect(panel.get_by_text("Two pallets arrived crushed")).to_be_visible()
    panel.get_by_label("Your answer").fill("Credited and re-shipped on the early truck.")
    panel.get_by_role("button", name="Answer").click()
    expect(panel.get_by_text("Answered")).to_be_visible()
    assert Note.objects.get().status == "answered"
    sign_out(page)

    sign_in(people["sam"])
    page.goto("/loops/rhythm/")
    page.get_by_role("button", name="Turn the rhythm on").click()
    expect(page.get_by_text("Trail running.")).to_be_visible()  # a FORD opener
    page.get_by_role("button", name="Log: Handwritten card").first.click()
    expect(page.locator("#rhythm").get_by_text("1 of 2")).to_be_visible()
    assert Touch.objects.filter(kind="card").count() == 1 and Rhythm.objects.filter(user=people["sam"]).exists()
    page.goto("/customers/kens-plumbing-supply/")
    expect(page.locator("#timeline").get_by_text("Handwritten card")).to_be_visible()
    expect(page.locator("#timeline").get_by_text("Credited and re-shipped on the early truck.")).to_be_visible()
    page.locator("#timeline").get_by_label("Show").select_option("touches")
    page.locator("#timeline").get_by_role("button", name="Apply").click()  # htmx may not have wired the fresh form yet
    expect(page.locator("#timeline").get_by_text("Handwritten card")).to_be_visible()
    expect(page.locator("#timeline").get_by_text("Two pallets arrived crushed")).to_have_count(0)
    assert not page.console_errors


def test_the_author_corrects_a_note_then_deletes_another(page, sign_in, people):
    customer = people["customer"]
    typo = Note.objects.create(customer=customer, author=people["sam"], kind="call", text="Rosa asked about the sping order.")
    stray = Note.objects.create(customer=customer, author=people["sam"], kind="other", text="Written on the wrong customer.")
    sign_in(people["sam"])
    page.goto(typo.get_absolute_url())
    page.get_by_role("link", name="Edit the note").click()
    expect(page.get_by_label("What happened")).to_have_value("Rosa asked about the sping order.")
    page.get_by_label("What happened").fill("Rosa asked about the spring order.")
    page.get_by_label("Kind").select_option("praise")
    page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    expect(page.get_by_text("Rosa asked about the spring order.")).to_be_visible()
    expect(page.get_by_text("edited", exact=False).first).to_be_visible()
    screenshot(page, "note-corrected")
    typo.refresh_from_db()
    assert typo.text == "Rosa asked about the spring order." and typo.kind == "praise" and typo.edited_at

    page.goto(stray.get_absolute_url().rstrip("/") + "/edit/")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))  # a slip of the finger: nothing is lost
    page.get_by_role("button", name="Delete this note").click()
    expect(page.get_by_role("button", name="Delete this note")).to_be_visible()
    assert questions == ["Delete this note? This cannot be undone."] and Note.objects.filter(pk=stray.pk).exists()
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Delete this note").click()
    expect(page.get_by_text("Note deleted.")).to_be_visible()
    assert page.url.endswith("/timeline/")
    assert not Note.objects.filter(pk=stray.pk).exists()
    assert not page.console_errors


def test_a_note_is_added_from_its_own_page(page, sign_in, people):
    """The page a refused post without htmx lands on (or a bookmark) posts as a page: its form has no
    timeline to swap into."""
    sign_in(people["sam"])
    page.goto("/loops/customers/kens-plumbing-supply/notes/new/")
    page.get_by_label("What happened").fill("Rosa asked for the spring catalogue early.")
    page.get_by_role("button", name="Add the note").click()
    page.wait_for_url(re.compile("/customers/kens-plumbing-supply/"))
    expect(page.locator("#timeline").get_by_text("Rosa asked for the spring catalogue early.")).to_be_visible()
    assert Note.objects.get().text == "Rosa asked for the spring catalogue early."
    assert not page.console_errors


@pytest.mark.parametrize("width", [1280, 390])
def test_the_customer_page_stays_at_its_top_while_its_timeline_loads(page, sign_in, people, width):
    """The timeline arrives by itself after the page: it takes neither the focus nor the scroll."""
    page.set_viewport_size({"width": width, "height": 800})
    for i in range(12):  # a timeline long enough to scroll to
        Note.objects.create(customer=people["customer"], author=people["sam"], kind="call", text=f"Call {i} with Rosa.")
    sign_in(people["priya"])
    page.goto("/customers/kens-plumbing-supply/")
    expect(page.locator("#timeline").get_by_text("Call 11 with Rosa.")).to_be_visible()
    page.wait_for_timeout(300)  # past the swap's settling
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.activeElement === document.body")
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_note_corrected_in_another_tab_meanwhile_keeps_this_version_to_compare(page, sign_in, people, language):
    from loops import services

    sam = people["sam"]
    sam.language = language
    sam.save(update_fields=["language"])
    note = Note.objects.create(customer=people["customer"], author=sam, kind="call", text="Rosa asked about the sping order.")
    sign_in(sam)
    page.goto(note.get_absolute_url().rstrip("/") + "/edit/")
    text = page.locator("textarea[name=note-text]")
    text.fill("Rosa asked about the spring order, and the new heaters.")
    # Meanwhile, in another tab, the same note corrected another way.
    services.note_edit(by=sam, note=note, kind="call", text="Rosa asked about the spring order.")
    save = page.get_by_role("button", name="حفظ الملاحظة" if language == "ar" else "Save the note")
    save.click()
    expect(page.locator(".form-errors, .errorlist").first).to_be_visible()
    assert page.locator("textarea[name=note-text]").input_value() == "Rosa asked about the spring order, and the new heaters."
    note.refresh_from_db()
    assert note.text == "Rosa asked about the spring order."  # theirs stands until this one is saved again
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    screenshot(page, f"note-edit-conflict-{language}")
    save.click()  # keep this version
    page.wait_for_url(f"**{note.get_absolute_url()}")
    note.refresh_from_db()
    assert note.text == "Rosa asked about the spring order, and the new heaters."
    assert not page.console_errors
