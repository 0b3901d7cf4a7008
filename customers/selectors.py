from django.db import connection
from django.db.models import Exists, OuterRef, Q

from .models import Customer, CustomerImport, Follow

SORTS = {
    "name": ["name", "id"],
    "recent": ["-last_activity_at", "-id"],
}


def with_follow(customers, *, user):
    """`customers`, each knowing whether `user` follows it (`is_followed`), in the same query."""
    return customers.annotate(is_followed=Exists(Follow.objects.filter(user=user, customer=OuterRef("pk"))))


# The customer page's per-request read, written out: compiling it through the ORM took longer than the
# database takes to answer it. Columns in Customer's field order (Customer.from_db), then whether the
# person follows it. Params: user, slug.
PAGE_FIELDS = ("id", "name", "slug", "account_owner_id")
_FOR_PAGE = (
    f"SELECT {', '.join('c.' + field for field in PAGE_FIELDS)},"
    f" EXISTS (SELECT 1 FROM {Follow._meta.db_table} f WHERE f.customer_id = c.id AND f.user_id = %s)"
    f" FROM {Customer._meta.db_table} c WHERE c.slug = %s"
)


def customer_for_page(slug, *, user):
    """The customer page's own look-up, on every request: the customer's id, name, slug and account
    owner (what its permissions look at; other fields load on first use), and whether `user` follows
    it (`is_followed`). One query; None if there is no such customer."""
    with connection.cursor() as cursor:
        cursor.execute(_FOR_PAGE, [user.pk, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    customer = Customer.from_db(connection.alias, PAGE_FIELDS, row[: len(PAGE_FIELDS)])
    customer.is_followed = bool(row[len(PAGE_FIELDS)])
    return customer


def customer_list(*, user, q="", industry="", region="", owner=None, sort="name"):
    """The directory: filtered, sorted, each row knowing whether `user` follows it."""
    customers = with_follow(Customer.objects.select_related("account_owner"), user=user)
    if q:
        customers = customers.filter(
            Q(name__icontains=q) | Q(industry__icontains=q) | Q(region__icontains=q) | Q(what_they_do__icontains=q)
        )
    if industry:
        customers = customers.filter(industry=industry)
    if region:
        customers = customers.filter(region=region)
    if owner is not None:
        customers = customers.filter(account_owner=owner)
    return customers.order_by(*SORTS.get(sort, SORTS["name"]))


def filter_choices():
    """Industries, regions and account owners present in the directory (three queries)."""
    from portal.models import User

    industries = list(
        Customer.objects.exclude(industry="").order_by("industry").values_list("industry", flat=True).distinct()
    )
    regions = list(Customer.objects.exclude(region="").order_by("region").values_list("region", flat=True).distinct())
    owners = list(User.objects.filter(owned_customers__isnull=False).distinct().order_by("name"))
    return industries, regions, owners


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
