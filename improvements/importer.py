"""Complaint records from the support desk (CSV). All or nothing, like the customers' import
(portal.lib.csvimport, portal.lib.imports): every row is checked in memory (the customers are fetched
once), then a valid file is written with bulk_create in one transaction. Records are added, never
matched: importing the same file twice adds them twice, so the upload page says how many were added."""

import decimal
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import Customer
from portal.lib.bulk import BATCH_SIZE
from portal.lib.csvimport import ImportReport, RowError, data_rows, open_csv, parse_date

from .models import Complaint

REQUIRED_COLUMNS = ["date", "customer_external_id", "category", "text"]
OPTIONAL_COLUMNS = ["cost"]
CATEGORY_LIMIT, TEXT_LIMIT = 100, 5000
MAX_COST = decimal.Decimal("9999999999.99")  # what the column holds (12 digits, 2 decimals)
PROGRESS_EVERY = 1000
AMOUNT = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]{1,2})?$")  # 120, 120.5, 1,200.50


def _no_progress(rows_checked, problems_found):
    pass


@dataclass
class ImportResult(ImportReport):
    created: int = 0


def normalise_category(value):
    """Categories are grouped as written, without stray spaces: " Late  delivery" is "Late delivery"."""
    return " ".join(value.split())


def _parse_row(line, row, customers):
    errors, values = [], {}
    cells = {column: (row.get(column) or "").strip() for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    for column in REQUIRED_COLUMNS:
        if not cells[column]:
            errors.append(_("“%(column)s” is empty.") % {"column": column})

    if cells["date"]:
        values["date"], error = parse_date(cells["date"], "date")
        if error:
            errors.append(error)

    external_id = cells["customer_external_id"]
    if external_id:
        values["customer_id"] = customers.get(external_id)
        if values["customer_id"] is None:
            errors.append(_("no customer with the external id “%(id)s” (customer_external_id).") % {"id": external_id})

    values["category"] = normalise_category(cells["category"])
    if len(values["category"]) > CATEGORY_LIMIT:
        errors.append(_("“%(column)s” is longer than %(limit)s characters.") % {"column": "category", "limit": CATEGORY_LIMIT})
    values["text"] = cells["text"]
    if len(values["text"]) > TEXT_LIMIT:
        errors.append(_("“%(column)s” is longer than %(limit)s characters.") % {"column": "text", "limit": TEXT_LIMIT})

    values["cost"] = None
    cost = cells["cost"]
    if cost:
        try:
            if not AMOUNT.match(cost):  # "120,50" is not read as 12050
                raise decimal.InvalidOperation
            values["cost"] = decimal.Decimal(cost.replace(",", ""))
            if not values["cost"].is_finite() or not 0 <= values["cost"] <= MAX_COST:
                raise decimal.InvalidOperation
            values["cost"] = values["cost"].quantize(decimal.Decimal("0.01"))
        except decimal.InvalidOperation:
            values["cost"] = None
            errors.append(_("“%(value)s” is not an amount like 120.50 (cost).") % {"value": cells["cost"]})
    return values, [RowError(line, message) for message in errors]


def import_complaints(raw: bytes, *, progress=_no_progress, saving=_no_progress, upload_id=None) -> ImportResult:
    """Validate every row, then add them all in one transaction; `progress`/`saving` as in the
    customers' import."""
    result = ImportResult()
    reader = open_csv(raw, result, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    if reader is None:
        return result
    customers = dict(Customer.objects.exclude(external_id=None).values_list("external_id", "pk"))
    rows = []
    for line, row in data_rows(reader, result):
        if rows and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows), len(result.errors))
        values, errors = _parse_row(line, row, customers)
        result.errors.extend(errors)
        rows.append(values)
    progress(len(rows), len(result.errors))
    if not rows and not result.errors:
        result.errors.append(RowError(2, _("the file has no complaints in it.")))
    if result.errors:
        return result
    saving(len(rows), 0)
    with transaction.atomic():
        Complaint.objects.bulk_create([Complaint(upload_id=upload_id, **values) for values in rows], batch_size=BATCH_SIZE)
    result.created = len(rows)
    return result
