"""Sign-in with the company's identity provider (portal/oidc.py, portal/signin.py), against a real
OpenID Provider started for these tests (tests/oidc/provider.mjs), driven without a browser here;
tests/browser/test_oidc.py drives the same through Chromium."""

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal.models import User
from portal.oidc import CompanySignInBackend
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory
from tests.oidc.provider import CLIENT_ID, running_provider, shared_clock

CALLBACK = "http://testserver/accounts/oidc/callback/"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with running_provider(tmp_path_factory.mktemp("oidc"), redirect_uris=[CALLBACK]) as provider:
        yield provider


@pytest.fixture
def oidc(provider, settings, db):
    """The portal configured for the provider, with the accounts as the tests start them."""
    from tests.oidc.provider import ACCOUNTS

    provider.configure(settings)
    provider.accounts = ACCOUNTS
    provider.browser.cookies.clear()
    TeamFactory(name="Finance", slug="finance")
    with shared_clock():
        yield provider


def query(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def start(client, next_url=None):
    """The sign-in button: the URL at the provider the browser is sent to."""
    response = client.get(reverse("oidc_start"), {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response["Location"]


def come_back(client, url):
    """The browser arriving back at the portal at `url` (the callback with its query)."""
    parts = urlsplit(url)
    return client.get(parts.path, query(url))


def sign_in(client, provider, login, next_url=None):
    return come_back(client, provider.sign_in(start(client, next_url), login))


def refused(response, status, words, *, language="en"):
    """The refusal page, in `language` (the person's own, when Lifeline knew them)."""
    page = response.content.decode()
    assert response.status_code == status, page[:2000]
    with translation.override(language):
        assert gettext("We could not sign you in") in page
    if language == "en":
        assert words in page
    return page


class TestSignInPage:
    def test_without_oidc_there_is_no_company_button_and_no_oidc_url(self, client, db):
        page = client.get(reverse("login")).content.decode()
        assert "company account" not in page
        assert 'name="password"' in page
        assert client.get(reverse("oidc_start")).status_code == 404
        assert client.get(reverse("oidc_callback"), {"code": "c", "state": "s"}).status_code == 404

    def test_with_oidc_the_page_offers_the_company_account(self, client, settings, db):
        settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://id.example.com", "lifeline"
        page = client.get(reverse("login"), {"next": "/stories/"}).content.decode()
        assert "Sign in with your company account" in page
        assert f'href="{reverse("oidc_start")}?next=/stories/"' in page
        assert 'name="password"' in page
        settings.OIDC_PROVIDER_NAME = "Contoso ID"
        assert "Sign in with Contoso ID" in client.get(reverse("login")).content.decode()

    def test_password_sign_in_can_be_turned_off(self, client, settings, staff):
        settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://id.example.com", "lifeline"
        settings.PASSWORD_SIGN_IN = False
        page = client.get(reverse("login")).content.decode()
        assert "Sign in with your company account" in page
        assert 'name="password"' not in page
        response = client.post(reverse("login"), {"username": staff.email, "password": TEST_PASSWORD})
        assert response.status_code == 403
        assert "_auth_user_id" not in client.session
        assert client.get(reverse("password_reset")).status_code == 404
        assert client.post(reverse("password_reset"), {"email": staff.email}).status_code == 404


class TestStart:
    def test_it_sends_a_fresh_state_nonce_and_pkce_challenge(self, client, oidc):
        url = start(client, "/stories/")
        params = query(url)
        assert url.startswith(f"{oidc.issuer}/auth?")
        assert params["response_type"] == "code"
        assert params["client_id"] == CLIENT_ID
        assert params["redirect_uri"] == CALLBACK
        assert params["scope"] == "openid email profile"
        kept = client.session["oidc_states"][params["state"]]
        assert kept["nonce"] == params["nonce"] and len(params["nonce"]) >= 32
        challenge = base64.urlsafe_b64encode(hashlib.sha256(kept["code_verifier"].encode()).digest()).rstrip(b"=")
        assert params["code_challenge_method"] == "S256"
        assert params["code_challenge"] == challenge.decode()
        assert query(start(client))["state"] != params["state"]

    def test_the_endpoints_come_from_discovery_once(self, client, oidc, monkeypatch):
        import requests

        fetched = []
        real_get = requests.get
        monkeypatch.setattr(requests, "get", lambda url, **kw: fetched.append(url) or real_get(url, **kw))
        start(client)
        start(client)
        assert fetched == [f"{oidc.issuer}/.well-known/openid-configuration"]

    def test_an_unreachable_provider_is_a_clear_page(self, client, settings, db):
        settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID, settings.OIDC_TIMEOUT = "http://127.0.0.1:9", "lifeline", 2
        refused(client.get(reverse("oidc_start")), 503, "cannot be reached")


class TestFirstSignIn:
    def test_it_creates_the_person_from_the_claims(self, client, oidc, settings):
        settings.OIDC_ROLES_CLAIM, settings.OIDC_LEADER_ROLES = "groups", ["lifeline-leaders"]
        response = sign_in(client, oidc, "ana", next_url="/stories/")
        assert response.status_code == 302 and response["Location"] == "/stories/"
        ana = User.objects.get()
        assert client.session["_auth_user_id"] == str(ana.pk)
        assert (ana.email, ana.name, ana.team.slug, ana.language, ana.time_zone, ana.role) == (
            "ana.lima@lifeline.example", "Ana Lima", "finance", "ar", "Africa/Cairo", User.Role.LEADER)
        assert not ana.has_usable_password()
        assert not ana.is_staff

    def test_it_links_the_person_who_has_that_email(self, client, oidc):
        grace = UserFactory(email="Ana.Lima@lifeline.example", name="A. Lima", language="en", team=None)
        sign_in(client, oidc, "ana")
        assert User.objects.count() == 1
        grace.refresh_from_db()
        assert client.session["_auth_user_id"] == str(grace.pk)
        # Name and team follow the company's directory; the language the person chose stays theirs.
        assert (grace.name, grace.team.slug, grace.language) == ("Ana Lima", "finance", "en")
        assert grace.has_usable_password()

    def test_the_admin_claim_makes_and_unmakes_an_admin(self, client, oidc, settings):
        settings.OIDC_ROLES_CLAIM, settings.OIDC_ADMIN_ROLES = "groups", ["lifeline-admins"]
        accounts = oidc.accounts
        accounts["ana"]["groups"] = "lifeline-admins other"
        oidc.accounts = accounts
        sign_in(client, oidc, "ana")
        assert User.objects.get().is_staff and User.objects.get().is_superuser
        client.logout()
        accounts["ana"]["groups"] = []
        oidc.accounts = accounts
        sign_in(client, oidc, "ana")
        assert not User.objects.get().is_staff and not User.objects.get().is_superuser

    def test_without_a_roles_claim_roles_stay_as_the_portal_set_them(self, client, oidc):
        UserFactory(email="ana.lima@lifeline.example", role=User.Role.HOST, is_staff=True)
        sign_in(client, oidc, "ana")
        ana = User.objects.get()
        assert (ana.role, ana.is_staff) == (User.Role.HOST, True)


class TestRefusals:
    """Each refusal is a page that says why, and nothing is created."""

    def test_an_unverified_email(self, client, oidc):
        refused(sign_in(client, oidc, "ben"), 403, "is not verified")
        assert not User.objects.exists()
        assert "_auth_user_id" not in client.session

    def test_an_email_at_another_domain(self, client, oidc, settings):
        settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["lifeline.example"]
        refused(sign_in(client, oidc, "cy"), 403, "at this domain")
        assert not User.objects.exists()

    def test_a_switched_off_person(self, client, oidc):
        UserFactory(email="ana.lima@lifeline.example", name="Old name", is_active=False)
        refused(sign_in(client, oidc, "ana"), 403, "switched off")
        assert User.objects.get().name == "Old name"

    def test_a_person_not_added_when_creating_is_off(self, client, oidc, settings):
        settings.OIDC_CREATE_USER = False
        refused(sign_in(client, oidc, "ana"), 403, "no Lifeline account")
        assert not User.objects.exists()

    def test_a_state_this_browser_was_not_sent_with(self, client, oidc):
        url = oidc.sign_in(start(Client()), "ana")  # another browser's sign-in
        refused(come_back(client, url), 400, "could not confirm")
        assert not User.objects.exists()

    def test_the_answer_is_used_once(self, client, oidc):
        url = oidc.sign_in(start(client), "ana")
        assert come_back(client, url).status_code == 302
        client.logout()
        refused(come_back(client, url), 400, "could not confirm")

    def test_a_pkce_verifier_that_does_not_match(self, client, oidc):
        url = start(client)
        session = client.session
        session["oidc_states"][query(url)["state"]]["code_verifier"] = "x" * 64
        session.save()
        refused(come_back(client, oidc.sign_in(url, "ana")), 400, "could not confirm")
        assert not User.objects.exists()

    def test_an_answer_from_another_issuer(self, client, oidc):
        url = oidc.sign_in(start(client), "ana").replace("iss=", "iss=https%3A%2F%2Fevil.example&was=")
        refused(come_back(client, url), 400, "could not confirm")
        assert not User.objects.exists()

    def test_the_provider_saying_no(self, client, oidc):
        state = query(start(client))["state"]
        response = client.get(reverse("oidc_callback"), {"error": "access_denied", "state": state})
        refused(response, 403, "did not sign you in")
        assert state not in client.session["oidc_states"]


def id_token(provider, nonce, **changes):
    now = int(time.time())
    claims = {"iss": provider.issuer, "sub": "ana", "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce}
    claims.update(changes)
    return provider.sign({key: value for key, value in claims.items() if value is not None})


def tampered(token):
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def unsigned(token):
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    return f"{header}.{token.split('.')[1]}."


ID_TOKENS = {
    "tampered": (lambda p, n: tampered(id_token(p, n)), 400, "could not confirm"),
    "unsigned": (lambda p, n: unsigned(id_token(p, n)), 400, "could not confirm"),
    "wrong audience": (lambda p, n: id_token(p, n, aud="another-app"), 400, "could not confirm"),
    "several audiences, not authorized for us": (
        lambda p, n: id_token(p, n, aud=[CLIENT_ID, "another-app"], azp="another-app"), 400, "could not confirm"),
    "expired": (lambda p, n: id_token(p, n, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), 400,
                "had expired"),
    "no expiry": (lambda p, n: id_token(p, n, exp=None), 400, "had expired"),
    "wrong issuer": (lambda p, n: id_token(p, n, iss="https://evil.example"), 400, "could not confirm"),
    "wrong nonce": (lambda p, n: id_token(p, "another-nonce"), 400, "could not confirm"),
    "issued in the future": (lambda p, n: id_token(p, n, iat=int(time.time()) + 3600), 400, "could not confirm"),
}


class TestIdTokenChecks:
    """ID tokens the provider never issued, signed with its own key (or not), handed to the portal as if
    its token endpoint had answered them: each is refused before anything is looked up or created."""

    @pytest.fixture
    def answer_with(self, monkeypatch):
        def answer(token):
            monkeypatch.setattr(CompanySignInBackend, "get_token",
                                lambda self, payload: {"id_token": token, "access_token": "unused"})
        return answer

    @pytest.mark.parametrize("case", ID_TOKENS)
    def test_it_is_refused(self, client, oidc, answer_with, case):
        make, status, words = ID_TOKENS[case]
        url = start(client)
        answer_with(make(oidc, query(url)["nonce"]))
        response = client.get(reverse("oidc_callback"), {"code": "anything", "state": query(url)["state"]})
        refused(response, status, words)
        assert not User.objects.exists()
        assert "_auth_user_id" not in client.session

    def test_a_good_one_passes_these_checks(self, client, oidc, answer_with):
        """The same path with an honest token gets as far as the userinfo request (which the made-up
        access token fails), so the refusals above are about the token."""
        url = start(client)
        token = id_token(oidc, query(url)["nonce"])
        answer_with(token)
        backend = CompanySignInBackend()
        assert backend.verify_token(token, nonce=query(url)["nonce"])["sub"] == "ana"

    def test_a_token_without_a_key_id_is_checked_with_the_one_key(self, oidc, client):
        """A provider with one signing key may leave `kid` out: the signature is still checked."""
        nonce = query(start(client))["nonce"]
        now = int(time.time())
        claims = {"iss": oidc.issuer, "sub": "ana", "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce}
        token = oidc.sign(claims, kid=False)
        assert CompanySignInBackend().verify_token(token, nonce=nonce)["sub"] == "ana"
        with pytest.raises(Exception, match="JWS token verification failed"):
            CompanySignInBackend().verify_token(tampered(token), nonce=nonce)


class TestRecheck:
    """Every OIDC_RECHECK_SECONDS the next page asks the provider again, without a prompt."""

    def signed_in(self, client, oidc):
        assert sign_in(client, oidc, "ana").status_code == 302
        session = client.session
        session["oidc_id_token_expiration"] = time.time() - 1  # the check is due
        session.save()

    def test_a_person_removed_at_the_provider_is_signed_out(self, client, oidc):
        self.signed_in(client, oidc)
        response = client.get("/meetings/")
        assert response.status_code == 302 and query(response["Location"])["prompt"] == "none"
        oidc.accounts = {name: claims for name, claims in oidc.accounts.items() if name != "ana"}
        back = oidc.sign_in(response["Location"])
        assert query(back)["error"] == "login_required"
        refused(come_back(client, back), 403, "did not sign you in", language="ar")  # Ana reads Arabic
        assert "_auth_user_id" not in client.session
        assert client.get("/").status_code == 302  # to sign in
        assert User.objects.get().is_active  # the person stays: their stories and reviews are theirs

    def test_a_person_still_there_goes_on_where_they_were(self, client, oidc):
        self.signed_in(client, oidc)
        response = client.get("/meetings/")
        back = come_back(client, oidc.sign_in(response["Location"]))
        assert back.status_code == 302 and back["Location"] == "/meetings/"
        assert client.get("/meetings/").status_code == 200

    def test_an_htmx_request_is_sent_round_by_the_page(self, client, oidc):
        self.signed_in(client, oidc)
        response = client.get("/meetings/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/meetings/?x=1")
        assert response.status_code == 204
        assert query(response["HX-Redirect"])["prompt"] == "none"
        assert client.session["oidc_login_next"] == "http://testserver/meetings/?x=1"

    def test_the_check_is_not_due_yet(self, client, oidc):
        assert sign_in(client, oidc, "ana").status_code == 302
        assert client.get("/meetings/").status_code == 200

    def test_posts_are_not_interrupted(self, client, oidc):
        self.signed_in(client, oidc)
        response = client.post(reverse("set_language"), {"language": "he", "next": "/"})
        assert response.status_code == 302 and response["Location"] == "/"

    def test_password_sessions_are_not_rechecked(self, client, oidc, staff):
        assert client.post(reverse("login"), {"username": staff.email, "password": TEST_PASSWORD}).status_code == 302
        assert client.get("/meetings/").status_code == 200


class TestLockout:
    def test_refused_company_sign_ins_lock_no_one_out(self, client, oidc, staff):
        from axes.models import AccessAttempt

        for _ in range(6):
            sign_in(Client(), oidc, "ben")
            oidc.browser.cookies.clear()
        assert not AccessAttempt.objects.exists()
        assert sign_in(client, oidc, "ana").status_code == 302

    def test_wrong_passwords_still_lock_the_account(self, client, oidc, staff):
        for _ in range(5):
            client.post(reverse("login"), {"username": staff.email, "password": "wrong"})
        response = client.post(reverse("login"), {"username": staff.email, "password": TEST_PASSWORD})
        assert response.status_code == 429


class TestSwitchedOff:
    def test_a_person_switched_off_in_the_admin_is_signed_out_at_once(self, client, oidc):
        assert sign_in(client, oidc, "ana").status_code == 302
        assert client.get("/meetings/").status_code == 200
        User.objects.update(is_active=False)
        response = client.get("/meetings/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


class TestAdminWithoutPasswords:
    @pytest.fixture(autouse=True)
    def passwords_off(self, settings):
        settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://id.example.com", "lifeline"
        settings.PASSWORD_SIGN_IN = False

    def test_the_admin_sends_people_to_the_sign_in_page(self, client, db):
        response = client.get(reverse("admin:login"), {"next": "/admin/customers/"})
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next=/admin/customers/"

    def test_a_signed_in_colleague_who_is_no_admin_is_refused_not_sent_round(self, client, staff):
        client.force_login(staff)
        assert client.get(reverse("admin:login")).status_code == 403


class TestContentSecurityPolicy:
    def test_forms_may_lead_to_the_provider_only_when_it_is_configured(self, client, settings, db):
        assert "form-action 'self';" in client.get(reverse("login"))["Content-Security-Policy"]
        settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://id.example.com/tenant/v2.0", "lifeline"
        policy = client.get(reverse("login"))["Content-Security-Policy"]
        assert "form-action 'self' https://id.example.com;" in policy
