import re

import pytest
from django.core import mail
from django.urls import reverse

from decisions import services
from decisions.models import Decision, DecisionEvent, ImpactReview, ReviewRequest
from portal.lib.panels import panels_for
from tests.factories import CustomerFactory, DecisionFactory, ImpactReviewFactory, ReviewRequestFactory

from .conftest import GOOD_ANSWER, WRITERS, future, hurts_high

pytestmark = pytest.mark.django_db
PERSONAS = list(WRITERS)


def url(name, decision=None):
    return reverse(f"decisions:{name}", kwargs={"pk": decision.pk} if decision else None)


class TestLog:
    def test_it_lists_with_the_impact_summary(self, as_user, staff, decision):
        ImpactReviewFactory(decision=decision, direction="neutral")
        hurts_high(decision)
        response = as_user(staff).get(url("log"))
        assert response.status_code == 200
        assert "2 reviews: 1 hurts (high), 1 neutral" in response.content.decode()

    def test_it_filters(self, as_user, staff, decision, finance, it_team, customer):
        other = DecisionFactory(title="IT laptops refresh", team=it_team, status="draft", context="Old laptops.", proposal="Replace them.")
        hurts_high(decision)
        client = as_user(staff)

        def titles(**query):
            response = client.get(url("log"), query)
            return {d.title for d in response.context["page"].object_list}

        assert titles() == {decision.title, other.title}
        assert titles(team="it") == {other.title}
        assert titles(status="draft") == {other.title}
        assert titles(direction="hurts", severity="high") == {decision.title}
        assert titles(direction="helps") == set()
        assert titles(customer=customer.slug) == {decision.title}
        assert titles(q="laptops") == {other.title}
        assert titles(q="60-DAY") == {decision.title}

    def test_awaiting_me(self, as_user, outsider, decision):
        other = DecisionFactory(status="in_review")
        ReviewRequestFactory(decision=decision, reviewer=outsider)
        done = ReviewRequestFactory(decision=other, reviewer=outsider)
        done.reviewed_at = done.created_at
        done.save()
        response = as_user(outsider).get(url("log"), {"awaiting": "me"})
        assert [d.pk for d in response.context["page"].object_list] == [decision.pk]

    def test_bad_filters_are_ignored_with_a_message(self, as_user, staff, decision):
        response = as_user(staff).get(url("log"), {"status": "nope", "team": "nope", "page": "x"})
        assert response.status_code == 200
        assert "were ignored" in response.content.decode()
        assert response.context["page"].paginator.count == 1

    def test_htmx_gets_the_results_fragment(self, as_user, staff, decision):
        response = as_user(staff).get(url("log"), HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert 'id="decision-results"' in body and "<html" not in body


@pytest.mark.parametrize("name,method", [("new", "put"), ("edit", "delete"), ("review", "put"), ("transition", "get"),
                                         ("outcome", "patch"), ("request_reviews", "delete"), ("log", "post"), ("detail", "post")])
def test_other_methods_are_refused(as_user, staff, decision, name, method):
    target = url(name) if name in ("new", "log") else url(name, decision)
    assert getattr(as_user(staff), method)(target).status_code == 405


class TestMarkdownIsSanitised:
    def test_a_review_cannot_inject_script(self, as_user, outsider, decision):
        answer = "<script>alert(1)</script> This would hurt [our customers](javascript:alert(2)) quite a lot."
        as_user(outsider).post(url("review", decision), {"answer": answer, "direction": "hurts", "severity": "low"})
        body = as_user(outsider).get(url("detail", decision)).content.decode()
        review = ImpactReview.objects.get()
        assert review.answer == answer
        assert "<script" not in review.answer_html and "javascript:" not in review.answer_html
        assert "<script>alert(1)" not in body and 'href="javascript' not in body


class TestNew:
    def data(self, team, owner, **extra):
        return {
            "title": "Require 60-day terms", "team": team.pk, "owner": owner.pk, "context": "Cash flow.",
            "proposal": "We propose **60 days**.", "decide_by": future().isoformat(),
            "links": "https://example.com/policy\nhttp://example.org/x", **extra,
        }

    def test_it_records_a_decision(self, as_user, leader, finance, customer):
        response = as_user(leader).post(url("new"), self.data(finance, leader, customers=[customer.pk]))
        decision = Decision.objects.get()
        assert response.status_code == 302 and response["Location"] == decision.get_absolute_url()
        assert decision.status == "draft" and list(decision.customers.all()) == [customer]
        assert decision.link_list() == ["https://example.com/policy", "http://example.org/x"]

    @pytest.mark.parametrize(
        "bad",
        [{"links": "ftp://example.com/x"}, {"links": "not a url"}, {"decide_by": "2000-01-01"}, {"title": ""},
         {"proposal": ""}],
    )
    def test_bad_input_saves_nothing_and_keeps_what_was_typed(self, as_user, leader, finance, bad):
        response = as_user(leader).post(url("new"), self.data(finance, leader, **bad))
        assert response.status_code == 200
        assert not Decision.objects.exists()
        assert "Cash flow." in response.content.decode()
        assert response.context["form"].errors

    def test_staff_cannot_make_someone_else_owner(self, as_user, staff, leader, finance):
        response = as_user(staff).post(url("new"), self.data(finance, leader))
        assert response.status_code == 200 and not Decision.objects.exists()
        assert "for a team you lead" in response.content.decode()

    @pytest.mark.parametrize("name", PERSONAS)
    def test_anyone_records_a_decision_they_own(self, as_user, request, name, finance):
        user = request.getfixturevalue(name)
        team = user.team or finance
        response = as_user(user).post(url("new"), self.data(team, user))
        assert response.status_code == 302
        assert Decision.objects.get().owner == user

    @pytest.mark.parametrize("name", PERSONAS)
    def test_only_writers_record_one_owned_by_finance_staff(self, as_user, request, name, finance, staff):
        response = as_user(request.getfixturevalue(name)).post(url("new"), self.data(finance, staff))
        assert Decision.objects.exists() == WRITERS[name]
        assert response.status_code == (302 if WRITERS[name] else 200)

    def test_the_form_shows_the_customer_picker(self, as_user, staff):
        response = as_user(staff).get(url("new"))
        assert 'data-picker-search' in response.content.decode()


class TestDetail:
    @pytest.mark.parametrize("name", PERSONAS)
    def test_everyone_reads(self, as_user, request, decision, name):
        response = as_user(request.getfixturevalue(name)).get(url("detail", decision))
        assert response.status_code == 200
        body = response.content.decode()
        assert "How will this affect our customers?" in body
        assert ("Move it along" in body) == WRITERS[name]

    def test_missing_is_404(self, as_user, staff):
        assert as_user(staff).get(reverse("decisions:detail", kwargs={"pk": 999})).status_code == 404

    def test_it_shows_history(self, as_user, staff, decision, outsider):
        ImpactReviewFactory(decision=decision, author=outsider)
        DecisionEvent.objects.create(decision=decision, actor=staff, kind="status", details={"from": "draft", "to": "in_review"})
        body = as_user(staff).get(url("detail", decision)).content.decode()
        assert "changed the status: Draft" in body and "In review" in body


class TestEdit:
    @pytest.mark.parametrize("name", PERSONAS)
    def test_each_role(self, as_user, request, decision, name):
        client = as_user(request.getfixturevalue(name))
        data = {
            "title": "New title", "team": decision.team_id, "owner": decision.owner_id, "context": "c",
            "proposal": "p", "decide_by": decision.decide_by.isoformat(), "links": "",
        }
        response = client.post(url("edit", decision), data)
        decision.refresh_from_db()
        if WRITERS[name]:
            assert response.status_code == 302 and decision.title == "New title"
            assert decision.events.get(kind="edited").details["fields"]
        else:
            assert response.status_code == 403 and decision.title != "New title"

    def test_a_second_save_never_undoes_the_first_and_loses_nothing(self, as_user, staff, leader, outsider, decision):
        data = {"title": "60-day terms", "team": decision.team_id, "owner": decision.owner_id, "context": "c",
                "proposal": "p", "decide_by": decision.decide_by.isoformat(), "links": ""}
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(staff).get(url("edit", decision)).content.decode())[1]
        # A review arriving meanwhile saves the decision's row, but not what the form edits: no conflict there.
        services.review_submit(by=outsider, decision=decision, answer=GOOD_ANSWER, direction="neutral")
        assert as_user(leader).post(url("edit", decision), {**data, "proposal": "The leader's"}).status_code == 302
        response = as_user(staff).post(url("edit", decision), {**data, "proposal": "The owner's", "seen": seen})
        page = response.content.decode().replace("&#x27;", "'")
        assert "Someone else saved changes to this decision while you were editing it." in page
        assert "The owner's</textarea>" in page
        decision.refresh_from_db()
        assert decision.proposal == "The leader's"
        again = re.search(r'name="seen" value="([0-9a-f]+)"', page)[1]
        assert as_user(staff).post(url("edit", decision), {**data, "proposal": "The owner's", "seen": again}).status_code == 302
        decision.refresh_from_db()
        assert decision.proposal == "The owner's"

    def test_the_form_reads_the_customers_once_for_itself_and_its_fingerprint(self, as_user, staff, decision):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            as_user(staff).get(url("edit", decision))
        assert sum('"decisions_decision_customers"' in query["sql"] for query in queries) == 1

    def test_a_change_of_customers_meanwhile_is_a_conflict_too(self, as_user, staff, leader, decision):
        data = {"title": decision.title, "team": decision.team_id, "owner": decision.owner_id, "context": "c",
                "proposal": "p", "decide_by": decision.decide_by.isoformat(), "links": ""}
        Decision.objects.filter(pk=decision.pk).update(context="c", proposal="p", links="")
        seen = re.search(r'name="seen" value="([0-9a-f]+)"', as_user(staff).get(url("edit", decision)).content.decode())[1]
        affected = CustomerFactory(name="Harbor Lights Bakery")
        assert as_user(leader).post(url("edit", decision), {**data, "customers": [affected.pk]}).status_code == 302
        response = as_user(staff).post(url("edit", decision), {**data, "proposal": "The owner's", "seen": seen})
        assert "Someone else saved changes to this decision while you were editing it." in response.content.decode()
        assert list(decision.customers.all()) == [affected]

    def test_a_closed_decision_cannot_be_edited(self, as_user, staff, decision):
        Decision.objects.filter(pk=decision.pk).update(status="withdrawn")
        data = {"title": "New", "team": decision.team_id, "owner": decision.owner_id, "context": "c", "proposal": "p",
                "decide_by": decision.decide_by.isoformat()}
        response = as_user(staff).post(url("edit", decision), data)
        assert response.status_code == 200 and "closed decision" in response.content.decode()
        decision.refresh_from_db()
        assert decision.title != "New"


