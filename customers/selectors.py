from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from .models import Contact, Customer, CustomerImport, Follow

SORTS = {
    "name": ["name", "id"],
    "recent": ["-last_activity_at", "-id"],
}


def with_follow(customers, *, user):
    """`customers`, each knowing whether `user` follows it (`is_followed`), in the same query."""
    return customers.annotate(is_followed=Exists(Follow.objects.filter(user=user, customer=OuterRef("pk"))))


# What the customer page shows of the customer itself (the rest of the row is never read there).
PAGE_FIELDS = (
    "id", "name", "slug", "industry", "region", "account_owner", "who_they_are", "what_they_do",
    "daily_challenges", "how_we_help_html", "customer_since", "status", "updated_at", "employees", "do_not_name",
)


def customer_for_page(slug, *, user):
    """The customer page's own look-up, on every request, or None: the columns the page shows, its
    account owner's name (`owner_name`), whether `user` follows it (`is_followed`) and the state of its
    contacts (`contact_count` and their latest `contacts_changed_at`: with `updated_at` and the owner's
    name, the keys of the page's kept fragments). One query."""
    contacts = Contact.objects.filter(customer=OuterRef("pk")).order_by().values("customer")
    return (
        with_follow(Customer.objects.filter(slug=slug), user=user)
        .only(*PAGE_FIELDS)
        .annotate(
            owner_name=F("account_owner__name"),
            contact_count=Coalesce(Subquery(contacts.annotate(n=Count("*")).values("n")), 0),
            contacts_changed_at=Subquery(contacts.annotate(at=Max("updated_at")).values("at")),
        )
        .first()
    )


BRIEF_CONTACTS = 4
BRIEF_ATTENDING = 6  # people a meeting's host may pick as attending: the brief still fits one printed page
BRIEF_CONTACT_FIELDS = ("id", "customer_id", "name", "role", "is_key", "family", "occupation", "recreation", "dreams")


def brief_contacts(customer, *, attending=None, limit=BRIEF_CONTACTS):
    """The people the listener brief shows, and whether they are the ones who attend: `(True, contacts)`
    when `attending` (a subquery of contact ids: who attends the meeting from the customer) names any of
    the customer's contacts, else `(False, contacts)`: the customer's key contacts first, then the
    others, at most `limit` (the brief fits one printed page). One query either way: the attending
    sort first, so one LIMIT serves both."""
    contacts = customer.contacts.only(*BRIEF_CONTACT_FIELDS)
    if attending is None:
        return False, list(contacts.order_by("-is_key", "name", "id")[:limit])
    rows = list(
        contacts.annotate(attending=Case(When(pk__in=attending, then=Value(True)), default=Value(False)))
        .order_by("-attending", "-is_key", "name", "id")[: max(limit, BRIEF_ATTENDING)]
    )
    chosen = [contact for contact in rows if contact.attending]
    return (True, chosen) if chosen else (False, rows[:limit])


def customer_list(*, user, q="", industry="", region="", owner=None, sort="name"):
    """The directory: filtered, sorted, each row knowing whether `user` follows it."""
    customers = with_follow(Customer.objects.select_related("account_owner"), user=user)
    if q:
        customers = customers.filter(
            Q(name__icontains=q) | Q(industry__icontains=q) | Q(region__icontains=q)
            | Q(who_they_are__icontains=q) | Q(what_they_do__icontains=q) | Q(daily_challenges__icontains=q)
            | Q(how_we_help__icontains=q)
        )
    if industry:
        customers = customers.filter(industry=industry)
    if region:
        customers = customers.filter(region=region)
    if owner is not None:
        customers = customers.filter(account_owner=owner)
    return customers.order_by(*SORTS.get(sort, SORTS["name"]))


def filter_choices():
    """Industries and regions present in the directory (two queries). Owners are picked by search."""
    industries = list(
        Customer.objects.exclude(industry="").order_by("industry").values_list("industry", flat=True).distinct()
    )
    regions = list(Customer.objects.exclude(region="").order_by("region").values_list("region", flat=True).distinct())
    return industries, regions


def followed_customers(*, user, limit=12):
    return list(
        Customer.objects.filter(follows__user=user).select_related("account_owner").order_by("-last_activity_at")[:limit]
    )


def customer_search(q, *, limit=10):
    """Autocomplete for forms in other apps."""
    if not q:
        return Customer.objects.none()
    return Customer.objects.filter(name__icontains=q).exclude(status=Customer.Status.FORMER).order_by("name")[:limit]


def customer_imports():
    """Uploads with who sent them, without the file itself."""
    return CustomerImport.objects.select_related("uploaded_by").defer("content")
