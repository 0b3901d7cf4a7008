"""Customers from a CRM export (CSV). All or nothing: one bad row and nothing is imported."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from portal.lib.csvimport import NOT_UTF8, ImportReport, RowError, data_rows, decode_upload, dict_reader
from portal.models import User

from .models import Customer
from .services import unique_slug

REQUIRED_COLUMNS = ["external_id", "name"]
OPTIONAL_COLUMNS = [
    "industry", "region", "account_owner_email", "who_they_are", "what_they_do",
    "daily_challenges", "how_we_help", "customer_since", "status",
]
TEXT_LIMITS = {"external_id": 64, "name": 200, "industry": 100, "region": 100}


@dataclass
class ImportResult(ImportReport):
    created: int = 0
    updated: int = 0


def _parse_row(line, row, owners, statuses):
    errors, values = [], {}
    for column in REQUIRED_COLUMNS:
        if not (row.get(column) or "").strip():
            errors.append(_("“%(column)s” is empty.") % {"column": column})
    for column, limit in TEXT_LIMITS.items():
        if len((row.get(column) or "").strip()) > limit:
            errors.append(_("“%(column)s” is longer than %(limit)s characters.") % {"column": column, "limit": limit})
    for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        values[column] = (row.get(column) or "").strip()

    owner_email = values.pop("account_owner_email").lower()
    values["account_owner"] = None
    if owner_email:
        values["account_owner"] = owners.get(owner_email)
        if values["account_owner"] is None:
            errors.append(_("no person with the email “%(email)s” (account_owner_email).") % {"email": owner_email})

    since = values.pop("customer_since")
    values["customer_since"] = None
    if since:
        try:
            values["customer_since"] = datetime.date.fromisoformat(since)
        except ValueError:
            errors.append(_("“%(value)s” is not a date like 2021-03-31 (customer_since).") % {"value": since})

    status = values.pop("status").lower().replace(" ", "_").replace("-", "_")
    if status and status not in statuses:
        errors.append(
            _("unknown status “%(value)s”; use one of: %(choices)s.")
            % {"value": status, "choices": ", ".join(statuses)}
        )
    values["status"] = status or Customer.Status.ACTIVE
    return values, [RowError(line, message) for message in errors]


def import_customers(raw: bytes) -> ImportResult:
    """Validate every row, then upsert them all by external_id in one transaction."""
    result = ImportResult()
    text = decode_upload(raw, result)
    if text is None:
        return result
    if "\x00" in text:  # UTF-16 or a binary spreadsheet, not CSV text; PostgreSQL text cannot hold NUL either
        result.errors.append(RowError(text[: text.index("\x00")].count("\n") + 1, str(NOT_UTF8)))
        return result

    reader = dict_reader(text)
    headers = reader.fieldnames
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    unknown = [h for h in headers if h and h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
        parts.append(_("expected: %(columns)s") % {"columns": ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})
        result.errors.append(RowError(1, "; ".join(parts)))
        return result

    owners = {u.email.lower(): u for u in User.objects.filter(is_active=True)}
    statuses = list(Customer.Status.values)
    rows, first_seen = [], {}
    for line, row in data_rows(reader, result):
        values, errors = _parse_row(line, row, owners, statuses)
        external_id = values["external_id"]
        if external_id and external_id in first_seen:
            errors.append(
                RowError(
                    line,
                    _("external_id “%(id)s” is already used on line %(first)s.")
                    % {"id": external_id, "first": first_seen[external_id]},
                )
            )
        first_seen.setdefault(external_id, line)
        result.errors.extend(errors)
        rows.append(values)
    if not rows and not result.errors:
        result.errors.append(RowError(2, _("the file has no customers in it.")))
    if result.errors:
        return result

    with transaction.atomic():
        existing = Customer.objects.select_for_update().in_bulk([r["external_id"] for r in rows], field_name="external_id")
        for values in rows:
            customer = existing.get(values["external_id"])
            if customer is None:
                customer = Customer(slug=unique_slug(values["name"]))
                result.created += 1
            else:
                result.updated += 1
            for name, value in values.items():
                setattr(customer, name, value)
            customer.save()
    return result
