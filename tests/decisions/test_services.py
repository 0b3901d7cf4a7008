import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers.models import Customer
from decisions import services
from decisions.models import Decision, DecisionEvent, ImpactReview, ReviewRequest
from tests.factories import ImpactReviewFactory, ReviewRequestFactory, UserFactory

from .conftest import GOOD_ANSWER, WRITERS, future, hurts_high

pytestmark = pytest.mark.django_db


class TestDecisionCreate:
    def test_it_creates_with_customers_and_an_event(self, staff, finance, customer):
        decision = services.decision_create(
            by=staff, title="Terms", team=finance, owner=staff, context="Why", proposal="**Bold**",
            decide_by=future(), customers=[customer], links="https://example.com/a",
        )
        assert decision.status == Decision.Status.DRAFT
        assert "<strong>Bold</strong>" in decision.proposal_html
        assert list(decision.customers.all()) == [customer]
        assert decision.events.get().kind == DecisionEvent.Kind.CREATED

    def test_it_sanitises_the_proposal(self, staff, finance):
        decision = services.decision_create(
            by=staff, title="T", team=finance, owner=staff, context="c",
            proposal="<script>alert(1)</script>[x](javascript:alert(1))", decide_by=future(),
        )
        assert "<script" not in decision.proposal_html and "javascript:" not in decision.proposal_html

    def test_it_refuses_owning_for_someone_else_unless_leader_of_the_team(self, staff, leader, finance, outsider):
        with pytest.raises(PermissionDenied):
            services.decision_create(by=staff, title="T", team=finance, owner=leader, context="c", proposal="p", decide_by=future())
        with pytest.raises(PermissionDenied):
            services.decision_create(by=outsider, title="T", team=finance, owner=staff, context="c", proposal="p", decide_by=future())
        d = services.decision_create(by=leader, title="T", team=finance, owner=staff, context="c", proposal="p", decide_by=future())
        assert d.owner == staff


class TestDecisionUpdate:
    def test_an_owner_cannot_hand_it_to_someone_they_could_not_record_it_for(self, decision, staff, leader,
                                                                               outsider):
        # The same rule as recording one: one's own, or any for a team one leads.
        for owner in (outsider, leader):
            with pytest.raises(ValidationError, match="You can record a decision you own yourself"):
                services.decision_update(by=staff, decision=decision, owner=owner)
            decision.refresh_from_db()
            assert decision.owner == staff
        assert not decision.events.exists()
        # Finance's leader may give it to anyone in Finance, or take it on.
        services.decision_update(by=leader, decision=decision, owner=leader)
        decision.refresh_from_db()
        assert decision.owner == leader
        # Other edits by the owner are unchanged.
        services.decision_update(by=leader, decision=decision, title="60-day terms")
        assert Decision.objects.get(pk=decision.pk).title == "60-day terms"


