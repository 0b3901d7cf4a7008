"""The production set-up: compose file, Dockerfile, and `check --deploy` with production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def load_compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


class TestComposeFile:
    def test_it_has_every_service_lifeline_needs(self):
        services = load_compose()["services"]
        assert set(services) == {"web", "worker", "beat", "db", "redis", "mailpit"}

    def test_app_services_run_gunicorn_and_celery(self):
        services = load_compose()["services"]
        assert "gunicorn portal.wsgi:application" in services["web"]["command"]
        assert "migrate" in services["web"]["command"]
        assert services["worker"]["command"].startswith("celery -A portal worker")
        assert services["beat"]["command"].startswith("celery -A portal beat")
        for name in ("web", "worker", "beat"):
            assert services[name]["build"] == "."
            assert set(services[name]["depends_on"]) == {"db", "redis"}

    def test_app_services_share_production_environment(self):
        services = load_compose()["services"]
        for name in ("web", "worker", "beat"):
            env = services[name]["environment"]
            assert env["DEBUG"] == "0"
            assert env["DATABASE_URL"].startswith("postgres://lifeline:") and env["DATABASE_URL"].endswith("@db:5432/lifeline")
            assert env["REDIS_URL"] == "redis://redis:6379/0"
            assert env["EMAIL_URL"] == "smtp://mailpit:1025"
            assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env
            assert {"OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "PASSWORD_SIGN_IN"} <= set(env)

    def test_backing_services_have_health_checks(self):
        services = load_compose()["services"]
        assert services["db"]["image"].startswith("postgres:")
        assert services["redis"]["image"].startswith("redis:")
        assert "healthcheck" in services["db"] and "healthcheck" in services["redis"]
        assert "8025:8025" in services["mailpit"]["ports"]

    def test_dockerfile_installs_the_lock_and_serves_with_gunicorn(self):
        dockerfile = (ROOT / "Dockerfile").read_text()
        assert "pip install -r requirements/base.txt" in dockerfile
        assert "collectstatic" in dockerfile
        assert 'CMD ["gunicorn", "portal.wsgi:application"' in dockerfile


def run_manage(*args, env):
    # The machine's own settings stay out (CI sets REDIS_URL and DATABASE_URL for the suite).
    unset = {"DEBUG", "DATABASE_URL", "EMAIL_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "CACHE_URL",
             "CELERY_BROKER_URL"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7!k2@production-like-secret-key-with-plenty-of-entropy-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "lifeline.example.com",
    "DATABASE_URL": "postgres://lifeline:secret@db.invalid:5432/lifeline",
    "EMAIL_URL": "smtp://mail.invalid:25",
    "REDIS_URL": "redis://redis.invalid:6379/0",
}


class TestProductionSettings:
    def test_check_deploy_reports_nothing(self):
        result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues" in result.stdout

    def test_check_deploy_warns_without_redis(self):
        env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
        result = run_manage("check", "--deploy", env=env)
        assert "lifeline.W001" in result.stderr and "digests and reminders will not be sent" in result.stderr
        assert "lifeline.W002" in result.stderr and "each worker keeps its own" in result.stderr

    def test_company_sign_in_as_compose_passes_it_on_unset(self):
        """docker-compose passes each unset OIDC_* variable on as an empty string: sign-in stays as it was."""
        env = {**PRODUCTION, **{name: "" for name in load_compose()["x-lifeline-env"] if name.startswith("OIDC_")}}
        code = ("from django.conf import settings as s; "
                "print(bool(s.OIDC_ISSUER), s.OIDC_ALLOWED_EMAIL_DOMAINS, s.OIDC_LEADER_ROLES, s.PASSWORD_SIGN_IN)")
        result = run_manage("shell", "-c", code, env=env)
        assert result.stdout.strip().splitlines()[-1] == "False [] [] True", result.stderr

    def test_passwords_off_needs_company_sign_in(self):
        result = run_manage("check", env={**PRODUCTION, "PASSWORD_SIGN_IN": "0"})
        assert result.returncode != 0
        assert "PASSWORD_SIGN_IN=0 needs OIDC_ISSUER" in result.stderr

    @pytest.mark.parametrize("currency", ["euro", "E", "12$"])
    def test_a_currency_must_be_an_iso_code(self, currency):
        assert load_compose()["x-lifeline-env"]["LIFELINE_CURRENCY"] == "${LIFELINE_CURRENCY:-EUR}"  # a .env may set it
        result = run_manage("check", env={**PRODUCTION, "LIFELINE_CURRENCY": currency})
        assert result.returncode != 0
        assert "LIFELINE_CURRENCY must be a three-letter ISO 4217 code" in result.stderr

    def test_it_refuses_to_start_without_a_secret_key(self):
        env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
        result = run_manage("check", env=env)
        assert result.returncode != 0
        assert "Set the SECRET_KEY environment variable" in result.stderr

    def test_it_refuses_to_start_without_a_database_url(self):
        env = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}
        result = run_manage("check", env=env)
        assert result.returncode != 0
        assert "DATABASE_URL" in result.stderr


def test_every_beat_entry_names_a_task_the_worker_knows():
    """A misspelt task in CELERY_BEAT_SCHEDULE would be sent every few minutes and never run."""
    from django.conf import settings

    from portal.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "insights.tasks.refresh_scorecards_task" in scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)


class TestBackgroundWorkCheck:
    """With DEBUG off, `check --deploy` says what will not happen without a broker or a shared cache."""

    def ids(self):
        from portal.checks import background_work

        return [message.id for message in background_work(None)]

    def test_nothing_to_say_with_redis(self, settings):
        settings.DEBUG, settings.REDIS_URL = False, "redis://redis:6379/0"
        settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django_redis.cache.RedisCache",
                                                          "LOCATION": "redis://redis:6379/1"}}
        assert self.ids() == []

    def test_no_broker_means_no_digests(self, settings):
        settings.DEBUG, settings.REDIS_URL = False, ""
        settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django_redis.cache.RedisCache",
                                                          "LOCATION": "redis://redis:6379/1"}}
        assert self.ids() == ["lifeline.W001"]

    def test_a_cache_in_each_worker(self, settings):
        settings.DEBUG, settings.REDIS_URL = False, "redis://redis:6379/0"
        settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        assert self.ids() == ["lifeline.W002"]

    def test_development_is_left_alone(self, settings):
        settings.DEBUG, settings.REDIS_URL = True, ""
        settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        assert self.ids() == []


class TestCompanySignInCheck:
    def ids(self):
        from portal.checks import company_sign_in

        return [message.id for message in company_sign_in(None)]

    def test_an_http_issuer_is_reported(self, settings):
        settings.DEBUG, settings.OIDC_ISSUER = False, "http://id.example.com"
        assert self.ids() == ["lifeline.W003"]

    def test_https_or_none_is_fine(self, settings):
        settings.DEBUG = False
        for issuer in ("https://id.example.com", ""):
            settings.OIDC_ISSUER = issuer
            assert self.ids() == []
