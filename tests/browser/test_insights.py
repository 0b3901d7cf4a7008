"""An admin opens the scorecard, switches quarter, drills into Finance: each chart agrees with its table."""

import pytest

from insights.periods import Quarter
from tests.browser.conftest import screenshot
from tests.factories import TEST_PASSWORD, UserFactory
from tests.insights.builders import activity, customers, team_with_people


def chart_and_table(page, chart_id):
    """{label: number} read from the SVG's text labels and from the table beside it."""
    figure = page.locator(f"#{chart_id}")
    drawn = {}
    for mark in figure.locator("svg g.chart-mark").all():
        drawn[mark.get_attribute("data-label")] = mark.locator("text.chart-value").text_content().strip()
    tabled = {}
    for cell in figure.locator("table td.num").all():
        tabled[cell.get_attribute("data-label")] = cell.text_content().strip()
    return drawn, tabled


@pytest.mark.django_db(transaction=True)
def test_an_admin_compares_teams_and_drills_into_finance(page, sign_in):
    admin = UserFactory(name="Ada Admin", team=None, is_staff=True, is_superuser=True)
    quarter = Quarter.containing().shift(-1)
    shared = customers(4)
    finance, finance_people = team_with_people("Finance", "finance", staff=4, leaders=1)
    it, it_people = team_with_people("IT", "it", staff=2, leaders=1)
    activity(finance, finance_people, quarter, customers=shared, stories=3)
    activity(finance, finance_people, quarter.shift(-2), customers=shared, stories=1)
    activity(it, it_people, quarter.shift(-1), customers=shared, stories=2)

    sign_in(admin)
    page.goto("/insights/")
    page.get_by_role("heading", name="Is every team still in touch with customers?").wait_for()
    page.get_by_label("Quarter", exact=True).select_option(str(quarter))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/insights/?quarter={quarter}")
    table = page.locator("#compare-table")
    table.locator("tr[data-team='finance']").wait_for()
    assert table.locator("tr[data-team='finance'] td").nth(1).text_content().strip() == "3"  # stories read per person
    drawn, tabled = chart_and_table(page, "compare-customers_touched")
    assert drawn == tabled and drawn["Finance"] == "3"
    screenshot(page, "insights-compare")
    # Scrolled sideways to the last figures, each row still says which team it is.
    region = page.locator(".table-scroll:has(#compare-table)")
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert region.evaluate("el => el.scrollLeft") > 0
    box, name = region.bounding_box(), table.get_by_role("link", name="Finance").bounding_box()
    assert box["x"] <= name["x"] and name["x"] + name["width"] <= box["x"] + box["width"]
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing sideways, the numbers under each chart
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    chart = page.locator("#compare-customers_touched svg").bounding_box()
    numbers = page.locator("#compare-customers_touched table").bounding_box()
    assert numbers["y"] >= chart["y"] + chart["height"]
    screenshot(page, "insights-compare-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Finance").first.click()
    page.wait_for_url(f"**/insights/teams/finance/?quarter={quarter}")
    charts = page.locator("figure.chart-block")
    assert charts.count() == 12  # one per charted metric, the impact checks and routed notes answered included
    for chart_id in [c.get_attribute("id") for c in charts.all()]:
        drawn, tabled = chart_and_table(page, chart_id)
        assert drawn == tabled, chart_id
        assert len(drawn) == 4
    drawn, _ = chart_and_table(page, "trend-reads_per_person")
    assert list(drawn.values()) == ["0", "1", "0", "3"]  # 5 people: 5 reads two quarters before, then 15
    assert page.locator("#trend-leader_meetings .chart-reference__label").text_content() == "Quota: 0.5"
    screenshot(page, "insights-team")
    assert page.console_errors == []

    admin.language = "ar"
    admin.save()
    page.reload()
    assert page.locator("html").get_attribute("dir") == "rtl"
    drawn, tabled = chart_and_table(page, "trend-reads_per_person")
    assert drawn == tabled
    assert list(drawn.values()) == ["3", "0", "1", "0"]  # in reading order (right to left): oldest on the right
    screenshot(page, "insights-team-ar")