class TestDecisionTransition:
    @pytest.mark.parametrize(
        "start,to",
        [("draft", "in_review"), ("draft", "withdrawn"), ("in_review", "rejected"), ("in_review", "withdrawn"),
         ("decided", "in_review")],
    )
    def test_it_allows_the_table(self, decision, staff, start, to):
        Decision.objects.filter(pk=decision.pk).update(status=start)
        decision.refresh_from_db()
        result = services.decision_transition(by=staff, decision=decision, to=to)
        assert result.status == to
        event = decision.events.get(kind=DecisionEvent.Kind.STATUS)
        assert event.details == {"from": start, "to": to} and event.actor == staff

    @pytest.mark.parametrize(
        "start,to",
        [("draft", "decided"), ("draft", "rejected"), ("rejected", "in_review"), ("withdrawn", "in_review"),
         ("withdrawn", "decided"), ("rejected", "decided"), ("decided", "withdrawn"), ("in_review", "draft"),
         ("in_review", "nonsense")],
    )
    def test_it_refuses_the_rest_with_a_message(self, decision, staff, start, to):
        Decision.objects.filter(pk=decision.pk).update(status=start)
        with pytest.raises(ValidationError) as error:
            services.decision_transition(by=staff, decision=decision, to=to)
        assert error.value.messages
        decision.refresh_from_db()
        assert decision.status == start
        assert not decision.events.exists()

    def test_it_says_a_closed_decision_cannot_change(self, decision, staff):
        Decision.objects.filter(pk=decision.pk).update(status="withdrawn")
        with pytest.raises(ValidationError, match="closed decision cannot change"):
            services.decision_transition(by=staff, decision=decision, to="in_review")

    def test_it_refuses_deciding_without_a_review(self, decision, staff):
        Decision.objects.filter(pk=decision.pk).update(outcome="We do it.")
        with pytest.raises(ValidationError, match="at least one customer impact review"):
            services.decision_transition(by=staff, decision=decision, to="decided")

    def test_it_refuses_deciding_without_an_outcome(self, decision, staff):
        ImpactReviewFactory(decision=decision)
        with pytest.raises(ValidationError, match="Record the outcome"):
            services.decision_transition(by=staff, decision=decision, to="decided")

    def test_it_refuses_deciding_over_unanswered_serious_harm(self, decision, staff):
        hurts_high(decision)
        Decision.objects.filter(pk=decision.pk).update(outcome="We do it.")
        with pytest.raises(ValidationError, match="hurts customers with high severity"):
            services.decision_transition(by=staff, decision=decision, to="decided")
        Decision.objects.filter(pk=decision.pk).update(impact_handling="accepted", impact_response="ok")
        with pytest.raises(ValidationError, match="hurts customers with high severity"):
            services.decision_transition(by=staff, decision=decision, to="decided")

    def test_it_decides_when_the_harm_is_answered_and_touches_customers(self, decision, staff, customer):
        hurts_high(decision)
        Customer.objects.filter(pk=customer.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=90))
        Decision.objects.filter(pk=decision.pk).update(
            outcome="Staged payments.", impact_handling="mitigated",
            impact_response="We pay the training vendor in stages as work is completed.",
        )
        decision = services.decision_transition(by=staff, decision=decision, to="decided")
        assert decision.status == "decided" and decision.decided_at
        customer.refresh_from_db()
        assert customer.last_activity_at == decision.decided_at

    def test_reopening_clears_decided_at(self, decision, staff):
        Decision.objects.filter(pk=decision.pk).update(status="decided", decided_at=timezone.now())
        decision = services.decision_transition(by=staff, decision=decision, to="in_review")
        assert decision.decided_at is None

    @pytest.mark.parametrize("name", list(WRITERS))
    def test_it_checks_every_role(self, decision, request, name):
        user = request.getfixturevalue(name)
        if WRITERS[name]:
            assert services.decision_transition(by=user, decision=decision, to="withdrawn").status == "withdrawn"
        else:
            with pytest.raises(PermissionDenied):
                services.decision_transition(by=user, decision=decision, to="withdrawn")
            decision.refresh_from_db()
            assert decision.status == "in_review"


class TestRecordOutcome:
    def test_it_saves_the_outcome_rendered(self, decision, leader):
        services.decision_record_outcome(by=leader, decision=decision, outcome="We *do* it.")
        decision.refresh_from_db()
        assert "<em>do</em>" in decision.outcome_html
        assert decision.events.filter(kind=DecisionEvent.Kind.OUTCOME).exists()

    def test_deciding_in_the_same_step_rolls_back_when_refused(self, decision, leader):
        hurts_high(decision)
        with pytest.raises(ValidationError):
            services.decision_record_outcome(by=leader, decision=decision, outcome="We do it.", decide=True)
        decision.refresh_from_db()
        assert decision.outcome == "" and decision.status == "in_review"
        assert not decision.events.exists()

    def test_it_decides_in_the_same_step(self, decision, leader):
        hurts_high(decision)
        services.decision_record_outcome(
            by=leader, decision=decision, outcome="Staged payments.", impact_handling="mitigated",
            impact_response="Staged payments as each piece of work is completed.", decide=True,
        )
        decision.refresh_from_db()
        assert decision.status == "decided"

    def test_it_refuses_closed_decisions_and_outsiders(self, decision, leader, outsider):
        with pytest.raises(PermissionDenied):
            services.decision_record_outcome(by=outsider, decision=decision, outcome="x")
        Decision.objects.filter(pk=decision.pk).update(status="rejected")
        with pytest.raises(ValidationError):
            services.decision_record_outcome(by=leader, decision=decision, outcome="x")


