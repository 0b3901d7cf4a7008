"""Reads for complaint patterns, ideas and pilots, each with a fixed number of queries.

**The rising rule.** A category is *rising* in a month when that month's count is at least
RISE_FACTOR (1.5) times its average over the TRAILING (6) months before it, and at least
RISE_MIN_EXTRA (5) records above that average (months without records count as 0). So 3 after an
average of 1 is not rising (too few to mean anything); 12 after an average of 4 is.

**Naming customers.** Complaint texts name customers. A customer who asked not to be named
(`Customer.do_not_name`) is shown by its anonymised description, and its complaint texts are left out
of the examples, to everyone the matrix does not allow `complaint.read_named` (hosts, admins and the
account owner)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.http import Http404

from customers.models import Customer
from insights.periods import add_months, last_months
from portal.lib.rawsql import placeholders
from portal.permissions import can

from .models import Complaint, ComplaintImport, Idea, IdeaEvent, IdeaMember

RISE_FACTOR = Decimal("1.5")
RISE_MIN_EXTRA = 5
TRAILING = 6
SHOWN_CATEGORIES = 8
CUSTOMERS_PER_PATTERN = 3
EXAMPLES_PER_PATTERN = 2
MOST_AFFECTED = 10
CUSTOMER_COLUMNS = ("name", "slug", "do_not_name", "account_owner_id", "industry", "region", "employees")


def is_rising(count, trailing):
    """The rising rule (module docstring): `count` this month against the `trailing` months' counts."""
    average = Decimal(sum(trailing)) / max(len(trailing), 1)
    return count >= RISE_FACTOR * average and count - average >= RISE_MIN_EXTRA


@dataclass
class CustomerLabel:
    """A customer as this reader may see it: its name and page, or its anonymised description."""

    label: str
    url: str = ""
    named: bool = True


def customer_label_for(customer, user):
    if customer.do_not_name and not can(user, "complaint.read_named", customer):
        return CustomerLabel(customer.anonymous_description(), named=False)
    return CustomerLabel(customer.name, customer.get_absolute_url())


def _customer_from(row, prefix="customer__"):
    return Customer(pk=row[f"{prefix}id"], **{name: row[f"{prefix}{name}"] for name in CUSTOMER_COLUMNS})


def _readable_texts(user):
    """Complaints whose text `user` may read: all, or those of customers who may be named (or theirs)."""
    if can(user, "complaint.read_named"):
        return Q()
    return Q(customer__do_not_name=False) | Q(customer__account_owner_id=user.pk)


@dataclass
class Pattern:
    category: str
    counts: list  # [(month, n)], oldest first, the chosen month last
    count: int
    average: Decimal
    rising: bool
    customers: list = field(default_factory=list)  # [(CustomerLabel, n)]
    examples: list = field(default_factory=list)  # [(date, text, CustomerLabel)]


