"""`make run` on another port: every address the portal prints or sends follows it, and scheduled
email has a worker and beat to send it."""

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from portal.models import User

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*args):
    """What `make` would run, without running it."""
    return subprocess.run(
        ["make", "-n", "-B", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
class TestMakeRun:
    def test_the_site_url_follows_the_port(self):
        commands = dry_run("run", "PORT=8123")
        assert "SITE_URL=http://127.0.0.1:8123 " in commands
        assert "runserver 127.0.0.1:8123" in commands
        assert "SITE_URL=http://127.0.0.1:8000" not in commands

    def test_a_worker_with_beat_runs_beside_the_server(self):
        commands = dry_run("run")
        assert "CELERY_BROKER_URL=filesystem://" in commands and "worker --beat" in commands


@pytest.mark.django_db
def test_the_demo_prints_the_address_it_is_served_at(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Sign in at http://127.0.0.1:8123/" in out.getvalue()
    grace = User.objects.get(email="grace@lifeline.example")
    feed = f"http://127.0.0.1:8123/stories/feeds/{grace.feed_token}/"
    assert feed in out.getvalue()
    assert Client().get(feed.removeprefix("http://127.0.0.1:8123")).status_code == 200
    active = User.objects.filter(is_active=True).count()
    assert f"Demo company ready: {active} people," in out.getvalue()  # every account it made, not the listed ones


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_help_prints_the_addresses_it_serves_at():
    listed = subprocess.run(["make", "help", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "http://127.0.0.1:8123 " in listed and "$(" not in listed