class TestReviewsRequest:
    def test_a_team_expands_to_its_active_members(self, decision, staff, it_team, it_member, outsider, django_capture_on_commit_callbacks):
        UserFactory(team=it_team, is_active=False)
        with django_capture_on_commit_callbacks(execute=True):
            created = services.reviews_request(by=staff, decision=decision, due_date=future(), teams=[it_team])
        assert {r.reviewer for r in created} == {it_member, outsider}
        assert all(r.via_team == it_team for r in created)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([it_member.email, outsider.email])
        assert "affect our customers" in mail.outbox[0].subject

    def test_it_is_idempotent_and_emails_only_new_rows(self, decision, staff, it_team, it_member, outsider, host, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.reviews_request(by=staff, decision=decision, due_date=future(), teams=[it_team])
        with django_capture_on_commit_callbacks(execute=True):
            created = services.reviews_request(by=staff, decision=decision, due_date=future(), teams=[it_team], people=[host, outsider])
        assert [r.reviewer for r in created] == [host]
        assert ReviewRequest.objects.filter(decision=decision).count() == 3
        assert len(mail.outbox) == 3

    def test_a_named_person_keeps_no_team(self, decision, staff, host, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            (request,) = services.reviews_request(by=staff, decision=decision, due_date=future(), people=[host])
        assert request.via_team is None and request.requested_by == staff

    def test_it_moves_a_draft_into_review(self, draft, staff, host, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.reviews_request(by=staff, decision=draft, due_date=future(), people=[host])
        draft.refresh_from_db()
        assert draft.status == "in_review"

    def test_it_refuses_a_past_due_date(self, decision, staff, host):
        with pytest.raises(ValidationError):
            services.reviews_request(by=staff, decision=decision, due_date=future(-1), people=[host])
        assert not ReviewRequest.objects.exists()

    def test_it_refuses_closed_decisions_and_readers(self, decision, staff, host, outsider):
        with pytest.raises(PermissionDenied):
            services.reviews_request(by=outsider, decision=decision, due_date=future(), people=[host])
        Decision.objects.filter(pk=decision.pk).update(status="withdrawn")
        with pytest.raises(ValidationError):
            services.reviews_request(by=staff, decision=decision, due_date=future(), people=[host])
        assert not ReviewRequest.objects.exists()

    def test_it_does_not_ask_the_requester(self, decision, staff, finance):
        with pytest.raises(ValidationError, match="Nobody to ask"):
            services.reviews_request(by=staff, decision=decision, due_date=future(), people=[staff])


class TestReviewSubmit:
    def test_it_files_a_review_and_fulfils_the_request(self, decision, outsider, customer):
        request = ReviewRequestFactory(decision=decision, reviewer=outsider)
        review = services.review_submit(
            by=outsider, decision=decision, answer=GOOD_ANSWER, direction="hurts", severity="high",
            affected=["customer_facing_staff", "suppliers"], customers=[customer], mitigation="Pay in *stages*.",
        )
        assert review.affected() == ["customer_facing_staff", "suppliers"]
        assert "<em>stages</em>" in review.mitigation_html
        request.refresh_from_db()
        assert request.reviewed_at is not None
        assert decision.events.get().kind == DecisionEvent.Kind.REVIEW_FILED

    def test_a_second_submit_edits_the_same_review(self, decision, outsider):
        services.review_submit(by=outsider, decision=decision, answer=GOOD_ANSWER, direction="hurts", severity="high")
        services.review_submit(by=outsider, decision=decision, answer=GOOD_ANSWER + " Edited.", direction="neutral")
        review = ImpactReview.objects.get()
        assert review.direction == "neutral" and review.answer.endswith("Edited.")
        assert [e.kind for e in decision.events.all()] == ["review_filed", "review_edited"]

    def test_saving_it_again_unchanged_adds_nothing_to_the_history(self, decision, outsider, customer, staff):
        answer = {"answer": GOOD_ANSWER, "direction": "hurts", "severity": "high", "customers": [customer]}
        services.review_submit(by=outsider, decision=decision, **answer)
        request = ReviewRequestFactory(decision=decision, reviewer=outsider)  # asked again since
        services.review_submit(by=outsider, decision=decision, **answer)
        assert [e.kind for e in decision.events.all()] == ["review_filed"]
        request.refresh_from_db()
        assert request.reviewed_at is not None

    @pytest.mark.parametrize(
        "answer,direction,severity",
        [("", "hurts", "high"), ("Bad", "hurts", "high"), ("It will hurt them.", "hurts", "high"),
         (GOOD_ANSWER, "", "high"), (GOOD_ANSWER, "sideways", "")],
    )
    def test_it_refuses_bad_input(self, decision, outsider, answer, direction, severity):
        with pytest.raises(ValidationError):
            services.review_submit(by=outsider, decision=decision, answer=answer, direction=direction, severity=severity)
        assert not ImpactReview.objects.exists()

    @pytest.mark.parametrize("status", ["withdrawn", "rejected", "decided"])
    def test_it_refuses_closed_decisions(self, decision, outsider, status):
        Decision.objects.filter(pk=decision.pk).update(status=status)
        with pytest.raises(ValidationError, match="no longer takes impact reviews"):
            services.review_submit(by=outsider, decision=decision, answer=GOOD_ANSWER, direction="neutral")
        assert not ImpactReview.objects.exists()


class TestImpactSummary:
    def test_it_summarises_by_direction_and_severity(self, decision):
        ImpactReviewFactory(decision=decision, direction="neutral")
        hurts_high(decision)
        assert decision.impact_summary() == "2 reviews: 1 hurts (high), 1 neutral"

    def test_no_reviews(self, decision):
        assert decision.impact_summary() == "No impact reviews yet"