@pytest.mark.django_db(transaction=True)
def test_the_home_page_puts_customers_in_front_of_me(page, sign_in):
    import datetime

    from django.utils import timezone

    from tests.factories import CustomerFactory, DecisionFactory, MeetingFactory, ReviewRequestFactory, SeatFactory, StoryFactory
    from tests.insights.builders import follow

    me = UserFactory(name="Minh Anh", role="staff")
    ken = CustomerFactory(name="Ken's Plumbing Supply", slug="kens-plumbing-supply", industry="Wholesale")
    bakery = CustomerFactory(name="Harbor Lights Bakery", slug="harbor-lights-bakery", industry="Food")
    follow(me, [ken, bakery])
    StoryFactory(customer=ken, title="Ken's crew waits on our deliveries")
    decision = DecisionFactory(title="Move suppliers to 60-day payment terms")
    decision.customers.add(ken)
    ReviewRequestFactory(decision=decision, reviewer=me)
    now = timezone.now()
    MeetingFactory(customer=bakery, title="Night shift at the bakery", starts_at=now + datetime.timedelta(hours=6),
                   signup_closes_at=now + datetime.timedelta(hours=2), seats=3)
    past = MeetingFactory(customer=ken, title="Annual review with Ken", starts_at=now - datetime.timedelta(days=2))
    SeatFactory(meeting=past, user=me)

    sign_in(me)
    page.goto("/")
    page.get_by_role("heading", name="A story to start your day").wait_for()
    page.get_by_role("heading", name="Customers I follow").wait_for()
    assert page.locator("#followed-customers li").count() == 2
    screenshot(page, "insights-home")
    me.language = "ar"
    me.save()
    page.reload()
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, "insights-home-ar")


@pytest.mark.django_db(transaction=True)
def test_a_customer_success_host_records_the_pulse(page, sign_in):
    from insights.periods import add_months, last_months
    from insights.services import pulse_record

    host = UserFactory(name="Sam Carter", role="host", team=team_with_people("Customer Success", "customer-success", staff=0, leaders=0)[0])
    this_month = last_months(1)[0]
    for ago, returned in enumerate([12, 29, 35, 44, 37]):
        pulse_record(by=host, month=add_months(this_month, -ago - 1), figures={"products_returned": returned, "legal_threats": ago % 3})

    sign_in(host)
    page.goto("/insights/pulse/")
    page.get_by_role("link", name="Record figures").click()
    month, number = page.get_by_label("Month"), page.get_by_label("Products returned")
    assert abs(month.bounding_box()["height"] - number.bounding_box()["height"]) < 4  # styled as every field (it was 21 px)
    assert month.evaluate("e => getComputedStyle(e).fontFamily") == number.evaluate("e => getComputedStyle(e).fontFamily")
    page.get_by_label("Products returned").fill("9")
    page.get_by_label("Customers saved from leaving").fill("4")
    page.get_by_role("button", name="Save figures").click()
    page.get_by_text("saved.").wait_for()
    drawn, tabled = chart_and_table(page, "pulse-products_returned")
    assert drawn == tabled
    assert list(drawn.values())[-1] == "9"
    screenshot(page, "insights-pulse")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_leader_reads_the_teams_figures_down_a_phone_screen(page, sign_in, language):
    quarter = Quarter.containing().shift(-1)
    finance, people = team_with_people("Finance", "finance", staff=3, leaders=1)
    activity(finance, people, quarter, customers=customers(2), stories=2)
    leader = next(p for p in people if p.role == "leader")
    leader.language = language
    leader.set_password(TEST_PASSWORD)
    leader.save(update_fields=["language", "password"])
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(leader)
    page.goto(f"/insights/?quarter={quarter}")
    table = page.locator("#compare-table[data-team='finance']")
    heading = "القصص" if language == "ar" else "Stories"
    table.get_by_role("rowheader", name=heading, exact=True).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    label, figure = table.locator("tr[data-metric='reads_per_person'] > *").all()
    assert figure.text_content().strip() not in ("", "—")
    label_box, figure_box = label.bounding_box(), figure.bounding_box()
    if language == "ar":  # right to left: the label on the right, its figure on the left
        assert figure_box["x"] + figure_box["width"] <= label_box["x"] + 1
    else:
        assert label_box["x"] + label_box["width"] <= figure_box["x"] + 1
    screenshot(page, f"insights-leader-390-{language}")
