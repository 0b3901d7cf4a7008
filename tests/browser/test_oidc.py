"""Company sign-in through Chromium, against a real OpenID Provider (tests/oidc/provider.mjs): a first
sign-in creates the person from their claims, an unverified email is refused with a page that says so,
and a person removed at the provider is signed out at the next check."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from portal.models import User
from tests.browser.conftest import screenshot
from tests.factories import TeamFactory
from tests.oidc.provider import running_provider, shared_clock


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    callback = f"{live_server.url}/accounts/oidc/callback/"
    with running_provider(tmp_path_factory.mktemp("oidc-browser"), redirect_uris=[callback]) as provider:
        yield provider


@pytest.fixture
def company_sign_in(provider, settings, page):
    """The portal configured for the provider; `company_sign_in(login)` goes through its sign-in page."""
    from tests.oidc.provider import ACCOUNTS

    provider.configure(settings, OIDC_PROVIDER_NAME="Lifeline ID", OIDC_ROLES_CLAIM="groups",
                       OIDC_LEADER_ROLES=["lifeline-leaders"])
    provider.accounts = ACCOUNTS
    authorize_requests = []
    page.on("request", lambda request: authorize_requests.append(request.url)
            if request.url.startswith(f"{provider.issuer}/auth?") else None)

    def sign_in(login, start="/stories/"):
        page.goto(start)
        page.get_by_role("link", name="Sign in with Lifeline ID").click()
        page.wait_for_url(f"{provider.issuer}/**")
        page.locator("input[name=login]").fill(login)
        page.locator("input[name=password]").fill("any password")
        page.get_by_role("button", name="Sign-in").click()
        page.wait_for_url(lambda url: not url.startswith(provider.issuer))
        return parse_qs(urlsplit(authorize_requests[0]).query)

    sign_in.provider = provider
    with shared_clock():
        yield sign_in


@pytest.mark.django_db(transaction=True)
def test_a_first_sign_in_creates_the_person_from_the_provider(page, company_sign_in):
    TeamFactory(name="Finance", slug="finance")
    sent = company_sign_in("ana", start="/stories/")

    # Back where she was going, signed in, the portal in her language (Arabic, right to left).
    page.wait_for_url("**/stories/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    ana = User.objects.get()
    assert (ana.name, ana.email, ana.team.slug, ana.role, ana.language) == (
        "Ana Lima", "ana.lima@lifeline.example", "finance", "leader", "ar")
    screenshot(page, "oidc-signed-in")
    # The authorization request carried a state, a nonce and a PKCE challenge (S256), all kept for one answer.
    assert sent["response_type"] == ["code"] and sent["code_challenge_method"] == ["S256"]
    assert sent["state"][0] and sent["nonce"][0] and sent["code_challenge"][0]


@pytest.mark.django_db(transaction=True)
def test_an_unverified_email_is_refused_with_a_clear_page(page, company_sign_in):
    company_sign_in("ben")
    expect(page.get_by_role("heading", name="We could not sign you in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("is not verified")
    assert not User.objects.exists()
    screenshot(page, "oidc-refused")
    page.set_viewport_size({"width": 390, "height": 800})
    screenshot(page, "oidc-refused-390")
    page.get_by_role("link", name="Back to sign-in").click()
    expect(page.get_by_role("link", name="Sign in with Lifeline ID")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    screenshot(page, "oidc-sign-in-page-390")


@pytest.mark.django_db(transaction=True)
def test_a_person_removed_at_the_provider_is_signed_out_at_the_next_check(page, company_sign_in, settings):
    settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = 2
    provider = company_sign_in.provider
    accounts = provider.accounts
    provider.accounts = {**accounts, "dan": {"email": "dan@lifeline.example", "email_verified": True, "name": "Dan"}}
    company_sign_in("dan", start="/meetings/")
    page.wait_for_url("**/meetings/")
    provider.accounts = accounts
    time.sleep(2.1)

    page.goto("/stories/")  # the check is due: the browser goes by the provider, which no longer knows her
    expect(page.get_by_role("heading", name="We could not sign you in")).to_be_visible()
    page.goto("/stories/")
    page.wait_for_url("**/accounts/login/**")
    assert User.objects.get().is_active


@pytest.mark.django_db(transaction=True)
def test_a_check_due_after_a_form_goes_by_the_provider_and_back(page, company_sign_in, settings):
    """A form's redirect may lead to the provider (the page it lands on is due for a check): the Content
    Security Policy's form-action lets the browser follow it."""
    settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = 2
    company_sign_in("ana", start="/meetings/")
    page.wait_for_url("**/meetings/")
    time.sleep(2.1)
    page.locator("#language-select").select_option("he")
    page.locator(".language-form button").click()
    page.wait_for_url("**/meetings/")
    expect(page.locator("html")).to_have_attribute("lang", "he")
    assert User.objects.get().language == "he"


@pytest.mark.django_db(transaction=True)
def test_the_sign_in_and_refusal_pages_have_no_serious_accessibility_violations(browser, live_server, settings):
    from tests.browser.test_accessibility import AXE, run_axe

    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://id.example.com", "lifeline"
    # axe is injected as a script, which the pages' strict CSP would refuse: this context bypasses it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    failures = {}
    for name, url in (("sign-in", "/accounts/login/"), ("refused", "/accounts/oidc/callback/?code=c&state=s")):
        page.goto(url)
        assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
        failures[name] = run_axe(page)
    context.close()
    assert failures == {"sign-in": [], "refused": []}
