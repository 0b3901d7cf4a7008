from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.lib import imports
from portal.lib.conflicts import check_unchanged
from portal.permissions import require

from .models import Contact, ContactAudit, Customer, CustomerImport, Follow


def unique_slug(name, *, exclude_pk=None, taken=None):
    """The customer's slug from their name, "-2", "-3"… added while it is taken: in the database, or in
    `taken` (a set of slugs already known, which the new one joins: the CSV import checks in memory)."""
    base = slugify(name, allow_unicode=True)[:200] or "customer"
    if taken is None:
        existing = Customer.objects.exclude(pk=exclude_pk)
        is_taken = lambda slug: existing.filter(slug=slug).exists()  # noqa: E731
    else:
        is_taken = taken.__contains__
    slug, n = base, 2
    while is_taken(slug):
        slug, n = f"{base}-{n}", n + 1
    if taken is not None:
        taken.add(slug)
    return slug


def customer_create(*, by=None, name, **fields):
    customer = Customer(name=name, slug=fields.pop("slug", None) or unique_slug(name), **fields)
    customer.full_clean()
    customer.save()
    return customer


def customer_touch(*, customer_id, at=None):
    """Record activity (a story, decision or meeting) so the directory can sort by it."""
    # update() leaves updated_at alone: the customer's kept fragments, which do not show its activity,
    # stay valid; the home page's followed customers read it on every request.
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


FORD_FIELDS = list(Contact.EDITED_FIELDS)


ERASED_NAME = "Erased contact"


@transaction.atomic
def contact_save(*, by, customer, contact=None, data, seen=""):
    """Create or update a contact. Only the account owner and admins may; every change is audited.
    `seen`: the fingerprint of the contact the form was drawn from; when someone saved it since, nothing
    is saved (portal.lib.conflicts)."""
    require(by, "contact.edit", customer)
    created = contact is None
    if created:
        contact = Contact(customer=customer)
    else:
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        check_unchanged(contact, Contact.EDITED_FIELDS, seen, _(
            "Someone else saved changes to this contact while you were editing it. Your version is below, not"
            " saved: open the contact in another tab to compare, then save again to keep yours."))
    changed = [f for f in FORD_FIELDS if f in data and getattr(contact, f) != data[f]]
    for field in changed:
        setattr(contact, field, data[field])
    if not created and not changed:
        return contact
    contact.updated_by = by
    contact.full_clean()
    contact.save()
    ContactAudit.objects.create(
        contact=contact, customer=customer, contact_name=contact.name, actor=by,
        action=ContactAudit.Action.CREATED if created else ContactAudit.Action.CHANGED, fields=changed,
    )
    return contact


@transaction.atomic
def contact_delete(*, by, contact):
    require(by, "contact.edit", contact.customer)
    ContactAudit.objects.create(
        contact=contact, customer=contact.customer, contact_name=contact.name, actor=by, action=ContactAudit.Action.DELETED
    )
    contact.delete()


def contacts_viewed(*, by, customer, contacts):
    """Record that `by` saw these contacts' FORD notes (one query whatever the number)."""
    ContactAudit.objects.bulk_create(
        ContactAudit(contact=c, customer=customer, contact_name=c.name, actor=by, action=ContactAudit.Action.VIEWED)
        for c in contacts
        if c.has_ford_notes()
    )


def contacts_viewed_across(*, by, contacts):
    """contacts_viewed for contacts of several customers (the contact rhythm's suggestions). One query."""
    ContactAudit.objects.bulk_create(
        ContactAudit(contact=c, customer_id=c.customer_id, contact_name=c.name, actor=by, action=ContactAudit.Action.VIEWED)
        for c in contacts
        if c.has_ford_notes()
    )


# The customer page: a "viewed" row for each of the customer's contacts with FORD notes, straight from
# the contacts table (the page shows them from a shared fragment). One statement, so atomic without a
# transaction of its own, and no contact can vanish between reading and recording it. Params: actor,
# now, customer.
_NOTES_VIEWED = (
    f"INSERT INTO {ContactAudit._meta.db_table} (contact_id, customer_id, contact_name, actor_id, action, fields, at)"
    f" SELECT c.id, c.customer_id, c.name, %s, '{ContactAudit.Action.VIEWED.value}', '[]', %s"
    f" FROM {Contact._meta.db_table} c WHERE c.customer_id = %s"
    " AND (c.family <> '' OR c.occupation <> '' OR c.recreation <> '' OR c.dreams <> '')"  # Contact.has_ford_notes
)


def customer_notes_viewed(*, by, customer):
    """Record that `by` saw the FORD notes of all `customer`'s contacts (its page shows them all). One query."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_NOTES_VIEWED, [by.pk, now, customer.pk])


@transaction.atomic
def contact_erase(*, by, contact):
    """Erase a person from Lifeline: their notes go, and the audit log keeps only that it happened."""
    require(by, "contact.erase", contact)
    contact.name, contact.role = ERASED_NAME, ""
    contact.family = contact.occupation = contact.recreation = contact.dreams = ""
    contact.is_key = False
    contact.updated_by = by
    contact.save()
    contact.audit_entries.update(contact_name=ERASED_NAME, fields=[])
    ContactAudit.objects.create(
        contact=contact, customer=contact.customer, contact_name=ERASED_NAME, actor=by, action=ContactAudit.Action.ERASED
    )


# -- CSV import ---------------------------------------------------------------------------------


def customer_import_start(*, by, file_name, content):
    """Keep the upload and queue its import; the upload's page follows it from there."""
    require(by, "customer.import")
    from .tasks import customer_import_task

    return imports.import_start(CustomerImport, by=by, file_name=file_name, content=content, task=customer_import_task)


def customer_import_run(*, upload_id):
    """Check and save a queued upload (all or nothing), recording the counts as it goes; a task
    delivered twice imports once (portal.lib.imports)."""
    from .importer import import_customers

    return imports.import_run(
        CustomerImport, upload_id=upload_id, importer=import_customers,
        counts=lambda result: {"created": result.created, "updated": result.updated},
    )


def customer_imports_resume():
    """Queue again the uploads whose worker was lost mid-import; returns how many were queued."""
    from .tasks import customer_import_task

    return imports.imports_resume(CustomerImport, task=customer_import_task)
