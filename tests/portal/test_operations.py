import json
import logging

import pytest
from django.test import Client
from django.urls import path, reverse

from tests.factories import TEST_PASSWORD


# Nothing listens on port 9 (discard) here: every connection is refused at once.
DOWN = "redis://127.0.0.1:9/0"


def redis_cache(url):
    return {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}}


@pytest.fixture
def shared_cache(settings):
    """A Redis cache (database 5 of the local server), as with CACHE_URL set; `cache_at(url)` moves it."""
    from django.core.cache import caches

    def cache_at(url):
        caches["default"].close()
        settings.CACHES = {**settings.CACHES, "default": redis_cache(url)}

    cache_at("redis://127.0.0.1:6379/5")
    yield cache_at
    caches["default"].close()


@pytest.mark.django_db
class TestHealth:
    def test_it_answers_without_signing_in(self, client, settings):
        settings.REDIS_URL = ""
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        status = response.json()
        assert status.pop("cache_errors") >= 0  # this worker's since it started
        assert status == {"database": "ok", "cache": "ok", "broker": "not configured"}

    def test_with_only_a_cache_server_it_checks_the_cache(self, client, settings, shared_cache):
        settings.REDIS_URL = ""
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        assert response.json()["cache"] == "ok"

    def test_it_names_a_cache_server_that_is_down(self, client, settings, shared_cache):
        settings.REDIS_URL = ""
        shared_cache(DOWN)
        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        status = response.json()
        assert {k: status[k] for k in ("database", "cache", "broker")} == {
            "database": "ok", "cache": "unavailable", "broker": "not configured"}
        assert status["cache_errors"] >= 1  # the errors pages met, and the health check's own

    def test_it_names_a_broker_that_is_down(self, client, settings):
        settings.REDIS_URL = DOWN
        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        assert response.json()["broker"] == "unavailable"
        assert response.json()["cache"] == "ok"

    def test_it_checks_a_broker_that_answers(self, client, settings):
        settings.REDIS_URL = "redis://127.0.0.1:6379/5"
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        assert response.json()["broker"] == "ok"

    def test_it_names_a_database_that_is_down(self, client, settings):
        from unittest import mock

        settings.REDIS_URL = ""
        with mock.patch("portal.views.connection.cursor", side_effect=OSError("connection refused")):
            response = client.get(reverse("healthz"))
        assert response.status_code == 503
        assert response.json()["database"] == "unavailable"


def boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [path("boom/", boom)]
handler500 = "portal.views.server_error"


@pytest.mark.django_db
class TestFailures:
    def test_a_failing_request_shows_a_reference_that_is_logged(self, settings, staff, caplog):
        settings.ROOT_URLCONF = __name__
        client = Client(raise_request_exception=False)
        client.force_login(staff)
        with caplog.at_level(logging.ERROR, logger="django.request"):
            response = client.get("/boom/")
        assert response.status_code == 500
        request_id = response["X-Request-ID"]
        assert f"<code>{request_id}</code>" in response.content.decode()
        assert any(getattr(r, "request_id", None) == request_id for r in caplog.records)

    def test_json_logs_carry_the_request_id(self):
        from pythonjsonlogger.json import JsonFormatter

        from portal.middleware import RequestIdLogFilter

        record = logging.LogRecord("lifeline", logging.INFO, __file__, 1, "hello", None, None)
        RequestIdLogFilter().filter(record)
        line = JsonFormatter("%(levelname)s %(request_id)s %(message)s").format(record)
        assert json.loads(line) == {"levelname": "INFO", "request_id": "-", "message": "hello"}


@pytest.mark.django_db
class TestSignInLockout:
    def fail(self, client, email, times, ip="10.0.0.1"):
        for _ in range(times):
            client.post(reverse("login"), {"username": email, "password": "wrong"}, REMOTE_ADDR=ip)

    def test_an_account_is_locked_after_five_failures(self, client, staff):
        self.fail(client, staff.email, 5)
        response = client.post(reverse("login"), {"username": staff.email, "password": TEST_PASSWORD},
                               REMOTE_ADDR="10.0.0.2")
        assert response.status_code == 429
        assert "Too many failed sign-ins" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_failures_for_other_names_never_lock_out_an_address(self, client, leader):
        """Behind the TLS proxy everyone shares an address: a script guessing at a made-up name must
        not lock out the company."""
        self.fail(client, "nobody@example.com", 20, ip="10.9.9.9")
        response = client.post(reverse("login"), {"username": leader.email, "password": TEST_PASSWORD},
                               REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(leader.pk)
        response = Client().post(reverse("login"), {"username": "nobody@example.com", "password": "wrong"},
                                 REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 429

    def test_many_names_from_one_address_lock_none_of_the_real_ones(self, client, staff, leader):
        for i in range(20):
            self.fail(client, f"nobody{i}@example.com", 1, ip="10.9.9.9")
        response = client.post(reverse("login"), {"username": leader.email, "password": TEST_PASSWORD},
                               REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 302

    def test_behind_the_proxy_the_address_recorded_is_the_one_it_saw(self, client, settings, staff):
        from axes.models import AccessAttempt

        settings.PROXY_COUNT = 1
        client.post(reverse("login"), {"username": staff.email, "password": "wrong"},
                    REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
        # The proxy appends the address it saw; what the client wrote before it is ignored.
        assert AccessAttempt.objects.get(username=staff.email).ip_address == "203.0.113.5"

    def test_without_a_proxy_count_the_forwarded_header_is_ignored(self, client, settings, staff):
        from axes.models import AccessAttempt

        settings.PROXY_COUNT = 0
        client.post(reverse("login"), {"username": staff.email, "password": "wrong"},
                    REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
        assert AccessAttempt.objects.get(username=staff.email).ip_address == "10.0.0.9"

    def test_an_admin_unlocks(self, client, staff):
        from axes.models import AccessAttempt

        self.fail(client, staff.email, 5)
        AccessAttempt.objects.filter(username=staff.email).delete()  # what the admin's delete does
        response = client.post(reverse("login"), {"username": staff.email, "password": TEST_PASSWORD},
                               REMOTE_ADDR="10.0.0.3")
        assert response.status_code == 302

    def test_fewer_failures_do_not_lock(self, client, staff):
        self.fail(client, staff.email, 3)
        response = client.post(reverse("login"), {"username": staff.email, "password": TEST_PASSWORD})
        assert response.status_code == 302


@pytest.mark.django_db
class TestSecurityHeaders:
    def test_pages_carry_a_strict_content_security_policy(self, client):
        response = client.get(reverse("login"))
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"

    def test_htmx_is_configured_for_the_policy(self, client):
        html = client.get(reverse("login")).content.decode()
        assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
        assert "<script>" not in html and " style=" not in html
