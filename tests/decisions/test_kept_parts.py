"""What the decision pages keep ({% fragment %}, each worker's memory) follows each decision: a review
on one decision touches nothing kept of another, and an edit shows at once on every page that shows
the decision, in every worker."""

import pickle

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from customers.services import follow_set
from decisions import services
from tests.factories import DecisionFactory, ReviewRequestFactory

from .conftest import GOOD_ANSWER, future

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def kept():
    """The entries of this worker's fragment memory: {key: the markup kept}."""
    fragments = caches["template_fragments"]
    return {key: pickle.loads(value) for key, value in fragments._cache.items()}


class TestAReviewTouchesOnlyItsDecision:
    def test_a_review_on_one_decision_changes_no_entry_of_another(self, outsider, host, decision, finance, staff):
        other = DecisionFactory(title="Move the warehouse", team=finance, owner=staff, status="in_review")
        reader = signed_in(outsider)
        reader.get(other.get_absolute_url())
        others = kept()
        assert any("Move the warehouse" in html for html in others.values())
        services.review_submit(by=host, decision=decision, answer=GOOD_ANSWER, direction="hurts", severity="high")
        page = reader.get(decision.get_absolute_url()).content.decode()
        assert "1 review: 1 hurts (high)" in page
        after = kept()
        assert {key: after.get(key) for key in others} == others  # every entry of the other one, as it was
        reader.get(other.get_absolute_url())
        assert kept().keys() == after.keys()  # and its page is drawn from them: nothing new written

    def test_a_review_request_answered_keeps_the_other_decisions_log_rows(self, outsider, host, decision, finance, staff):
        DecisionFactory(title="Move the warehouse", team=finance, owner=staff, status="in_review")
        ReviewRequestFactory(decision=decision, reviewer=host, due_date=future())
        reader = signed_in(outsider)
        reader.get(reverse("decisions:log"))
        rows = {key: html for key, html in kept().items() if "Move the warehouse" in html}
        assert len(rows) == 1
        services.review_submit(by=host, decision=decision, answer=GOOD_ANSWER, direction="helps")
        page = reader.get(reverse("decisions:log")).content.decode()
        assert "1 review: 1 helps" in page and "waiting for" not in page
        assert {key: kept().get(key) for key in rows} == rows


class TestAnEditShowsEverywhereAtOnce:
    def test_a_new_title_on_the_log_its_page_the_customer_page_and_home_through_two_workers(
        self, as_worker, staff, outsider, decision, customer
    ):
        ReviewRequestFactory(decision=decision, reviewer=outsider, due_date=future())  # "Awaiting my review"
        follow_set(by=outsider, customer=customer)  # "Customers I follow": its latest decision
        reader = signed_in(outsider)
        pages = {
            "log": reverse("decisions:log"),
            "decision": decision.get_absolute_url(),
            "customer": customer.get_absolute_url(),
            "home": reverse("home"),
        }

        def seen():
            return {name: reader.get(url).content.decode() for name, url in pages.items()}

        for worker in ("a", "b"):
            with as_worker(worker):
                assert all(decision.title in html for html in seen().values()), worker
        services.decision_update(by=staff, decision=decision, title="Ninety-day payment terms")
        for worker in ("a", "b"):
            with as_worker(worker):
                for name, html in seen().items():
                    assert "Ninety-day payment terms" in html, (worker, name)
                    assert "60-day payment terms" not in html, (worker, name)

    def test_a_renamed_owner_and_team_through_two_workers(self, as_worker, staff, finance, outsider, decision):
        reader = signed_in(outsider)
        for worker in ("a", "b"):
            with as_worker(worker):
                assert "Minh Anh" in reader.get(decision.get_absolute_url()).content.decode()
        staff.name, finance.name = "Minh Anh Tran", "Finance & Treasury"
        staff.save()
        finance.save()
        for worker in ("a", "b"):
            with as_worker(worker):
                for url in (decision.get_absolute_url(), reverse("decisions:log")):
                    html = reader.get(url).content.decode()
                    assert "Minh Anh Tran" in html and "Finance &amp; Treasury" in html, (worker, url)
