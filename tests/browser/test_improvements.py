"""A host imports the support desk's complaints; "Late delivery" is flagged as rising on the patterns
page; a leader (in Arabic) opens an improvement idea from it and starts a pilot. Wide and narrow."""

import datetime

import pytest
from playwright.sync_api import expect

from improvements.models import Complaint, Idea
from portal.models import Team, User
from tests.browser.conftest import screenshot
from tests.conftest import frozen_at
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 12, 15, 10, 0, tzinfo=datetime.UTC)
now = pytest.fixture(autouse=True)(frozen_at(NOW))


def complaints_csv():
    rows = ["date,customer_external_id,category,text,cost"]
    for month in range(6, 12):
        rows += [f"2026-{month:02d}-10,CRM-1,Late delivery,Came a day late,50"] * 2
        rows += [f"2026-{month:02d}-12,CRM-2,Damaged goods,Box crushed,"] * 3
    rows += ["2026-12-02,CRM-1,Late delivery,The crew stood idle two days,120"] * 8
    rows += ["2026-12-03,CRM-2,Late delivery,Truck came after closing,"] * 4
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rising_pattern_becomes_a_pilot(page, sign_in, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    success = Team.objects.create(name="Customer Success", slug="customer-success", kind="customer_facing")
    hr = Team.objects.create(name="HR", slug="hr")
    host = UserFactory(name="Sam Carter", email="sam@example.com", team=success, role=User.Role.HOST)
    layla = UserFactory(name="ليلى حداد", email="layla@example.com", team=hr, role=User.Role.LEADER, language="ar")
    CustomerFactory(name="Ken's Plumbing Supply", external_id="CRM-1")
    CustomerFactory(name="Riverbend Farms", external_id="CRM-2", do_not_name=True, industry="Agriculture")
    path = tmp_path / "desk.csv"
    path.write_bytes(complaints_csv())

    sign_in(host)
    page.goto("/improvements/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#import-status")).to_contain_text("Imported 42 complaints.")
    assert Complaint.objects.count() == 42
    page.goto("/improvements/")
    late = page.locator('section.pattern[data-category="Late delivery"]')
    expect(late.locator(".badge--warn")).to_be_visible()
    expect(late.locator("svg[role=img]")).to_be_visible()
    expect(late).to_contain_text("Riverbend Farms")  # a host may read the name
    # The dashed average line is named under the chart, where it covers none of the bars' numbers.
    chart, legend = late.locator("svg[role=img]").bounding_box(), late.locator(".chart-legend").bounding_box()
    expect(late.locator(".chart-legend")).to_have_text("6-month average")
    assert legend["y"] >= chart["y"] + chart["height"]
    screenshot(page, f"improvements-patterns-en-{width}")
    page.context.clear_cookies()

    sign_in(layla)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto("/improvements/")
    late = page.locator('section.pattern[data-category="Late delivery"]')
    expect(late).not_to_contain_text("Riverbend Farms")  # anonymised for her
    expect(late).not_to_contain_text("Truck came after closing")
    screenshot(page, f"improvements-patterns-ar-{width}")
    late.locator('a[href*="/improvements/ideas/new/"]').click()
    expect(page.locator("#id_category")).to_have_value("Late delivery")
    page.locator("#id_title").fill("Confirm delivery slots the day before")
    page.locator("#id_proposal").fill("Text the customer with the slot.")
    page.locator("#id_estimated_cost").fill("800")
    page.locator("main form button[type=submit]").click()
    idea = Idea.objects.get()
    expect(page).to_have_url(f"{page.url.split('/improvements/')[0]}/improvements/ideas/{idea.pk}/")
    page.locator(f'a[href="/improvements/ideas/{idea.pk}/pilot/"]').click()
    page.locator("#id_starts_on").fill("2026-12-16")
    page.locator("#id_ends_on").fill("2027-01-31")
    page.locator("#id_measure").fill("Late deliveries a month")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".badge--idea-piloting")).to_be_visible()
    screenshot(page, f"improvements-idea-ar-{width}")
    idea.refresh_from_db()
    assert idea.status == "piloting" and idea.pilot.owner == layla
    assert not page.console_errors


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("ar", 390)])
def test_dropping_an_idea_asks_why_and_the_history_says_it(page, sign_in, language, width):
    from improvements import services

    page.set_viewport_size({"width": width, "height": 900})
    leader = UserFactory(name="ليلى حداد", role=User.Role.LEADER, language=language)
    idea = services.idea_open(by=leader, title="Confirm delivery slots the day before", category="Late delivery",
                              problem="Crews wait.", proposal="Text the customer with the slot.")
    sign_in(leader)
    page.goto(idea.get_absolute_url())
    page.locator('a[href$="/close/?to=dropped"]').click()
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#id_note").fill("The carrier now confirms every slot itself.")
    screenshot(page, f"improvements-drop-{language}-{width}")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{page.url.split('/improvements/')[0]}{idea.get_absolute_url()}")
    expect(page.locator(".idea-history")).to_contain_text("The carrier now confirms every slot itself.")
    expect(page.locator(".badge--idea-dropped")).to_be_visible()
    screenshot(page, f"improvements-dropped-{language}-{width}")
    assert not page.console_errors