def monthly_counts(month, *, categories=None):
    """{category: [n per month]} over the TRAILING months before `month` and `month` itself. One query."""
    months = last_months(TRAILING + 1, until=month)
    found = (
        Complaint.objects.filter(date__gte=months[0], date__lt=add_months(month, 1))
        .annotate(month=TruncMonth("date"))
        .values_list("category", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    if categories is not None:
        found = found.filter(category__in=categories)
    index = {m: i for i, m in enumerate(months)}
    counts = {}
    for category, at, n in found:
        at = at.date() if isinstance(at, datetime.datetime) else at
        counts.setdefault(category, [0] * len(months))[index[at]] = n
    return months, counts


def rising_categories(month):
    """[(category, this month's count, trailing average)] rising in `month`, most first. One query."""
    _months, counts = monthly_counts(month)
    found = [(c, n[-1], sum(n[:-1]) / TRAILING) for c, n in counts.items() if is_rising(n[-1], n[:-1])]
    return sorted(found, key=lambda r: (-r[1], r[0]))


def _top_customers(month, categories):
    """[(category, customer id, n)]: the CUSTOMERS_PER_PATTERN customers with the most complaints in each
    of `categories` in `month`. One query, written out: the ORM puts a window over an aggregate in the
    GROUP BY, which PostgreSQL refuses."""
    table = Complaint._meta.db_table
    sql = (
        "SELECT category, customer_id, n FROM ("
        " SELECT category, customer_id, COUNT(*) AS n,"
        "  ROW_NUMBER() OVER (PARTITION BY category ORDER BY COUNT(*) DESC, customer_id) AS position"
        f" FROM {table} WHERE date >= %s AND date < %s AND category IN ({placeholders(categories)})"
        " GROUP BY category, customer_id"
        ") ranked WHERE position <= %s ORDER BY category, position"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [month, add_months(month, 1), *categories, CUSTOMERS_PER_PATTERN])
        return cursor.fetchall()


def patterns(*, user, month):
    """The patterns page: the SHOWN_CATEGORIES categories of `month` (rising ones first, then by
    count), each with its counts, the customers most affected and example texts; and the customers
    most affected that month in every category. Five queries whatever the data size."""
    months, counts = monthly_counts(month)
    found = [
        Pattern(category=c, counts=list(zip(months, n)), count=n[-1], average=Decimal(sum(n[:-1])) / TRAILING,
                rising=is_rising(n[-1], n[:-1]))
        for c, n in counts.items()
    ]
    found.sort(key=lambda p: (not p.rising, -p.count, -sum(n for _m, n in p.counts), p.category))
    shown = found[:SHOWN_CATEGORIES]
    by_category = {p.category: p for p in shown}
    in_month = Complaint.objects.filter(date__gte=month, date__lt=add_months(month, 1))
    customer_values = ["customer__id", *(f"customer__{name}" for name in CUSTOMER_COLUMNS)]
    if by_category:
        ranked = _top_customers(month, list(by_category))
        customers = Customer.objects.only("pk", *CUSTOMER_COLUMNS).in_bulk({customer_id for _c, customer_id, _n in ranked})
        for category, customer_id, n in ranked:
            by_category[category].customers.append((customer_label_for(customers[customer_id], user), n))
        examples = (
            in_month.filter(_readable_texts(user), category__in=by_category)
            .select_related("customer")
            .only("date", "text", "category", *(f"customer__{name}" for name in CUSTOMER_COLUMNS))
            .annotate(rank=Window(RowNumber(), partition_by=[F("category")], order_by=[F("date").desc(), F("id").desc()]))
            .filter(rank__lte=EXAMPLES_PER_PATTERN)
            .order_by("category", "rank")
        )
        for complaint in examples:
            by_category[complaint.category].examples.append(
                (complaint.date, complaint.text, customer_label_for(complaint.customer, user))
            )
    affected = (
        in_month.values(*customer_values)
        .annotate(n=Count("id"), categories=Count("category", distinct=True))
        .order_by("-n", "customer__name")[:MOST_AFFECTED]
    )
    most_affected = [(customer_label_for(_customer_from(row), user), row["n"], row["categories"]) for row in affected]
    return shown, most_affected


def pattern_customers(category, month, *, limit=20):
    """The customers with the most `category` complaints in `month`: an idea's affected customers. One query."""
    ids = (
        Complaint.objects.filter(category=category, date__gte=month, date__lt=add_months(month, 1))
        .values("customer_id").annotate(n=Count("id")).order_by("-n", "customer_id").values_list("customer_id", flat=True)
    )
    return list(ids[:limit])


def complaint_imports():
    return ComplaintImport.objects.select_related("uploaded_by")


def idea_list(*, status=None):
    """Ideas newest first with their author, pilot and number of members: one query (two with a page count)."""
    ideas = Idea.objects.select_related("author", "pilot", "pilot__owner").annotate(member_count=Count("members"))
    ideas = ideas.order_by("-created_at", "-id")
    if status:
        ideas = ideas.filter(status=status)
    return ideas


def get_idea_for(user, pk):
    """The idea page's idea with everything it shows: the pilot, affected customers, members and history.
    Four queries. Every signed-in colleague may read every idea; a missing one is a 404."""
    from portal.permissions import require

    require(user, "improvement.view")
    idea = (
        Idea.objects.select_related("author", "pilot", "pilot__owner", "pilot__recorded_by")
        .prefetch_related(
            Prefetch("customers", queryset=Customer.objects.only("pk", *CUSTOMER_COLUMNS).order_by("name")),
            Prefetch("members", queryset=IdeaMember.objects.select_related("user", "user__team", "team")),
            Prefetch("events", queryset=IdeaEvent.objects.select_related("actor")),
        )
        .filter(pk=pk)
        .first()
    )
    if idea is None:
        raise Http404
    return idea


def idea_for_update(pk):
    """The idea with its pilot, for a service that changes it."""
    idea = Idea.objects.select_related("pilot").filter(pk=pk).first()
    if idea is None:
        raise Http404
    return idea


def pattern_counts_around(category, starts_on, ends_on):
    """(complaints in `category` in the same number of days just before `starts_on`, during the pilot). One query."""
    length = (ends_on - starts_on).days + 1
    before_start = starts_on - datetime.timedelta(days=length)
    found = Complaint.objects.filter(category=category, date__gte=before_start, date__lte=ends_on).aggregate(
        before=Count("id", filter=Q(date__lt=starts_on)), during=Count("id", filter=Q(date__gte=starts_on))
    )
    return found["before"], found["during"]


@dataclass
class QuarterSummary:
    ideas: list
    opened: int = 0
    piloted: int = 0
    adopted: int = 0
    dropped: int = 0
    estimated_cost: Decimal = Decimal(0)
    estimated_benefit: Decimal = Decimal(0)
    pilot_cost: Decimal = Decimal(0)
    pilot_saving: Decimal = Decimal(0)


def quarter_summary(quarter):
    """Ideas opened, piloted (a pilot running on some day of the quarter), adopted or dropped in
    `quarter`, with the totals. Two queries (the ideas, their customers)."""
    start, end = quarter.start(), quarter.end()
    first_day, last_day = start.date(), end.date() - datetime.timedelta(days=1)
    in_quarter = (
        Q(created_at__gte=start, created_at__lt=end)
        | Q(pilot__starts_on__lte=last_day, pilot__ends_on__gte=first_day)
        | Q(closed_at__gte=start, closed_at__lt=end)
    )
    ideas = list(
        Idea.objects.filter(in_quarter)
        .select_related("author", "pilot", "pilot__owner")
        .prefetch_related(Prefetch("customers", queryset=Customer.objects.only("pk", *CUSTOMER_COLUMNS)))
        .order_by("created_at", "id")
    )
    summary = QuarterSummary(ideas=ideas)
    for idea in ideas:
        pilot = getattr(idea, "pilot", None)
        if start <= idea.created_at < end:
            summary.opened += 1
            summary.estimated_cost += idea.estimated_cost or 0
            summary.estimated_benefit += idea.estimated_benefit or 0
        if pilot and pilot.starts_on <= last_day and pilot.ends_on >= first_day:
            summary.piloted += 1
        if pilot and pilot.recorded_at and start <= pilot.recorded_at < end:
            summary.pilot_cost += pilot.actual_cost or 0
            summary.pilot_saving += pilot.saving or 0
        if idea.closed_at and start <= idea.closed_at < end:
            summary.adopted += idea.status == Idea.Status.ADOPTED
            summary.dropped += idea.status == Idea.Status.DROPPED
    return summary


CUSTOMER_SECTION_LIMIT = 5


def customer_section(customer, user):
    """The customer page's complaints: the latest few (the page already names the customer). Their texts
    only for those who may read them (`complaint.read_named`, as on the patterns page) when the customer
    asked not to be named: the others see the categories and dates. One query."""
    rows = list(customer.complaints.only("id", "date", "category", "text", "cost", "customer_id")[: CUSTOMER_SECTION_LIMIT + 1])
    texts_hidden = customer.do_not_name and not can(user, "complaint.read_named", customer)
    if texts_hidden:
        for row in rows:
            row.text = ""
    return {"complaints": rows[:CUSTOMER_SECTION_LIMIT], "more": len(rows) > CUSTOMER_SECTION_LIMIT,
            "texts_hidden": texts_hidden}
