"""Every full-page form that can be refused says so first, as the decision forms do
(includes/error_summary.html, tests/decisions/test_error_summary.py): the page's title starts with
"Error:", and a summary (role="alert", focused when the page loads) links each error to its field."""

import re

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def refused(client, url, data=None):
    response = client.post(url, data or {})
    html = response.content.decode()
    summary = re.search(r'<div class="errorlist nonfield" role="alert" id="error-summary" tabindex="-1" autofocus>(.*?)</div>', html, re.S)
    assert summary, f"{url} has no error summary"
    assert re.search(r"<title>Error: ", html), f"{url}'s title does not say so"
    targets = re.findall(r'<li><a href="#([^"]+)">', summary.group(1))
    for target in targets:
        assert f'id="{target}"' in html, f"{url}: the link to #{target} leads nowhere"
    return summary.group(1), targets


@pytest.mark.parametrize("name, args, data, target", [
    ("meetings:new", (), {"title": ""}, "id_title"),
    ("customers:contact_new", ("customer",), {}, "id_name"),
    ("improvements:idea_new", (), {}, "id_title"),
    ("insights:pulse_record", (), {"month": "not a month"}, "id_month"),
    ("survey:new", (), {"year": "x"}, "id_quarter"),
    ("digests:settings", (), {"digest_day": "9"}, None),
    ("customers:import", (), {}, "id_file"),
    ("improvements:import", (), {}, "id_file"),
    ("insights:pulse_import", (), {}, "id_file"),
])
def test_a_refused_form_says_so_first(as_user, admin_user, name, args, data, target):
    if args:
        args = (CustomerFactory(slug="kens-plumbing").slug,)
    summary, targets = refused(as_user(admin_user), reverse(name, args=args), data)
    assert targets, summary
    if target:
        assert target in targets


def test_the_story_form_says_so_first(as_user, leader):
    summary, targets = refused(as_user(leader), reverse("stories:new"), {"title": "", "body": ""})
    assert "The story was not saved. Please correct the fields marked below." in summary
    assert "id_title" in targets and "id_customer_search" in targets  # the picker's search box


def test_a_notes_own_pages_say_so_first(as_user, admin_user):
    from loops import services

    customer = CustomerFactory(slug="kens-plumbing")
    client = as_user(admin_user)
    _summary, targets = refused(client, reverse("loops:note_add", args=[customer.slug]), {"note-kind": "call", "note-text": ""})
    assert "id_note-text" in targets
    note = services.note_add(by=admin_user, customer=customer, kind="call", text="Rosa called about pallets.")
    edit = reverse("loops:note_edit", args=[note.pk])
    _summary, targets = refused(client, edit, {"note-kind": "call", "note-text": ""})
    assert "id_note-text" in targets
    assert client.post(edit, {"note-kind": "call"}).content.decode().count('role="alert"') == 1  # said once
