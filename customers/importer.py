"""Customers from a CRM export (CSV). All or nothing: one bad row and nothing is imported.

Every row is checked in memory first (the people and existing customers are fetched once, not per
row); a valid file is then written with bulk_create / bulk_update in batches, in one transaction, so
20,000 rows take seconds rather than a query or three each."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.lib.bulk import BATCH_SIZE, update_rows
from portal.lib.csvimport import (
    ImportReport,
    RowError,
    column_list,
    data_rows,
    isolate,
    isolated,
    open_csv,
    parse_date,
)
from portal.lib.markdown import render_markdown
from portal.models import User

from .models import Customer
from .services import unique_slug
from .signals import customers_renamed

REQUIRED_COLUMNS = ["external_id", "name"]
OPTIONAL_COLUMNS = [
    "industry", "region", "account_owner_email", "who_they_are", "what_they_do",
    "daily_challenges", "how_we_help", "customer_since", "status", "employees", "do_not_name",
]
TEXT_LIMITS = {"external_id": 64, "name": 200, "industry": 100, "region": 100}
SAVED_FIELDS = [
    "name", "industry", "region", "account_owner", "who_they_are", "what_they_do", "daily_challenges",
    "how_we_help", "customer_since", "status", "employees",
]
# The column each saved field comes from, where the names differ. An update writes only the fields whose
# column the file has, so an export of names alone never blanks the rest of what is known about a
# customer; "do not name us" in particular is never cleared by a file without the column.
SOURCE_COLUMNS = {"account_owner": "account_owner_email"}
# do_not_name: an empty cell means no.
YES, NO = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0", ""}
MAX_EMPLOYEES = 10_000_000
PROGRESS_EVERY = 1000  # rows between two progress reports


def _no_progress(rows_checked, problems_found):
    pass


@dataclass
class ImportResult(ImportReport):
    created: int = 0
    updated: int = 0


def _parse_row(line, row, owners, statuses, columns=()):
    errors, values = [], {}
    for column in REQUIRED_COLUMNS:
        if not (row.get(column) or "").strip():
            errors.append(_("“%(column)s” is empty.") % isolated({"column": column}))
    for column, limit in TEXT_LIMITS.items():
        if len((row.get(column) or "").strip()) > limit:
            errors.append(_("“%(column)s” is longer than %(limit)s characters.") % isolated({"column": column, "limit": limit}))
    for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        values[column] = (row.get(column) or "").strip()

    employees = values.pop("employees").replace(",", "").replace(" ", "")
    values["employees"] = None
    if employees:
        if employees.isdigit() and 0 < int(employees) <= MAX_EMPLOYEES:
            values["employees"] = int(employees)
        else:
            errors.append(_("“%(value)s” is not a number of people like 40 (employees).") % isolated({"value": employees}))

    do_not_name = values.pop("do_not_name").lower()
    if "do_not_name" in columns:
        if do_not_name in YES | NO:
            values["do_not_name"] = do_not_name in YES
        else:
            errors.append(_("“%(value)s” is not yes or no (do_not_name).") % isolated({"value": do_not_name}))

    owner_email = values.pop("account_owner_email").lower()
    values["account_owner"] = None
    if owner_email:
        values["account_owner"] = owners.get(owner_email)
        if values["account_owner"] is None:
            errors.append(_("no person with the email “%(email)s” (account_owner_email).") % isolated({"email": owner_email}))

    since = values.pop("customer_since")
    values["customer_since"] = None
    if since:
        values["customer_since"], error = parse_date(since, "customer_since", history=True)
        if error:
            errors.append(error)

    status = values.pop("status").lower().replace(" ", "_").replace("-", "_")
    if status and status not in statuses:
        errors.append(
            _("unknown status “%(value)s”; use one of: %(choices)s.")
            % {"value": isolate(status), "choices": column_list(statuses)}
        )
    values["status"] = status  # empty: active for a new customer; an existing one keeps its status
    return values, [RowError(line, message) for message in errors]


def import_customers(raw: bytes, *, progress=_no_progress, saving=_no_progress) -> ImportResult:
    """Validate every row, then upsert them all by external_id in one transaction. `progress(rows
    checked, problems found)` is called every PROGRESS_EVERY rows and once at the end of the check;
    `saving(...)` with the same figures when a valid file starts to be written."""
    result = ImportResult()
    reader = open_csv(raw, result, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    if reader is None:
        return result
    headers = reader.fieldnames
    owners = {u.email.lower(): u for u in User.objects.filter(is_active=True)}
    statuses = list(Customer.Status.values)
    rows, first_seen = [], {}
    for line, row in data_rows(reader, result, progress=progress, every=PROGRESS_EVERY):
        values, errors = _parse_row(line, row, owners, statuses, headers)
        external_id = values["external_id"]
        if external_id and external_id in first_seen:
            errors.append(
                RowError(
                    line,
                    _("external_id “%(id)s” is already used on line %(first)s.")
                    % isolated({"id": external_id, "first": first_seen[external_id]}),
                )
            )
        first_seen.setdefault(external_id, line)
        result.errors.extend(errors)
        rows.append(values)
    progress(result.checked, len(result.errors))
    if not rows and not result.errors:
        result.errors.append(RowError(2, _("the file has no customers in it.")))
    if result.errors:
        return result
    saving(result.checked, 0)
    _save(rows, result, [name for name in [*SAVED_FIELDS, "do_not_name"]
                         if SOURCE_COLUMNS.get(name, name) in headers])
    return result


def _save(rows, result, saved_fields):
    now = timezone.now()
    with transaction.atomic():
        existing = Customer.objects.select_for_update().in_bulk(
            [values["external_id"] for values in rows], field_name="external_id"
        )
        # Every slug in one query (a slug column is small even for 100,000 customers), then unique_slug()
        # checks in memory rather than with a query per new customer.
        taken = set(Customer.objects.values_list("slug", flat=True)) if len(existing) < len(rows) else set()
        new, changed, renamed = [], [], []
        for values in rows:
            customer = existing.get(values["external_id"])
            if customer is None:
                values["status"] = values["status"] or Customer.Status.ACTIVE
                customer = Customer(slug=unique_slug(values["name"], taken=taken), **values)
                customer.how_we_help_html = render_markdown(customer.how_we_help)
                new.append(customer)
                continue
            result.updated += 1
            values["status"] = values["status"] or customer.status
            if not _differs(customer, values, saved_fields):
                continue
            if customer.name != values["name"]:
                renamed.append(customer)
            if "how_we_help" in saved_fields and customer.how_we_help != values["how_we_help"]:
                customer.how_we_help_html = render_markdown(values["how_we_help"])
            for name in saved_fields:
                setattr(customer, name, values[name])
            customer.updated_at = now
            changed.append(customer)
        Customer.objects.bulk_create(new, batch_size=BATCH_SIZE)
        update_rows(Customer, changed, [*saved_fields, "how_we_help_html", "updated_at"])
        result.created = len(new)
        # Every changed row carries a new updated_at, so the pages' fragments keyed by it are drawn afresh;
        # bulk writes send no post_save, so what keeps a customer's name elsewhere hears of renames here.
        if renamed:
            customers_renamed.send(sender=Customer, customer_ids=[customer.pk for customer in renamed])


def _differs(customer, values, saved_fields):
    for name in saved_fields:
        current = customer.account_owner_id if name == "account_owner" else getattr(customer, name)
        wanted = values[name].pk if name == "account_owner" and values[name] else values[name]
        if current != wanted:
            return True
    return False
