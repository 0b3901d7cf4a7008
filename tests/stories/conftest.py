import pytest

from portal.models import User
from stories import services
from tests.factories import CustomerFactory, ThemeFactory, UserFactory


@pytest.fixture
def kens(db):
    return CustomerFactory(
        name="Ken's Plumbing Supply", slug="kens-plumbing-supply",
        who_they_are="A family-owned plumbing wholesaler in Dayton.",
        daily_challenges="A late delivery means a crew stands idle.",
    )


@pytest.fixture
def theme(db):
    return ThemeFactory(name="Reliability", slug="reliability")


@pytest.fixture
def story(leader, kens, theme, finance):
    """A published story by the finance leader about Ken's."""
    return services.story_create(
        by=leader, customer=kens, title="The 6 a.m. counter", body="Ken's crews start at **six**; a missing fitting costs a day.",
        bought="Water heaters", impact="Crews *never* wait.", themes=[theme], teams=[finance], publish=True,
    )


@pytest.fixture
def draft(host, kens):
    """A host's draft, not yet submitted."""
    return services.story_create(by=host, customer=kens, title="From the field", body="Rosa told me about the scanners.")


@pytest.fixture
def other_leader(finance):
    return UserFactory(name="Omar Nasser", email="omar@example.com", team=finance, role=User.Role.LEADER)
