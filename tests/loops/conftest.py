import datetime

import pytest

from loops.models import Note
from portal.models import Team, User
from tests.factories import ContactFactory, CustomerFactory, TeamFactory, UserFactory

# A Wednesday afternoon in Dubai's week; tests freeze the clock here (tests.conftest.frozen_at).
NOW = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def sales(db):
    return TeamFactory(name="Sales", slug="sales", kind=Team.Kind.CUSTOMER_FACING)


@pytest.fixture
def owner(sales):
    """The account owner: a host in Sales, in Dubai."""
    return UserFactory(name="Layla Haddad", email="layla@example.com", team=sales, role=User.Role.HOST, time_zone="Asia/Dubai")


@pytest.fixture
def seller(sales):
    return UserFactory(name="Omar Said", email="omar@example.com", team=sales, role=User.Role.STAFF)


@pytest.fixture
def customer(owner):
    return CustomerFactory(name="Ken's Plumbing Supply", slug="kens", account_owner=owner)


@pytest.fixture
def contact(customer):
    return ContactFactory(customer=customer, name="Ken Adams", recreation="Sails on Lake Erie every weekend.")


def make_note(customer, author, **fields):
    fields.setdefault("kind", Note.Kind.CALL)
    fields.setdefault("text", "Called about the spring order.")
    audience = fields.pop("audience", ())
    note = Note.objects.create(customer=customer, author=author, **fields)
    if audience:
        note.audience.set(audience)
    return note
