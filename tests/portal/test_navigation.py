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


def test_the_language_switcher_on_a_refused_form_returns_to_the_form_s_page(as_user):
    """A page drawn in answer to a POST (a refused answer, without JavaScript) switches language back to
    the page the form was on: the POST's own address may take nothing else."""
    sales = Team.objects.create(name="Sales", slug="sales", kind=Team.Kind.CUSTOMER_FACING)
    seller = UserFactory(team=sales, role=User.Role.STAFF)
    note = Note.objects.create(customer=CustomerFactory(), author=UserFactory(role=User.Role.HOST), kind="complaint",
                               text="Late again.", route="team", route_team=sales, status="open")
    client = as_user(seller)
    page = client.post(reverse("loops:note_respond", args=[note.pk]), {"answer": "x" * 600},
                       HTTP_REFERER=f"http://testserver{note.get_absolute_url()}").content.decode()
    switcher = page.split('class="language-form"', 1)[1].split("</form>", 1)[0]
    assert f'name="next" value="{note.get_absolute_url()}"' in switcher
    page = client.get(note.get_absolute_url()).content.decode()
    assert f'name="next" value="{note.get_absolute_url()}"' in page.split('class="language-form"', 1)[1].split("</form>")[0]
