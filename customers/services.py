from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Contact, Customer, Follow


def unique_slug(name, *, exclude_pk=None):
    base = slugify(name, allow_unicode=True)[:200] or "customer"
    slug, n = base, 2
    existing = Customer.objects.exclude(pk=exclude_pk)
    while existing.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def customer_create(*, by=None, name, **fields):
    customer = Customer(name=name, slug=fields.pop("slug", None) or unique_slug(name), **fields)
    customer.full_clean()
    customer.save()
    return customer


def customer_touch(*, customer_id, at=None):
    """Record activity (a story, decision or meeting) so the directory can sort by it."""
    Customer.objects.filter(pk=customer_id).update(last_activity_at=at or timezone.now())


def follow_toggle(*, by, customer):
    """Follow the customer, or stop following. Returns whether `by` now follows it."""
    deleted, _ = Follow.objects.filter(user=by, customer=customer).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Follow.objects.create(user=by, customer=customer)
    except IntegrityError:  # a double click raced us: the follow exists, which is what was asked.
        pass
    return True


def follow_set(*, by, customer, follow=True):
    if follow:
        Follow.objects.get_or_create(user=by, customer=customer)
    else:
        Follow.objects.filter(user=by, customer=customer).delete()


FORD_FIELDS = ["name", "role", "is_key", "family", "occupation", "recreation", "dreams"]


def contact_save(*, by, customer, contact=None, data):
    """Create or update a contact. Only the account owner and admins may."""
    if not customer.can_edit_contacts(by):
        raise PermissionDenied
    contact = contact or Contact(customer=customer)
    for field in FORD_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    contact.updated_by = by
    contact.full_clean()
    contact.save()
    return contact


def contact_delete(*, by, contact):
    if not contact.customer.can_edit_contacts(by):
        raise PermissionDenied
    contact.delete()
