"""A text box with a length limit keeps a longer paste whole: the browser alone would cut it at the limit
without a word. A count under the box says it is too long; the server refuses it and gives it back whole,
to shorten. In English and in Arabic."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from portal.models import Team, User
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, UserFactory
from tests.loops.conftest import make_note

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("ar", 390)])
def test_a_long_paste_is_kept_whole_and_said_to_be_too_long(page, sign_in, language, width):
    page.set_viewport_size({"width": width, "height": 900})
    sales = Team.objects.create(name="Sales", slug="sales", kind=Team.Kind.CUSTOMER_FACING)
    host = UserFactory(name="Sam Carter", role=User.Role.HOST)
    seller = UserFactory(name="Omar Said", team=sales, role=User.Role.STAFF, language=language)
    note = make_note(CustomerFactory(name="Ken's Plumbing Supply"), host, kind="complaint", text="Late again.",
                     route="team", route_team=sales, status="open")
    answer = "We re-ship on the early truck. " * 17 + "Done."  # 532 characters, over the 500 allowed
    sign_in(seller)
    page.goto(note.get_absolute_url())
    box = page.locator(f"#answer-{note.pk}")
    box.click()
    page.keyboard.insert_text(answer)  # as a paste arrives
    expect(box).to_have_value(answer)
    with translation.override(language):
        over = translation.gettext("Too long to save:")
    count = page.locator(f"#answer-{note.pk}-count")
    expect(count).to_have_text(f"{over} {len(answer)} / 500")
    expect(count).to_have_class("char-count char-count--over")
    screenshot(page, f"text-limit-before-{language}-{width}")  # a full-page shot resizes the page: htmx then
    page.locator(f"#note-{note.pk}-answer").click()  # settles the style attributes it left, which CSP refuses
    expect(page.locator(f"#answer-{note.pk}-error")).to_be_visible()
    expect(page.locator(f"#answer-{note.pk}")).to_have_value(answer)  # back whole, to shorten
    expect(count).to_have_text(f"{over} {len(answer)} / 500")  # and still said to be too long
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, f"text-limit-{language}-{width}")
    note.refresh_from_db()
    assert note.status == "open" and note.answer == ""
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_answer_sent_after_a_colleague_answered_comes_back_to_copy(page, sign_in, language):
    from loops import services

    sales = Team.objects.create(name="Sales", slug="sales", kind=Team.Kind.CUSTOMER_FACING)
    host = UserFactory(name="Sam Carter", role=User.Role.HOST)
    seller = UserFactory(name="Omar Said", team=sales, role=User.Role.STAFF, language=language)
    colleague = UserFactory(name="Priya Raman", team=sales, role=User.Role.STAFF)
    note = make_note(CustomerFactory(name="Ken's Plumbing Supply"), host, kind="complaint", text="Late again.",
                     route="team", route_team=sales, status="open")
    sign_in(seller)
    page.goto(note.get_absolute_url())
    page.locator(f"#answer-{note.pk}").fill("We re-ship on the early truck.")
    services.note_respond(by=colleague, note=note, answer="Called them: re-shipped this morning.")
    page.locator(f"#note-{note.pk}-answer").click()
    status = page.locator(f"#note-status-{note.pk}")
    expect(status).to_contain_text("Called them: re-shipped this morning.")
    expect(status.locator("textarea[readonly]")).to_have_value("We re-ship on the early truck.")
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, f"note-answered-meanwhile-{language}")
    assert page.console_errors == []
