"""axe-core on every main page, in English and in Arabic: no serious or critical violations.

The pages are filled with the demo company (seed_demo), so they hold realistic content.
"""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from portal.models import User
from tests.browser.conftest import screenshot

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def main_pages():
    """(name, app, how to find the URL from the demo data)."""
    from customers.models import Customer

    pages = [
        ("home", "portal", lambda: "/"),
        ("directory", "customers", lambda: "/customers/"),
        ("customer", "customers", lambda: Customer.objects.get(slug="kens-plumbing-supply").get_absolute_url()),
        ("feed", "stories", lambda: "/stories/"),
        ("story", "stories", lambda: apps.get_model("stories", "Story").objects.filter(status="published")
         .filter(customer__slug="kens-plumbing-supply").first().get_absolute_url()),
        ("decision-log", "decisions", lambda: "/decisions/"),
        ("decision", "decisions", lambda: apps.get_model("decisions", "Decision").objects.order_by("pk").first()
         .get_absolute_url()),
        ("meetings", "meetings", lambda: "/meetings/"),
        ("meeting", "meetings", lambda: apps.get_model("meetings", "Meeting").objects.order_by("pk").first()
         .get_absolute_url()),
        ("meeting-brief", "meetings", lambda: apps.get_model("meetings", "Meeting").objects.order_by("pk").first()
         .get_absolute_url() + "brief/"),
        ("settings", "digests", lambda: "/settings/notifications/"),
        ("subscribe", "stories", lambda: "/stories/subscribe/"),
        ("scorecard", "insights", lambda: "/insights/"),
        ("team-scorecard", "insights", lambda: "/insights/teams/finance/"),
        # the employee pulse: this quarter's answer page, last quarter's answers (Grace leads Finance)
        ("survey-answer", "survey", lambda: "/survey/"),
        ("survey-results", "survey", lambda: "/survey/%s/results/" % apps.get_model("survey", "Survey").objects
         .exclude(status="draft").order_by("year", "quarter").first().pk),
        ("complaint-patterns", "improvements", lambda: "/improvements/"),
        ("improvement-idea", "improvements", lambda: apps.get_model("improvements", "Idea").objects.order_by("pk").first()
         .get_absolute_url()),
        ("improvements-quarter", "improvements", lambda: "/improvements/quarter/"),
    ]
    return pages


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return User.objects.get(email="grace@lifeline.example")


def run_axe(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_page(browser, live_server):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does)")
    # axe is injected as a script; the page's strict CSP would refuse it, so this context bypasses CSP.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_main_pages_have_no_serious_accessibility_violations(axe_page, demo, language):
    from django.conf import settings

    installed = {app.label for app in apps.get_app_configs()}
    demo.language = language
    demo.save()
    page = axe_page
    page.goto("/accounts/login/")
    page.fill("#id_username", demo.email)
    page.fill("#id_password", "lifeline-demo")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)

    failures, visited = {}, []
    for name, app, url in main_pages():
        if app not in installed:
            continue
        page.goto(url())
        expected_dir = "rtl" if language in settings.LANGUAGES_BIDI else "ltr"
        assert page.locator("html").get_attribute("dir") == expected_dir, name
        violations = run_axe(page)
        if violations:
            failures[name] = violations
        visited.append(name)
        if language == "ar":
            screenshot(page, f"a11y-{name}-{language}")
    assert {"home", "directory", "customer"} <= set(visited)
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)
