"""Reads for decisions, with their joins applied. Other apps (the digest) may reuse these."""

import dataclasses
import datetime
from collections import Counter, defaultdict

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customers.models import Customer
from portal.lib.rawsql import placeholders
from portal.lib.urls import pk_url
from portal.permissions import can

from .models import Decision, DecisionEvent, ImpactCheck, ImpactReview, ReviewRequest


@dataclasses.dataclass(slots=True)
class AwaitingRow:
    """A row of "Awaiting my review": the decision's address, title and team, the due date."""

    url: str
    title: str
    team_name: str
    due_date: datetime.date
    is_overdue: bool


def awaiting_review_panel(user, *, limit=8):
    """The home page panel "Awaiting my review" (its context, or None when nothing waits): the
    viewer's own, read on every request in one query; "overdue" is measured against the viewer's
    local date."""
    return _awaiting_review(user, limit=limit, today=timezone.localdate())


def _awaiting_review(user, *, limit, today):
    """The panel's context, or None: one query, written out (the rule of decision_list's `awaiting`
    filter, with only what the panel shows; compiling it through the ORM cost more than running it),
    the address built once."""
    requests, decisions = ReviewRequest._meta.db_table, Decision._meta.db_table
    teams = Decision._meta.get_field("team").related_model._meta.db_table
    statuses = [str(status) for status in Decision.OPEN_STATUSES]
    sql = (
        f"SELECT r.due_date, d.id, d.title, t.name FROM {requests} r "
        f"JOIN {decisions} d ON d.id = r.decision_id JOIN {teams} t ON t.id = d.team_id "
        f"WHERE r.reviewer_id = %s AND r.reviewed_at IS NULL AND d.status IN ({placeholders(statuses)}) "
        "ORDER BY r.due_date, r.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *statuses, limit + 1])
        found = cursor.fetchall()
    if not found:
        return None
    to_date = ReviewRequest._meta.get_field("due_date").to_python  # SQLite's raw dates are text
    url = pk_url("decisions:detail")
    rows = []
    for due, pk, title, team_name in found[:limit]:
        due = to_date(due)
        rows.append(AwaitingRow(url=url % pk, title=title, team_name=team_name, due_date=due, is_overdue=due < today))
    return {"requests": rows, "more": len(found) > limit}


_pending_count = (
    ReviewRequest.objects.filter(decision=OuterRef("pk"), reviewed_at=None)
    .order_by()
    .values("decision")
    .annotate(n=Count("id"))
    .values("n")
)


def due_checks(today):
    """Impact checks whose date has come and that nobody has recorded, of decisions still decided."""
    return ImpactCheck.objects.filter(recorded_at=None, due_on__lte=today, decision__status=Decision.Status.DECIDED)


def decision_list(
    *, user, q="", team=None, status="", direction="", severity="", customer=None, awaiting=False, check="",
    today=None,
):
    """The decision log: filtered, newest first, with what each row shows (pass the page's rows to
    log_rows() for their impact summaries and customers).

    `check`: "due" for decisions whose impact check is due and not recorded, "worse" for those whose
    recorded impact was worse than predicted."""
    decisions = (
        # Only what a row shows: no Markdown bodies, only the team's and owner's names. (select_related,
        # not annotations: the paginator's COUNT leaves out a select_related join, not an annotation's.)
        Decision.objects.select_related("team", "owner")
        .only("id", "title", "status", "decide_by", "created_at", "updated_at", "team__name", "owner__name")
        # A correlated count per row, not a JOIN + GROUP BY over every decision: the log then sorts and
        # LIMITs first (index decision_created_idx) and counts for the 25 rows it shows: 392 ms -> 0.4 ms
        # at 20,000 decisions (bench/README.md).
        .annotate(pending_requests=Coalesce(Subquery(_pending_count), 0))
    )
    if q:
        decisions = decisions.filter(Q(title__icontains=q) | Q(context__icontains=q) | Q(proposal__icontains=q))
    if team is not None:
        decisions = decisions.filter(team=team)  # a Team or its id
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
    if check == "due":
        today = today or timezone.localdate()
        decisions = decisions.filter(
            Exists(ImpactCheck.objects.filter(decision=OuterRef("pk"), recorded_at=None, due_on__lte=today)),
            status=Decision.Status.DECIDED,
        )
    elif check == "worse":
        decisions = decisions.filter(
            Exists(ImpactCheck.objects.filter(decision=OuterRef("pk"), result=ImpactCheck.Result.WORSE))
        )
    return decisions.order_by("-created_at", "-id")


def _with_tallies(decisions):
    """`decisions` as a list, each with its reviews counted by (direction, severity) in one grouped
    query (Decision.review_tally reads it): no model instance per review."""
    decisions = list(decisions)
    by_pk = {decision.pk: decision for decision in decisions}
    for decision in decisions:
        decision._review_tally = Counter()
    if by_pk:
        tallies = (
            ImpactReview.objects.filter(decision__in=by_pk).order_by()
            .values_list("decision", "direction", "severity").annotate(n=Count("id"))
        )
        for pk, direction, severity, n in tallies:
            by_pk[pk]._review_tally[direction, severity] = n
    return decisions


def log_rows(decisions):
    """The log's rows with their review tallies (for impact_summary) and customer names: two small
    grouped queries over the page's rows, with no model instance per review or customer."""
    decisions = _with_tallies(decisions)
    by_pk = {d.pk: d for d in decisions}
    for decision in decisions:
        decision.customer_names = []
    if not decisions:
        return decisions
    named = (
        Decision.customers.through.objects.filter(decision__in=by_pk)
        .order_by("customer__name", "customer")
        .values_list("decision", "customer__name")
    )
    for pk, name in named:
        by_pk[pk].customer_names.append(name)
    return decisions


def log_filter_teams():
    """(id, slug, name) of the teams that own decisions, for the log's team filter (one query). The
    customer filter is a picker (decisions/forms.py LogFilterForm): the log never lists every customer."""
    from portal.models import Team

    return list(
        Team.objects.filter(Exists(Decision.objects.filter(team=OuterRef("pk"))))
        .order_by("name")
        .values_list("id", "slug", "name")
    )


def decision_detail(pk, *, viewer=None):
    """One decision with everything its page shows, or None: a fixed number of queries.

    The reviewers', requested people's and actors' names come as annotations (`author_name`,
    `reviewer_name`, …) rather than as a User and a Team instance per row, and each review's named
    customers as a list (`review.named_customers`) from one query rather than a nested prefetch: a
    decision with 60 reviews and 60 requests builds 120 model instances instead of 360.

    With `viewer`, the decision also carries their open review request's due date (`my_request_due`)
    and their review's id (`my_review_id`), in the same query. Each part the page keeps as a
    {% fragment %} gets the key that covers what it shows (with_fragment_keys)."""
    names = Customer.objects.only("id", "name", "slug")
    decisions = Decision.objects.select_related("team", "owner")
    if viewer is not None:
        requests = ReviewRequest.objects.filter(decision=OuterRef("pk"), reviewer=viewer, reviewed_at=None)
        decisions = decisions.annotate(
            my_request_due=Subquery(requests.values("due_date")[:1]),
            my_review_id=Subquery(ImpactReview.objects.filter(decision=OuterRef("pk"), author=viewer).values("pk")[:1]),
        )
    decision = (
        decisions.prefetch_related(
            Prefetch("customers", queryset=names),
            Prefetch(
                "reviews",
                queryset=ImpactReview.objects.defer("answer", "mitigation").annotate(
                    author_name=F("author__name"), author_team_name=F("author__team__name")
                ),
            ),
            Prefetch(
                "review_requests",
                queryset=ReviewRequest.objects.only("id", "decision", "reviewer", "via_team", "due_date", "reviewed_at")
                .annotate(reviewer_name=F("reviewer__name"), via_team_name=F("via_team__name")),
            ),
            Prefetch("events", queryset=DecisionEvent.objects.annotate(actor_name=F("actor__name"))),
            Prefetch("impact_checks", queryset=_checks_shown(viewer)),
        )
        .filter(pk=pk)
        .first()
    )
    if decision is not None:
        named = defaultdict(list)
        in_reviews = names.filter(impact_reviews__decision=pk).annotate(review_pk=F("impact_reviews"))
        for customer in in_reviews.order_by("name", "pk"):
            named[customer.review_pk].append(customer)
        for review in decision.reviews.all():
            review.named_customers = named[review.pk]
        with_fragment_keys(decision)
    return decision


def _names(customers):
    return [(c.pk, c.name, c.slug) for c in customers]


def with_fragment_keys(decision):
    """What each kept part of the decision page shows beyond the decision's own row (its pk and
    updated_at are in every key): the reviews and their tally (each review's id and updated_at, which
    its save moves, and the names it shows), the customers, the requests (who, via which team, due,
    answered) and the history (append-only: its rows and the actors' names). Taken from the rows the
    page loads anyway, so any change to them is a new key in every worker, with no column to keep."""
    reviews, requests = decision.reviews.all(), decision.review_requests.all()
    decision.reviews_key = [
        (r.pk, r.updated_at, r.author_name, r.author_team_name, _names(r.named_customers)) for r in reviews
    ]
    decision.customers_key = _names(decision.customers.all())
    decision.requests_key = [(r.pk, r.reviewer_name, r.via_team_name, r.due_date, r.reviewed_at) for r in requests]
    decision.events_key = [(e.pk, e.actor_name) for e in decision.events.all()]
    checks = decision.impact_checks.all()
    decision.impact_check = checks[0] if checks else None  # the newest: open, or the last recorded
    decision.pending_count = sum(1 for r in requests if r.reviewed_at is None)
    return decision


def viewer_review(review_id):
    """The viewer's own review with the customers it names (for their form): two queries."""
    names = Customer.objects.only("id", "name", "slug").order_by("name", "pk")
    review = ImpactReview.objects.filter(pk=review_id).prefetch_related(Prefetch("customers", queryset=names)).first()
    if review is not None:
        review.named_customers = list(review.customers.all())
    return review


def customer_decisions(customer):
    """Decisions that name `customer`, themselves or in a review."""
    named = Decision.customers.through.objects.filter(decision=OuterRef("pk"), customer=customer)
    in_review = ImpactReview.customers.through.objects.filter(impactreview__decision=OuterRef("pk"), customer=customer)
    return Decision.objects.filter(Q(Exists(named)) | Q(Exists(in_review))).order_by("-created_at", "-id")


def customer_section(customer, user, *, limit=10):
    """The customer page's "Decisions" section: two queries, the decisions (only what a row shows,
    the team's name annotated) and their reviews counted by direction and severity for
    impact_summary(), as log_rows() does: no model instance per review or team."""
    rows = list(
        customer_decisions(customer)
        .only("id", "title", "status", "created_at", "updated_at")
        .annotate(team_name=F("team__name"))[: limit + 1]
    )
    return {"decisions": _with_tallies(rows[:limit]), "more": len(rows) > limit}


# -- impact checks ----------------------------------------------------------------------------------


def _checks_shown(viewer):
    """A decision's impact checks as its page shows them: names annotated, the evidence stories that
    `viewer` may read (stories' access funnel; only what a link needs) prefetched. Newest first. Never an
    anonymised story, even one anonymised after it was cited: beside a decision that names its customers
    it would say whom it is about (check_story_choices leaves them out for the same reason)."""
    from stories.models import Story
    from stories.selectors import readable_published

    stories = (
        readable_published(viewer).exclude(naming=Story.Naming.ANONYMISED) if viewer is not None else Story.objects.none()
    )
    return (
        ImpactCheck.objects.annotate(recorded_by_name=F("recorded_by__name"), decided_by_name=F("decided_by__name"))
        .prefetch_related(Prefetch("stories", queryset=stories.only("id", "slug", "title").order_by("title", "pk")))
        .order_by("-created_at", "-id")
    )


def check_for_page(decision_id):
    """The decision's newest impact check (open, or the last recorded) with its decision, or None. One query."""
    if not 0 < decision_id < 2**63:  # no such row, and more than a database integer holds (a 500 on SQLite)
        return None
    return (
        ImpactCheck.objects.select_related("decision__team", "decision__owner")
        .annotate(decided_by_name=F("decided_by__name"))
        .filter(decision_id=decision_id)
        .order_by("-created_at", "-id")
        .first()
    )


def check_story_choices(decision, user):
    """Published stories about the decision's customers that `user` may read (stories' access funnel),
    newest first: what their check may cite. Anonymised stories are left out: citing one on a decision
    that names its customers would say whom it is about."""
    from stories.models import Story
    from stories.selectors import readable_published

    named = Decision.customers.through.objects.filter(decision=decision, customer=OuterRef("customer"))
    return (
        readable_published(user).filter(Exists(named)).exclude(naming=Story.Naming.ANONYMISED)
        .select_related("customer").only("id", "slug", "title", "published_at", "naming", "customer__name")
        .order_by("-published_at", "-id")
    )


@dataclasses.dataclass(slots=True)
class CheckDueRow:
    """A row of "Impact checks due": the decision's address and title, its team, the check's date."""

    url: str
    title: str
    team_name: str
    due_on: datetime.date


def _involved(user):
    """Checks `user` may record as the decider or a reviewer (admins are not reminded of every check)."""
    reviewed = ImpactReview.objects.filter(decision=OuterRef("decision"), author=user)
    asked = ReviewRequest.objects.filter(decision=OuterRef("decision"), reviewer=user)
    return Q(decided_by=user) | Q(Exists(reviewed)) | Q(Exists(asked))


def checks_due_panel(user, *, limit=6):
    """The home page panel "Did the impact we predicted happen?" (its context, or None): the impact checks
    due that the viewer decided or reviewed, oldest first. One query."""
    today = timezone.localdate()
    found = list(
        due_checks(today).filter(_involved(user))
        .annotate(title=F("decision__title"), team_name=F("decision__team__name"))
        .values_list("decision_id", "title", "team_name", "due_on")
        .order_by("due_on", "id")[: limit + 1]
    )
    if not found:
        return None
    url = pk_url("decisions:check")
    rows = [CheckDueRow(url=url % pk, title=title, team_name=team, due_on=due) for pk, title, team, due in found[:limit]]
    return {"checks": rows, "more": len(found) > limit}


BRIEF_DECISIONS = 3


def brief_decisions(customer, user, *, limit=BRIEF_DECISIONS):
    """The listener brief's part (customers.brief): open decisions (draft or in review) that name the
    customer, themselves or in a review, with what their reviews predict for customers so far
    (Decision.impact_summary). Only for those who may read decisions (`decision.view`); the brief
    never shows more than the log would. Two queries: the rows and their review tallies."""
    if not can(user, "decision.view"):
        return None
    rows = list(
        customer_decisions(customer)
        .filter(status__in=Decision.OPEN_STATUSES)
        .only("id", "title", "status", "decide_by", "created_at")
        .annotate(team_name=F("team__name"))[: limit + 1]
    )
    if not rows:
        return None
    return {
        "items": [
            {
                "title": decision.title,
                "url": decision.get_absolute_url(),
                "text": decision.impact_summary(),
                "meta": _brief_meta(decision),
            }
            for decision in _with_tallies(rows[:limit])
        ],
        "more": len(rows) > limit,
    }


def _brief_meta(decision):
    decide_by = _("decide by %(date)s") % {"date": date_format(decision.decide_by, "DATE_FORMAT")}
    return [decision.get_status_display(), decision.team_name, decide_by]


# -- the customer timeline (customers.timeline) -----------------------------------------------------


def timeline_entries(customer, user, *, before, since, until, kinds, limit):
    """Decisions that name the customer (customer_decisions), by when they were opened, for the shared
    timeline; every signed-in colleague reads decisions. One query."""
    from customers.timeline import Entry, keyset_q, window_q

    rows = (
        customer_decisions(customer)
        .filter(keyset_q(before, order=20, at="created_at"), window_q(since=since, until=until, at="created_at"))
        .annotate(owner_name=F("owner__name"))
        .only("id", "title", "status", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Entry(at=d.created_at, source="decisions", pk=d.pk, title=d.title, url=d.get_absolute_url(),
              kind=d.status, kind_label=str(d.get_status_display()), actor=d.owner_name or "")
        for d in rows
    ]
