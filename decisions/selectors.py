"""Reads for decisions, with their joins applied. Other apps (the digest) may reuse these."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from customers.models import Customer

from .models import Decision, DecisionEvent, ImpactReview, ReviewRequest

SUMMARY_REVIEWS = Prefetch(
    "reviews", queryset=ImpactReview.objects.only("id", "decision_id", "direction", "severity").order_by()
)


def awaiting_review(user):
    """Open review requests for `user` on decisions still taking reviews, soonest due first."""
    return (
        ReviewRequest.objects.filter(reviewer=user, reviewed_at=None, decision__status__in=Decision.OPEN_STATUSES)
        .select_related("decision__team", "decision__owner", "via_team")
        .order_by("due_date", "id")
    )


def awaiting_review_panel(user, *, limit=8):
    """The home page panel "Awaiting my review" (one query); left out when nothing waits."""
    requests = list(awaiting_review(user)[: limit + 1])
    if not requests:
        return None
    return {"requests": requests[:limit], "more": len(requests) > limit}


_pending_count = (
    ReviewRequest.objects.filter(decision=OuterRef("pk"), reviewed_at=None)
    .order_by()
    .values("decision")
    .annotate(n=Count("id"))
    .values("n")
)


def decision_list(*, user, q="", team=None, status="", direction="", severity="", customer=None, awaiting=False):
    """The decision log: filtered, newest first, with what each row needs to show its impact summary."""
    decisions = (
        Decision.objects.select_related("team", "owner")
        .prefetch_related(SUMMARY_REVIEWS, Prefetch("customers", queryset=Customer.objects.only("id", "name", "slug")))
        # A correlated count per row, not a JOIN + GROUP BY over every decision: the log then sorts and
        # LIMITs first (index decision_created_idx) and counts for the 25 rows it shows: 392 ms -> 0.4 ms
        # at 20,000 decisions (bench/README.md).
        .annotate(pending_requests=Coalesce(Subquery(_pending_count), 0))
    )
    if q:
        decisions = decisions.filter(Q(title__icontains=q) | Q(context__icontains=q) | Q(proposal__icontains=q))
    if team is not None:
        decisions = decisions.filter(team=team)
    if status:
        decisions = decisions.filter(status=status)
    if direction or severity:
        reviews = ImpactReview.objects.filter(decision=OuterRef("pk"))
        if direction:
            reviews = reviews.filter(direction=direction)
        if severity:
            reviews = reviews.filter(severity=severity)
        decisions = decisions.filter(Exists(reviews))
    if customer is not None:
        decisions = decisions.filter(Exists(Decision.customers.through.objects.filter(decision=OuterRef("pk"), customer=customer)))
    if awaiting:
        decisions = decisions.filter(
            Exists(ReviewRequest.objects.filter(decision=OuterRef("pk"), reviewer=user, reviewed_at=None)),
            status__in=Decision.OPEN_STATUSES,
        )
    return decisions.order_by("-created_at", "-id")


def log_filter_choices():
    """Teams that own decisions and customers named in them (two queries)."""
    from portal.models import Team

    teams = list(Team.objects.filter(Exists(Decision.objects.filter(team=OuterRef("pk")))).order_by("name"))
    customers = list(
        Customer.objects.filter(Exists(Decision.customers.through.objects.filter(customer=OuterRef("pk"))))
        .only("id", "name", "slug")
        .order_by("name")
    )
    return teams, customers


def decision_detail(pk):
    """One decision with everything its page shows: a fixed number of queries."""
    return Decision.objects.select_related("team", "owner").prefetch_related(
        "customers",
        Prefetch(
            "reviews",
            queryset=ImpactReview.objects.select_related("author__team").prefetch_related("customers"),
        ),
        Prefetch("review_requests", queryset=ReviewRequest.objects.select_related("reviewer", "via_team")),
        Prefetch("events", queryset=DecisionEvent.objects.select_related("actor")),
    ).filter(pk=pk)


def customer_decisions(customer):
    """Decisions that name `customer`, themselves or in a review."""
    named = Decision.customers.through.objects.filter(decision=OuterRef("pk"), customer=customer)
    in_review = ImpactReview.customers.through.objects.filter(impactreview__decision=OuterRef("pk"), customer=customer)
    return (
        Decision.objects.filter(Q(Exists(named)) | Q(Exists(in_review)))
        .select_related("team", "owner")
        .prefetch_related(SUMMARY_REVIEWS)
        .order_by("-created_at", "-id")
    )


def customer_section(customer, user, *, limit=10):
    """The customer page's "Decisions" section (three queries)."""
    decisions = list(customer_decisions(customer)[: limit + 1])
    return {"decisions": decisions[:limit], "more": len(decisions) > limit}