class TestRequestReviews:
    def test_it_rejects_other_methods(self, as_user, staff, decision):
        assert as_user(staff).put(url("request_reviews", decision)).status_code == 405

    @pytest.mark.parametrize("name", PERSONAS)
    def test_each_role(self, as_user, request, decision, it_team, it_member, name, django_capture_on_commit_callbacks):
        client = as_user(request.getfixturevalue(name))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("request_reviews", decision), {"teams": [it_team.pk], "due_date": future().isoformat()})
        if WRITERS[name]:
            assert response.status_code == 302
            assert ReviewRequest.objects.filter(decision=decision, via_team=it_team).exists()
            assert len(mail.outbox) >= 1
        else:
            assert response.status_code == 403
            assert not ReviewRequest.objects.exists() and not mail.outbox

    @pytest.mark.parametrize("bad", [{"due_date": "2001-01-01"}, {"teams": []}, {"due_date": "soon"}])
    def test_bad_input(self, as_user, staff, decision, it_team, it_member, bad):
        data = {"teams": [it_team.pk], "due_date": future().isoformat(), **bad}
        response = as_user(staff).post(url("request_reviews", decision), data)
        assert response.status_code == 200 and response.context["form"].errors
        assert not ReviewRequest.objects.exists()

    def test_an_empty_form_says_both_what_is_missing_at_once(self, as_user, staff, decision):
        response = as_user(staff).post(url("request_reviews", decision), {"due_date": ""})
        errors = response.context["form"].errors
        assert set(errors) == {"due_date", "__all__"}
        assert errors["__all__"] == ["Choose at least one team or person to ask."]

    def test_the_request_appears_on_the_reviewers_home_page(self, as_user, staff, decision, outsider):
        ReviewRequestFactory(decision=decision, reviewer=outsider)
        body = as_user(outsider).get(reverse("home")).content.decode()
        assert "Awaiting my review" in body and decision.title in body
        assert panels_for(staff) == [] or all(p["key"] != "decisions-awaiting-review" for p in panels_for(staff))


    def test_once_decided_unanswered_requests_read_as_closed_not_due(self, as_user, staff, decision, outsider):
        ReviewRequestFactory(decision=decision, reviewer=outsider)
        client = as_user(staff)
        assert "1 still to answer" in client.get(url("detail", decision)).content.decode()
        Decision.objects.filter(pk=decision.pk).update(status="decided")
        page = client.get(url("detail", decision)).content.decode()
        assert "Reviews are closed; 1 was not answered." in page and "Not answered" in page
        assert "still to answer" not in page and "Due " not in page

