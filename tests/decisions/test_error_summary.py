"""A refused decision form says so first (includes/error_summary.html): the page's title starts with
"Error:", and a summary (role="alert", focused when the page loads) lists every error, each a link to its
field, so a screen-reader user does not land at the top of the page and hear nothing."""

import re

import pytest
from django.urls import reverse

from decisions import services
from decisions.models import Decision

from .conftest import GOOD_ANSWER, hurts_high

pytestmark = pytest.mark.django_db


def url(name, decision=None):
    return reverse(f"decisions:{name}", kwargs={"pk": decision.pk} if decision else None)


def title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def summary(html):
    found = re.search(r'<div class="errorlist nonfield" role="alert" id="error-summary" tabindex="-1" autofocus>(.*?)</div>', html, re.S)
    return found and found.group(1)


def links(html):
    return re.findall(r'<li><a href="#([^"]+)"><bdi>([^<]+)</bdi></a>: ([^<]+)</li>', summary(html))


class TestNewAndEdit:
    def test_a_refused_new_decision_names_each_field_with_a_link(self, as_user, staff):
        html = as_user(staff).post(url("new"), {"title": ""}).content.decode()
        assert title(html).startswith("Error: Record a decision")
        assert "<p>Please correct the errors below.</p>" in summary(html)
        assert ("id_title", "Title", "This field is required.") in links(html)
        assert ("id_owner_search", "Owner", "This field is required.") in links(html)  # the picker's search box
        assert not Decision.objects.exists()

    def test_an_untouched_form_has_neither(self, as_user, staff, decision):
        for page in (url("new"), url("edit", decision), url("outcome", decision), url("request_reviews", decision)):
            html = as_user(staff).get(page).content.decode()
            assert summary(html) is None and "Error:" not in title(html) and " autofocus" not in html

    def test_a_refused_edit_too(self, as_user, staff, decision):
        html = as_user(staff).post(url("edit", decision), {"title": "Kept", "team": decision.team_id}).content.decode()
        assert title(html).startswith("Error: Edit decision")
        assert ("id_context", "Context", "This field is required.") in links(html)
        assert ("id_title", "Title") not in [link[:2] for link in links(html)]

    def test_a_conflict_alone_is_said_without_asking_to_correct_fields(self, as_user, staff, leader, decision):
        data = {"title": decision.title, "team": decision.team_id, "owner": decision.owner_id, "context": "c",
                "proposal": "p", "decide_by": decision.decide_by.isoformat(), "links": ""}
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(staff).get(url("edit", decision)).content.decode())[1]
        assert as_user(leader).post(url("edit", decision), {**data, "proposal": "The leader's"}).status_code == 302
        html = as_user(staff).post(url("edit", decision), {**data, "seen": seen}).content.decode()
        assert "Someone else saved changes to this decision while you were editing it." in summary(html)
        assert "Please correct" not in summary(html) and links(html) == []


class TestOutcome:
    def test_deciding_an_empty_form_lists_every_error_and_links_a_choice_group_to_its_first_choice(self, as_user, leader, decision):
        hurts_high(decision)
        html = as_user(leader).post(url("outcome", decision), {"outcome": "", "decide": "1"}).content.decode()
        assert title(html).startswith("Error: Record the outcome")
        assert "hurts customers with high severity" in summary(html)  # the form's own error, first
        targets = [target for target, _label, _errors in links(html)]
        assert targets[:3] == ["id_outcome", "id_impact_handling_0", "id_impact_response"]
        assert 'id="id_impact_handling_0"' in html  # the link leads somewhere


class TestRequestReviewsAndCheck:
    def test_a_due_date_that_is_no_date(self, as_user, staff, decision):
        html = as_user(staff).post(url("request_reviews", decision), {"due_date": "soon"}).content.decode()
        assert title(html).startswith("Error: Ask for reviews")
        assert [target for target, _label, _errors in links(html)] == ["id_due_date"]

    def test_a_check_without_its_note(self, as_user, staff, outsider, decision):
        services.review_submit(by=outsider, decision=decision, answer=GOOD_ANSWER, direction="neutral")
        services.decision_record_outcome(by=staff, decision=decision, outcome="We do it.", decide=True)
        response = as_user(staff).post(url("check", decision), {"result": "worse", "note": ""})
        html = response.content.decode()
        assert response.status_code == 400 and title(html).startswith("Error: ")
        assert [target for target, _label, _errors in links(html)] == ["id_note"]
