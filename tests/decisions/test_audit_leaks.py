"""A decision names its customers: a story cited on its impact check must never be an anonymised one,
even when it was anonymised after it was cited (the pair would say whom the story is about)."""

import datetime

import pytest
from django.utils import timezone

from decisions import services
from decisions.models import Decision, ImpactCheck
from stories.models import Story
from tests.factories import DecisionFactory, ImpactReviewFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(staff, finance, customer, outsider):
    d = DecisionFactory(title="60-day payment terms", team=finance, owner=staff, status="in_review", outcome="Staged.")
    d.customers.add(customer)
    ImpactReviewFactory(decision=d, author=outsider, direction="hurts", severity="medium")
    return services.decision_transition(by=staff, decision=d, to=Decision.Status.DECIDED)


def test_a_cited_story_anonymised_later_is_no_longer_shown_on_the_decision(decided, customer, host, staff, as_user):
    story = StoryFactory(customer=customer, author=host, title="Ken's crew waited")
    ImpactCheck.objects.update(result="better", recorded_at=timezone.now() - datetime.timedelta(days=1), recorded_by=staff)
    ImpactCheck.objects.get().stories.set([story])
    assert "Ken&#x27;s crew waited" in as_user(staff).get(decided.get_absolute_url()).content.decode()

    # Its editor anonymises it (the customer asked not to be named).
    Story.objects.filter(pk=story.pk).update(naming=Story.Naming.ANONYMISED, anonymised_as="A plumbing supplier in Ohio")
    page = as_user(staff).get(decided.get_absolute_url()).content.decode()
    assert "Ken&#x27;s crew waited" not in page and story.get_absolute_url() not in page
