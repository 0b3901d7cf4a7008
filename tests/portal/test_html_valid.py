"""Every main page is valid HTML, in English and Arabic: the W3C Nu validator (vnu.jar, from npm's
vnu-jar, on Java) reports no error on the pages as the demo company shows them."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from customers.models import Customer
from decisions.models import Decision
from improvements.models import Idea
from loops.models import Note
from meetings.models import Meeting
from portal.models import Team, User
from stories.models import Story, Theme
from survey.models import Survey

VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not VNU.exists() or not shutil.which("java"), reason="needs Java and vnu-jar (npm ci)"),
]


def main_pages():
    story = Story.objects.filter(status="published").order_by("pk").first()
    customer = Customer.objects.order_by("pk").first()
    meeting = Meeting.objects.order_by("pk").first()
    decision = Decision.objects.order_by("pk").first()
    marked = Meeting.objects.filter(attendance_marked_at__isnull=False).order_by("pk").first()
    offered = Meeting.objects.filter(seat_set__status="offered").order_by("pk").first()
    checked = Decision.objects.filter(impact_checks__recorded_at__isnull=False).order_by("pk").first()
    check_due = Decision.objects.filter(impact_checks__recorded_at=None).order_by("pk").first()
    routed = Note.objects.exclude(route="").order_by("pk").first()
    noted = Note.objects.filter(route="").order_by("pk").first()
    return {
        "home": "/",
        "feed": "/stories/",
        "search": "/stories/?q=counter",
        "story": story.get_absolute_url(),
        "story-new": "/stories/new/",
        "directory": "/customers/",
        "customer": customer.get_absolute_url(),
        "meetings": "/meetings/",
        "meeting": meeting.get_absolute_url(),
        "meeting-brief": f"{meeting.get_absolute_url()}brief/",
        "meeting-new": "/meetings/new/",
        "mine": "/meetings/mine/",
        "meeting-attended": marked.get_absolute_url(),
        "attendance": f"/meetings/{marked.pk}/attendance/",
        "meeting-offered": offered.get_absolute_url(),
        "decisions": "/decisions/",
        "decision": decision.get_absolute_url(),
        "decision-new": "/decisions/new/",
        "decision-checked": checked.get_absolute_url(),
        "decision-check-due": check_due.get_absolute_url(),
        "impact-check": check_due.get_absolute_url() + "check/",
        "decision-in-review": Decision.objects.filter(status="in_review").order_by("pk").first().get_absolute_url(),
        "decision-outcome": Decision.objects.filter(status="in_review").order_by("pk").first().get_absolute_url() + "outcome/",
        "scorecard": "/insights/",
        "team-scorecard": f"/insights/teams/{Team.objects.order_by('pk').first().slug}/",
        "pulse": "/insights/pulse/",
        "review": "/stories/review/",
        "present": story.get_absolute_url() + "present/",
        # anonymised, and for chosen teams (their badges; stories/demo.py)
        "story-anonymised": Story.objects.filter(naming="anonymised", status="published").first().get_absolute_url(),
        "story-teams": Story.objects.filter(visibility="teams", status="published").first().get_absolute_url(),
        "story-edit": Story.objects.filter(naming="anonymised").first().get_absolute_url() + "edit/",
        "customer-import": "/customers/import/",
        "digest-preview": "/digests/preview/",
        "notifications": "/settings/notifications/",
        # the employee pulse (survey/): the answer page, the admin's list, a new quarter's form, the answers
        "survey-answer": "/survey/",
        "survey-manage": "/survey/manage/",
        "survey-new": "/survey/manage/new/",
        "survey-results": f"/survey/{Survey.objects.exclude(status='draft').order_by('pk').first().pk}/results/",
        "subscribe": "/stories/subscribe/?theme=" + (Theme.objects.order_by("pk").values_list("slug", flat=True).first() or ""),
        # the shared customer timeline (loops/): a customer's, a routed note, a note's forms
        "timeline": f"/loops/customers/{noted.customer.slug}/timeline/",
        "note": routed.get_absolute_url(),
        "note-new": f"/loops/customers/{noted.customer.slug}/notes/new/",
        "note-edit": f"/loops/notes/{noted.pk}/edit/",
        # complaint patterns, improvement ideas and pilots (improvements/)
        "patterns": "/improvements/",
        "ideas": "/improvements/ideas/",
        "idea": Idea.objects.order_by("pk").first().get_absolute_url(),
        "idea-new": "/improvements/ideas/new/",
        "complaint-import": "/improvements/import/",
        "improvements-quarter": "/improvements/quarter/",
    }


def host_pages():
    """Pages for customer-facing people only, shown to Sam (a host in Customer Success)."""
    return {"rhythm": "/loops/rhythm/"}


def test_main_pages_have_no_errors(tmp_path):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    files = []
    for language in ("en", "ar"):
        admin = User.objects.get(email="admin@lifeline.example")
        admin.language = language
        admin.save(update_fields=["language"])
        host = User.objects.get(email="sam@lifeline.example")
        host.language = language
        host.save(update_fields=["language"])
        client, host_client = Client(), Client()
        client.force_login(admin)
        host_client.force_login(host)
        pages = [(client, name, url) for name, url in main_pages().items()]
        pages += [(host_client, name, url) for name, url in host_pages().items()]
        for client_, name, url in pages:
            response = client_.get(url, follow=True)  # "this quarter" redirects to it
            assert response.status_code == 200, (language, name, url)
            assert f'lang="{language}"' in response.content.decode()[:200], (language, name)
            path = tmp_path / f"{language}-{name}.html"
            path.write_bytes(response.content)
            files.append(path)
        anonymous = Client()
        anonymous.cookies["lifeline_language"] = language
        path = tmp_path / f"{language}-login.html"
        path.write_bytes(anonymous.get("/accounts/login/").content)
        files.append(path)
        # Company sign-in on: its button on the sign-in page, and the page of a refused sign-in.
        with override_settings(OIDC_ISSUER="https://id.example.com", OIDC_RP_CLIENT_ID="lifeline"):
            for name, url in (("login-company", "/accounts/login/"),
                              ("sign-in-refused", "/accounts/oidc/callback/?code=c&state=s")):
                path = tmp_path / f"{language}-{name}.html"
                path.write_bytes(anonymous.get(url).content)
                files.append(path)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stderr or result.stdout)
    assert "version" in report and len(files) == 2 * (len(main_pages()) + len(host_pages()) + 3)
    messages = report["messages"]
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages if m["type"] == "error"
    ]
    assert errors == [], "\n".join(errors)
