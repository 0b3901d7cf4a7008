"""The decision pages' shared parts (portal.lib.fragments): what every reader of a decision, of a
page of the log or of a customer's decisions sees alike, rendered once and kept until a decision,
review, request, history entry, person, team or customer on it changes.

What is the viewer's own is never in here and is added by the views on every request: whether they
may edit and move the decision along, their review form and their own review request, the log
filtered to what awaits *them* (that page's key carries who they are).
"""

import dataclasses
from collections import Counter

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from portal.lib import fragments

from . import selectors

# What the pages show, so what their cached copies depend on (decisions/apps.py watches "decisions").
TOPICS = ("decisions", "people", "teams", "customers")

# The partials of decisions/detail.html that are the same for every reader (shared-head, …).
DETAIL_PARTS = ("head", "body", "summary", "reviews", "customers", "requests", "history")


@dataclasses.dataclass(slots=True)
class DecisionPage:
    parts: dict  # DETAIL_PARTS -> safe HTML
    review_ids: list
    tally: Counter  # its reviews by (direction, severity), for services.decide_errors


def decision_page(pk):
    """The shared parts of decision `pk`'s page. The request's own row (selectors.decision_for_viewer)
    has already decided the 404 and the permissions; "overdue" depends on today, so the key does too."""

    def render():
        decision = selectors.decision_detail(pk)
        if decision is None:  # deleted since the request read its row
            raise Http404
        reviews = list(decision.reviews.all())
        requests = list(decision.review_requests.all())
        context = {
            "decision": decision,
            "reviews": reviews,
            "review_requests": requests,
            "pending_requests": [r for r in requests if r.reviewed_at is None],
            "events": list(decision.events.all()),
        }
        parts = {name: mark_safe(render_to_string(f"decisions/detail.html#shared-{name}", context)) for name in DETAIL_PARTS}  # noqa: S308
        return DecisionPage(parts=parts, review_ids=[r.pk for r in reviews], tally=Counter(decision.review_tally()))

    return fragments.cached("decision-page", topics=TOPICS, parts=(int(pk), timezone.localdate()), render=render)


@dataclasses.dataclass(slots=True)
class ShownDecision:
    pk: int
    title: str


@dataclasses.dataclass(slots=True)
class ShownCount:
    count: int


@dataclasses.dataclass(slots=True)
class LogPage:
    """A page of the log as it was rendered: its HTML, and (for callers and tests) what it listed."""

    html: str
    object_list: list  # ShownDecision
    paginator: ShownCount


def log_page(request, *, filters, paginate):
    """The log's results region for this query string. Shared by everyone asking for the same query,
    except "awaiting my review", whose rows are the viewer's own: then the key carries who asks.
    `paginate(filters)` gives the Django Page with selectors.log_rows applied."""

    def render():
        page = paginate(filters)
        html = render_to_string("decisions/log.html#shared-results", {"filters": filters, "page": page}, request)
        shown = [ShownDecision(pk=d.pk, title=d.title) for d in page.object_list]
        return LogPage(html=mark_safe(html), object_list=shown, paginator=ShownCount(page.paginator.count))  # noqa: S308

    parts = sorted((key, tuple(values)) for key, values in request.GET.lists())
    parts.append(("viewer", request.user.pk if filters["awaiting"] else None))
    return fragments.cached("decision-log", topics=TOPICS, parts=parts, render=render)


def log_filter_teams():
    """selectors.log_filter_teams, the same for everyone: kept until a decision or a team changes."""
    return fragments.cached("decision-log-teams", topics=("decisions", "teams"), render=selectors.log_filter_teams)


def customer_section(customer, user):
    """The customer page's "Decisions that name this customer" (customers.sections), the same for
    everyone: rendered once per customer, kept until a decision, team or customer changes."""

    def render():
        ctx = {**selectors.customer_section(customer, user), "customer": customer}
        return mark_safe(render_to_string("decisions/customer_section.html#decisions", {"ctx": ctx}))  # noqa: S308

    return {"html": fragments.cached("decision-customer-section", topics=("decisions", "teams", "customers"),
                                     parts=(customer.pk,), render=render)}
