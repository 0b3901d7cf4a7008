"""The decision pages' kept parts ({% fragment %} in templates/decisions): every change to what they
show reaches the next request, and what is the viewer's own is never kept."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from decisions import services
from decisions.forms import ImpactReviewForm
from decisions.models import Decision, DecisionEvent
from portal.lib.panels import panels_for
from tests.factories import CustomerFactory, DecisionFactory, ImpactReviewFactory, ReviewRequestFactory, UserFactory

from .conftest import GOOD_ANSWER, future

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def page(client, path, **query):
    return client.get(path, query).content.decode()


class TestDecisionPageChanges:
    """Each kind of thing the shared parts show: the first request renders them, the change, the next
    request shows it."""

    @pytest.fixture
    def reader(self, outsider, decision):
        client = signed_in(outsider)
        assert decision.title in page(client, decision.get_absolute_url())  # the parts are now kept
        return client

    def test_the_decision_itself(self, reader, decision):
        decision.title, decision.context = "Ninety-day terms", "Cash is tight."
        decision.save()
        body = page(reader, decision.get_absolute_url())
        assert "Ninety-day terms" in body and "Cash is tight." in body

    def test_a_new_review_and_an_edited_one(self, reader, decision):
        review = ImpactReviewFactory(decision=decision, direction="helps", answer="First answer about our customers here.")
        body = page(reader, decision.get_absolute_url())
        assert "1 review: 1 helps" in body and "First answer about our customers here." in body
        review.answer = "Second answer about our customers here."
        review.save()
        assert "Second answer about our customers here." in page(reader, decision.get_absolute_url())

    def test_a_customer_named_in_a_review_and_renamed(self, reader, decision):
        named = CustomerFactory(name="Harbour Freight")
        ImpactReviewFactory(decision=decision).customers.add(named)
        assert "Harbour Freight" in page(reader, decision.get_absolute_url())
        named.name = "Harbour Freight & Sons"
        named.save()
        assert "Harbour Freight &amp; Sons" in page(reader, decision.get_absolute_url())

    def test_the_decisions_customers(self, reader, decision, customer):
        decision.customers.add(CustomerFactory(name="Added Later Ltd"))
        assert "Added Later Ltd" in page(reader, decision.get_absolute_url())
        customer.name = "Ken's Plumbing Renamed"
        customer.save()
        assert "Ken&#x27;s Plumbing Renamed" in page(reader, decision.get_absolute_url())

    def test_a_renamed_person_and_team(self, reader, decision, staff, finance):
        ImpactReviewFactory(decision=decision, author=UserFactory(name="Rosa Reviewer"))
        assert "Rosa Reviewer" in page(reader, decision.get_absolute_url())
        staff.name = "Minh Anh Tran"
        staff.save()
        finance.name = "Finance and Payroll"
        finance.save()
        body = page(reader, decision.get_absolute_url())
        assert "owner <bdi>Minh Anh Tran</bdi>" in body and "<bdi>Finance and Payroll</bdi>" in body

    def test_review_requests_through_the_service(self, reader, decision, staff, it_team):
        UserFactory(name="Ira Asked", team=it_team)
        created = services.reviews_request(by=staff, decision=decision, due_date=future(), teams=[it_team])  # bulk_create
        body = page(reader, decision.get_absolute_url())
        assert "<bdi>Ira Asked</bdi>" in body and f"{len(created)} still to answer" in body and "asked for reviews" in body

    def test_a_request_answered(self, reader, decision):
        asked = UserFactory(name="Asked Ada")
        ReviewRequestFactory(decision=decision, reviewer=asked, due_date=future())
        assert "1 still to answer" in page(reader, decision.get_absolute_url())
        services.review_submit(by=asked, decision=decision, answer=GOOD_ANSWER, direction="neutral")  # update()
        body = page(reader, decision.get_absolute_url())
        assert "0 still to answer" in body and '<bdi>Asked Ada</bdi><br><span class="badge badge--done">Reviewed</span>' in body

    def test_history(self, reader, decision, staff):
        DecisionEvent.objects.create(decision=decision, actor=staff, kind="status", details={"from": "draft", "to": "in_review"})
        assert "changed the status: Draft" in page(reader, decision.get_absolute_url())

    def test_overdue_tomorrow(self, reader, decision, monkeypatch):
        ReviewRequestFactory(decision=decision, reviewer=UserFactory(name="Tardy Tom"), due_date=timezone.localdate())
        assert "Overdue since" not in page(reader, decision.get_absolute_url())
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
        assert "Overdue since" in page(reader, decision.get_absolute_url())

    def test_deleted_is_404(self, reader, decision):
        url = decision.get_absolute_url()
        decision.delete()
        assert reader.get(url).status_code == 404


class TestDecisionPageViewers:
    """Two viewers of the same shared parts each see their own actions, form and request."""

    def test_actions_are_the_writers_alone(self, decision, staff, outsider):
        owner, reader = signed_in(staff), signed_in(outsider)
        owner_body, reader_body = page(owner, decision.get_absolute_url()), page(reader, decision.get_absolute_url())
        assert "Move it along" in owner_body and "Edit decision" in owner_body
        assert "Before it can be decided" in owner_body  # no review yet
        assert "Move it along" not in reader_body and "Edit decision" not in reader_body
        assert "Before it can be decided" not in reader_body
        # And again, in the other order, from the kept parts.
        assert "Move it along" not in page(reader, decision.get_absolute_url())
        assert "Move it along" in page(owner, decision.get_absolute_url())

    def test_each_sees_their_own_review_form_and_request(self, decision, outsider, host):
        ImpactReviewFactory(decision=decision, author=outsider, answer="My own answer about the customers here.")
        ReviewRequestFactory(decision=decision, reviewer=host, due_date=future(3))
        mine, theirs = signed_in(outsider), signed_in(host)
        for _ in range(2):  # rendered, then kept
            body = page(mine, decision.get_absolute_url())
            assert "Edit your review" in body and "My own answer about the customers here.</textarea>" in body
            assert "You were asked to review this by" not in body
            body = page(theirs, decision.get_absolute_url())
            assert "Your review" in body and "Edit your review" not in body
            assert "You were asked to review this by" in body
            assert "My own answer about the customers here.</textarea>" not in body

    def test_a_closed_decision_shows_no_form(self, decision, outsider):
        Decision.objects.filter(pk=decision.pk).update(status="decided")  # the row is read fresh anyway
        body = page(signed_in(outsider), decision.get_absolute_url())
        assert 'id="my-review"' not in body and "it no longer takes reviews" in body


class TestBlankReviewForm:
    """The empty review form is code, not data: each worker draws it once per language ({% fragment %})."""

    def test_drawn_once_and_the_same_as_a_fresh_one(self, decision, outsider, host, monkeypatch):
        drawn = []
        for_review = ImpactReviewForm.for_review.__func__
        monkeypatch.setattr(ImpactReviewForm, "for_review", classmethod(lambda cls, r: drawn.append(r) or for_review(cls, r)))
        first, second = page(signed_in(outsider), decision.get_absolute_url()), page(signed_in(host), decision.get_absolute_url())
        assert len(drawn) == 1
        fresh = render_to_string("decisions/detail.html#review-fields", {"review_form": ImpactReviewForm()})
        assert 'id="id_answer"' in fresh and fresh in first and fresh in second

    def test_each_language_gets_its_own(self, decision, outsider, host):
        host.language = "ar"
        host.save()
        english, arabic = page(signed_in(outsider), decision.get_absolute_url()), page(signed_in(host), decision.get_absolute_url())
        with translation.override("ar"):
            label = str(ImpactReviewForm().fields["mitigation"].label)
        with translation.override("en"):
            assert label != str(ImpactReviewForm().fields["mitigation"].label)
        assert label in arabic and label not in english

    def test_a_form_with_errors_or_a_review_is_not_the_blank_one(self, decision, outsider):
        client = signed_in(outsider)
        page(client, decision.get_absolute_url())  # the blank one is kept
        response = client.post(reverse("decisions:review", args=[decision.pk]), {"answer": "fine", "direction": "helps"})
        assert "Please answer in your own words" in response.content.decode()
        assert "fine</textarea>" in response.content.decode()
        ImpactReviewFactory(decision=decision, author=outsider, answer="What I wrote about the customers here.")
        assert "What I wrote about the customers here.</textarea>" in page(client, decision.get_absolute_url())


class TestLogChanges:
    @pytest.fixture
    def reader(self, outsider, decision):
        client = signed_in(outsider)
        assert decision.title in page(client, reverse("decisions:log"))
        return client

    def test_a_new_decision(self, reader):
        DecisionFactory(title="A brand new decision")
        body = page(reader, reverse("decisions:log"))
        assert "A brand new decision" in body and "2 decisions" in body

    def test_a_review_and_a_request(self, reader, decision, staff, it_team):
        ImpactReviewFactory(decision=decision, direction="hurts", severity="high")
        assert "1 review: 1 hurts (high)" in page(reader, reverse("decisions:log"))
        UserFactory(team=it_team)
        created = services.reviews_request(by=staff, decision=decision, due_date=future(), teams=[it_team])  # bulk_create
        assert f"waiting for {len(created)} reviewers" in page(reader, reverse("decisions:log"))

    def test_renamed_customer_owner_and_team(self, reader, customer, staff, finance):
        customer.name, staff.name, finance.name = "Renamed Customer", "Renamed Owner", "Renamed Team"
        customer.save(), staff.save(), finance.save()
        body = page(reader, reverse("decisions:log"))
        assert "<bdi>Renamed Customer</bdi>" in body and "owner <bdi>Renamed Owner</bdi>" in body
        assert "<bdi>Renamed Team</bdi>" in body

    def test_the_team_filter_lists_a_new_owning_team(self, reader, it_team):
        assert '<option value="it">' not in page(reader, reverse("decisions:log"))
        DecisionFactory(team=it_team)
        assert '<option value="it">' in page(reader, reverse("decisions:log"))

    def test_each_query_its_own_page(self, reader, decision, it_team):
        DecisionFactory(title="IT laptops refresh", team=it_team, status="draft")
        assert "IT laptops refresh" not in page(reader, reverse("decisions:log"), status="in_review")
        assert "60-day payment terms" not in page(reader, reverse("decisions:log"), status="draft")


class TestLogAwaiting:
    def test_each_viewer_sees_what_awaits_them(self, outsider, host, decision):
        other = DecisionFactory(title="Another decision", status="in_review")
        ReviewRequestFactory(decision=decision, reviewer=outsider)
        ReviewRequestFactory(decision=other, reviewer=host)
        mine, theirs = signed_in(outsider), signed_in(host)
        for _ in range(2):  # rendered, then kept
            response = mine.get(reverse("decisions:log"), {"awaiting": "me"})
            assert [d.pk for d in response.context["page"].object_list] == [decision.pk]
            response = theirs.get(reverse("decisions:log"), {"awaiting": "me"})
            assert [d.pk for d in response.context["page"].object_list] == [other.pk]

    def test_answering_leaves_the_list(self, outsider, decision):
        ReviewRequestFactory(decision=decision, reviewer=outsider)
        client = signed_in(outsider)
        assert decision.title in page(client, reverse("decisions:log"), awaiting="me")
        services.review_submit(by=outsider, decision=decision, answer=GOOD_ANSWER, direction="neutral")
        assert "Nothing is waiting for your review." in page(client, reverse("decisions:log"), awaiting="me")


class TestCustomerSection:
    @pytest.fixture
    def reader(self, outsider, decision, customer):
        client = signed_in(outsider)
        assert decision.title in page(client, customer.get_absolute_url())
        return client

    def test_changes_show(self, reader, decision, customer, finance):
        DecisionFactory(title="Newly naming it").customers.add(customer)
        ImpactReviewFactory(decision=decision, direction="helps")
        finance.name = "Finance Renamed"
        finance.save()
        body = page(reader, customer.get_absolute_url())
        assert "Newly naming it" in body and "1 review: 1 helps" in body and "<bdi>Finance Renamed</bdi>" in body

    def test_a_review_naming_the_customer(self, reader, customer):
        ImpactReviewFactory(decision=DecisionFactory(title="Named in a review later")).customers.add(customer)
        assert "Named in a review later" in page(reader, customer.get_absolute_url())

    def test_each_customer_its_own(self, reader, customer):
        other = CustomerFactory()
        assert "60-day payment terms" not in page(reader, other.get_absolute_url())


class TestAwaitingPanel:
    def test_it_shows_the_viewers_own_requests(self, outsider, host, decision):
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=timezone.localdate() - datetime.timedelta(days=2))
        (panel,) = [p for p in panels_for(outsider) if p["key"] == "decisions-awaiting-review"]
        (row,) = panel["requests"]
        assert row.url == decision.get_absolute_url() and row.title == decision.title and row.team_name == "Finance"
        assert row.is_overdue and not panel["more"]
        assert all(p["key"] != "decisions-awaiting-review" for p in panels_for(host))
        body = page(signed_in(outsider), reverse("home"))
        assert f'<a href="{decision.get_absolute_url()}#my-review" dir="auto">' in body and "overdue since" in body

    def test_more_than_eight(self, outsider):
        for _ in range(9):
            ReviewRequestFactory(decision=DecisionFactory(status="in_review"), reviewer=outsider, due_date=future())
        ReviewRequestFactory(decision=DecisionFactory(status="decided"), reviewer=outsider, due_date=future())
        (panel,) = [p for p in panels_for(outsider) if p["key"] == "decisions-awaiting-review"]
        assert len(panel["requests"]) == 8 and panel["more"]
