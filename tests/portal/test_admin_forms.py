"""No admin form sends a table that grows with the company as a <select>: people, customers, contacts,
stories, decisions, ideas are picked by id or by search (raw_id_fields, autocomplete_fields), or shown
read-only where the system sets them (who created, requested, uploaded, changed). At 10,000 people one
such <select> made a decision's form 900 KB and a second to send."""

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
    RelatedFieldWidgetWrapper,
)
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import CustomerFactory, TeamFactory, UserFactory

# Tables of a few dozen rows, which a <select> serves well.
SMALL = {"portal.Team", "stories.Theme", "auth.Permission", "auth.Group", "insights.PulseIssue"}
PICKERS = (AutocompleteSelect, AutocompleteSelectMultiple, ForeignKeyRawIdWidget, ManyToManyRawIdWidget)


def _lists_of_rows(form_class, where):
    for name, field in form_class.base_fields.items():
        widget = field.widget.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field.widget
        model = getattr(getattr(field, "queryset", None), "model", None)
        if model is not None and model._meta.label not in SMALL and not isinstance(widget, PICKERS):
            yield f"{where}.{name} ({model._meta.label})"


@pytest.mark.django_db
def test_no_admin_form_lists_every_row_of_a_growing_table(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    found = []
    for model_admin in admin.site._registry.values():
        # Pages without add and change are read-only: every field shows as text.
        if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue
        where = type(model_admin).__name__
        found += _lists_of_rows(model_admin.get_form(request), where)
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            parent = formset.fk.name
            found += [f for f in _lists_of_rows(formset.form, f"{where}>{type(inline).__name__}")
                      if not f.split(".", 1)[1].startswith(f"{parent} ")]  # the parent is the page's own
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("page", [
    "decisions_decision_add", "decisions_reviewrequest_add", "customers_contact_add", "customers_follow_add",
    "digests_notificationpreferences_add", "improvements_complaintimport_add", "improvements_ideaevent_add",
    "stories_read_add",
])
def test_add_pages_name_no_person_or_customer(as_user, admin_user, page):
    people, customers = UserFactory.create_batch(3), CustomerFactory.create_batch(3)
    html = as_user(admin_user).get(reverse(f"admin:{page}")).content.decode()
    for row in people + customers:
        assert f">{row.name}</option>" not in html


@pytest.mark.django_db
def test_a_decision_added_here_was_created_by_the_admin(as_user, admin_user):
    """Who created it is read-only now, so the admin who adds one is recorded."""
    team, owner = TeamFactory(), UserFactory(role="leader")
    client = as_user(admin_user)
    response = client.post(reverse("admin:decisions_decision_add"), {
        "title": "Pay suppliers in 60 days", "team": team.pk, "owner": owner.pk, "status": "in_review",
        "context": "Cash is tight.", "proposal": "60-day terms.", "decide_by": "2026-12-20",
        "created_at_0": "2026-12-01", "created_at_1": "09:00:00",
        "review_requests-TOTAL_FORMS": "0", "review_requests-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    from decisions.models import Decision

    assert Decision.objects.get(title="Pay suppliers in 60 days").created_by == admin_user


@pytest.mark.django_db
def test_a_decisions_review_requests_are_titled_without_a_query_each(as_user, admin_user):
    """Each inline row shows "reviewer → decision": the rows come joined, the decision is not read
    again a row. (The reviewer picker still looks up its chosen person, as Django's autocomplete does.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import DecisionFactory, ReviewRequestFactory

    decision = DecisionFactory()
    client = as_user(admin_user)
    url = reverse("admin:decisions_decision_change", args=[decision.pk])

    def decision_reads_with(requests):
        ReviewRequestFactory.create_batch(requests, decision=decision)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len([q for q in queries.captured_queries if q["sql"].startswith('SELECT "decisions_decision"."id"')])

    assert decision_reads_with(1) == decision_reads_with(3) == 1
