"""The main navigation marks the section a page belongs to (aria-current="page"), also on the pages an
app adds to it: a customer's timeline, a note and the contact rhythm are the customers' pages."""

import re

import pytest
from django.urls import reverse

from loops.models import Note
from portal.models import Team, User
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def current(page):
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', page)


def test_each_page_marks_its_own_section(as_user):
    sales = Team.objects.create(name="Sales", slug="sales", kind=Team.Kind.CUSTOMER_FACING)
    host = UserFactory(team=sales, role=User.Role.HOST)
    customer = CustomerFactory(name="Ken's Plumbing Supply", account_owner=host)
    note = Note.objects.create(customer=customer, author=host, kind="call", text="Called Rosa.")
    client = as_user(host)
    for url, section in [
        (reverse("home"), "Home"),
        (reverse("stories:feed"), "Stories"),
        (reverse("customers:directory"), "Customers"),
        (customer.get_absolute_url(), "Customers"),
        (reverse("loops:timeline", kwargs={"slug": customer.slug}), "Customers"),
        (note.get_absolute_url(), "Customers"),
        (reverse("loops:rhythm"), "Customers"),
        (reverse("improvements:patterns"), "Improvements"),
    ]:
        assert current(client.get(url).content.decode()) == [section], url