class TestReview:
    def data(self, **extra):
        return {"answer": GOOD_ANSWER, "direction": "hurts", "severity": "high",
                "affected": ["customer_facing_staff", "suppliers"], "mitigation": "Pay in stages.", **extra}

    def test_get_goes_to_the_form(self, as_user, staff, decision):
        response = as_user(staff).get(url("review", decision))
        assert response.status_code == 302 and response["Location"].endswith("#my-review")

    @pytest.mark.parametrize("name", PERSONAS)
    def test_everyone_signed_in_reviews(self, as_user, request, decision, name):
        user = request.getfixturevalue(name)
        response = as_user(user).post(url("review", decision), self.data())
        assert response.status_code == 302
        assert ImpactReview.objects.get().author == user

    def test_htmx_gets_the_reviews_fragment(self, as_user, outsider, decision):
        response = as_user(outsider).post(url("review", decision), self.data(), HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert response.status_code == 200 and 'id="impact-reviews"' in body and "<html" not in body
        assert "1 review: 1 hurts (high)" in body and "Edit your review" in body
        assert 'id="review-requests" aria-labelledby="requests-heading" data-hx-swap-oob="true"' in body
        assert 'id="decision-history"' in body and "filed an impact review" in body

    def test_a_review_is_edited_only_by_its_author(self, as_user, outsider, host, decision):
        ImpactReviewFactory(decision=decision, author=outsider, answer=GOOD_ANSWER, direction="neutral")
        as_user(host).post(url("review", decision), self.data(answer="A different answer from the host about customers."))
        mine = ImpactReview.objects.get(author=outsider)
        assert mine.answer == GOOD_ANSWER and mine.direction == "neutral"
        assert ImpactReview.objects.count() == 2

    @pytest.mark.parametrize(
        "bad,message",
        [({"answer": ""}, "how will this affect"), ({"answer": "Fine"}, "One word is not an answer"),
         ({"answer": "It hurts them all."}, "at least 5 words"), ({"direction": ""}, "A severity needs a direction"),
         ({"direction": "hurts", "severity": ""}, "Choose a severity"), ({"severity": "extreme"}, "valid choice")],
    )
    def test_bad_input_saves_nothing_and_keeps_what_was_typed(self, as_user, outsider, decision, bad, message):
        data = self.data(**bad)
        response = as_user(outsider).post(url("review", decision), data, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert message in body
        assert "Pay in stages." in body
        assert not ImpactReview.objects.exists()

    @pytest.mark.parametrize("status", ["withdrawn", "rejected", "decided"])
    def test_closed_decisions_take_no_reviews(self, as_user, outsider, decision, status):
        Decision.objects.filter(pk=decision.pk).update(status=status)
        response = as_user(outsider).post(url("review", decision), self.data())
        assert response.status_code == 400
        assert "no longer takes impact reviews" in response.content.decode()
        assert not ImpactReview.objects.exists()

    def test_missing_decision_is_404(self, as_user, outsider):
        assert as_user(outsider).post(reverse("decisions:review", kwargs={"pk": 9}), self.data()).status_code == 404


class TestTransition:
    def test_get_is_405(self, as_user, staff, decision):
        assert as_user(staff).get(url("transition", decision)).status_code == 405

    @pytest.mark.parametrize("name", PERSONAS)
    def test_each_role(self, as_user, request, decision, name):
        response = as_user(request.getfixturevalue(name)).post(url("transition", decision), {"to": "withdrawn"})
        decision.refresh_from_db()
        if WRITERS[name]:
            assert response.status_code == 302 and decision.status == "withdrawn"
        else:
            assert response.status_code == 403 and decision.status == "in_review"

    def test_an_invalid_transition_is_refused_with_a_message(self, as_user, staff, decision):
        Decision.objects.filter(pk=decision.pk).update(status="withdrawn")
        response = as_user(staff).post(url("transition", decision), {"to": "in_review"})
        assert response.status_code == 400
        assert "closed decision cannot change status" in response.content.decode()

    def test_deciding_without_a_review_is_refused(self, as_user, staff, decision):
        response = as_user(staff).post(url("transition", decision), {"to": "decided"})
        assert response.status_code == 400 and "at least one customer impact review" in response.content.decode()
        decision.refresh_from_db()
        assert decision.status == "in_review"


class TestOutcome:
    def test_it_rejects_other_methods(self, as_user, staff, decision):
        assert as_user(staff).delete(url("outcome", decision)).status_code == 405

    @pytest.mark.parametrize("name", PERSONAS)
    def test_each_role(self, as_user, request, decision, name):
        response = as_user(request.getfixturevalue(name)).post(url("outcome", decision), {"outcome": "We go ahead."})
        decision.refresh_from_db()
        if WRITERS[name]:
            assert response.status_code == 302 and decision.outcome == "We go ahead."
        else:
            assert response.status_code == 403 and decision.outcome == ""

    def test_serious_harm_must_be_answered_before_deciding(self, as_user, leader, decision, customer):
        hurts_high(decision)
        client = as_user(leader)
        response = client.post(url("outcome", decision), {"outcome": "We go ahead.", "decide": "1"})
        assert response.status_code == 200
        assert "hurts customers with high severity" in response.content.decode()
        decision.refresh_from_db()
        assert decision.status == "in_review" and decision.outcome == ""
        response = client.post(url("outcome", decision), {
            "outcome": "Staged payments.", "impact_handling": "mitigated",
            "impact_response": "We pay the training vendor in stages as work is completed.", "decide": "1",
        })
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.status == "decided"

    def test_deciding_an_empty_form_says_everything_missing_at_once(self, as_user, leader, decision):
        hurts_high(decision)
        response = as_user(leader).post(url("outcome", decision), {"outcome": "", "decide": "1"})
        errors = response.context["form"].errors
        assert {"outcome", "impact_handling", "impact_response", "__all__"} <= set(errors)
        assert "hurts customers with high severity" in response.content.decode()
        decision.refresh_from_db()
        assert decision.status == "in_review"

    @pytest.mark.parametrize(
        "bad", [{"outcome": ""}, {"impact_response": "Something reasonable was done here."},
                {"impact_handling": "accepted", "impact_response": "fine"}, {"impact_handling": "maybe"}],
    )
    def test_bad_input(self, as_user, leader, decision, bad):
        response = as_user(leader).post(url("outcome", decision), {"outcome": "We go ahead.", **bad})
        assert response.status_code == 200 and response.context["form"].errors
        decision.refresh_from_db()
        assert decision.outcome == ""


class TestCustomerSection:
    def test_the_customer_page_lists_decisions_naming_it(self, as_user, staff, decision, customer):
        other_customer = CustomerFactory()
        named_in_review = DecisionFactory(title="Named only in a review")
        ImpactReviewFactory(decision=named_in_review).customers.add(customer)
        DecisionFactory(title="Unrelated").customers.add(other_customer)
        body = as_user(staff).get(customer.get_absolute_url()).content.decode()
        assert decision.title in body and "Named only in a review" in body and "Unrelated" not in body
