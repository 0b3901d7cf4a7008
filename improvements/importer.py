"""Complaint records from the support desk (CSV). All or nothing, like the customers' import
(portal.lib.csvimport, portal.lib.imports): every row is checked in memory (the customers are fetched
once), then a valid file is written with bulk_create in one transaction. A row already stored is not
stored again (the rule is on models.Complaint: by reference when the row has one, else by content), so
importing a file twice, or an export overlapping an earlier one, adds only the new rows; the upload page
says how many were added and how many were already there."""

import decimal
import re
from collections import defaultdict, deque
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import Customer
from portal.lib.bulk import BATCH_SIZE, update_rows
from portal.lib.csvimport import ImportReport, RowError, data_rows, isolated, open_csv, parse_date

from .models import Complaint, complaint_fingerprint

REQUIRED_COLUMNS = ["date", "customer_external_id", "category", "text"]
OPTIONAL_COLUMNS = ["cost", "reference"]
CATEGORY_LIMIT, TEXT_LIMIT, REFERENCE_LIMIT = 100, 5000, 100
MAX_COST = decimal.Decimal("9999999999.99")  # what the column holds (12 digits, 2 decimals)
PROGRESS_EVERY = 1000
AMOUNT = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]{1,2})?$")  # 120, 120.5, 1,200.50


def _no_progress(rows_checked, problems_found):
    pass


@dataclass
class ImportResult(ImportReport):
    created: int = 0
    skipped: int = 0  # rows already stored (or a reference repeated in the file): not added again


def normalise_category(value):
    """Categories are grouped as written, without stray spaces: " Late  delivery" is "Late delivery"."""
    return " ".join(value.split())


def _parse_row(line, row, customers):
    errors, values = [], {}
    cells = {column: (row.get(column) or "").strip() for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    for column in REQUIRED_COLUMNS:
        if not cells[column]:
            errors.append(_("“%(column)s” is empty.") % isolated({"column": column}))

    if cells["date"]:
        values["date"], error = parse_date(cells["date"], "date")
        if error:
            errors.append(error)

    external_id = cells["customer_external_id"]
    if external_id:
        values["customer_id"] = customers.get(external_id)
        if values["customer_id"] is None:
            errors.append(_("no customer with the external id “%(id)s” (customer_external_id).") % isolated({"id": external_id}))

    values["category"] = normalise_category(cells["category"])
    if len(values["category"]) > CATEGORY_LIMIT:
        errors.append(_("“%(column)s” is longer than %(limit)s characters.") % isolated({"column": "category", "limit": CATEGORY_LIMIT}))
    values["text"] = cells["text"]
    if len(values["text"]) > TEXT_LIMIT:
        errors.append(_("“%(column)s” is longer than %(limit)s characters.") % isolated({"column": "text", "limit": TEXT_LIMIT}))

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
            errors.append(_("“%(value)s” is not an amount like 120.50 (cost).") % isolated({"value": cells["cost"]}))

    values["reference"] = cells["reference"]
    if len(values["reference"]) > REFERENCE_LIMIT:
        errors.append(
            _("“%(column)s” is longer than %(limit)s characters.") % isolated({"column": "reference", "limit": REFERENCE_LIMIT})
        )
    if not errors:
        values["fingerprint"] = complaint_fingerprint(
            date=values["date"], category=values["category"], text=values["text"], cost=values["cost"]
        )
    return values, [RowError(line, message) for message in errors]


def _chunks(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored(rows, customer_ids):
    """What the database holds already for the file's rows: the (customer, reference) pairs it has, and
    per (customer, fingerprint) the ids of the stored complaints with that content (without a reference
    first) and their highest occurrence."""
    pairs = sorted({(values["customer_id"], values["reference"]) for values in rows if values["reference"]})
    by_reference = {}
    for chunk in _chunks(pairs):
        wanted = set(chunk)
        found = Complaint.objects.filter(
            customer_id__in={c for c, _r in chunk}, reference__in={r for _c, r in chunk}
        ).values_list("customer_id", "reference", "id")
        by_reference.update({(c, r): pk for c, r, pk in found if (c, r) in wanted})
    unreferenced, referenced, top = defaultdict(deque), defaultdict(deque), {}
    first, last = min(values["date"] for values in rows), max(values["date"] for values in rows)
    for chunk in _chunks(customer_ids):
        found = (
            Complaint.objects.filter(customer_id__in=chunk, date__gte=first, date__lte=last, fingerprint__isnull=False)
            .order_by("occurrence")
            .values_list("customer_id", "fingerprint", "occurrence", "reference", "id")
        )
        for customer_id, fingerprint, occurrence, reference, pk in found:
            key = (customer_id, fingerprint)
            (referenced if reference else unreferenced)[key].append(pk)
            top[key] = max(top.get(key, 0), occurrence)
    return by_reference, unreferenced, referenced, top


def _take(queue, matched):
    """The first stored complaint in `queue` that answers for no other row of the file yet, or None."""
    while queue:
        pk = queue.popleft()
        if pk not in matched:
            matched.add(pk)
            return pk
    return None


def _save(rows, result, upload_id):
    """Add the rows that are not stored yet, in one transaction. Each stored complaint answers for at
    most one row of the file: a row with a reference matches the customer's complaint with that
    reference, or else one with the same content imported without a reference (which takes it); a row
    without one matches a stored complaint with the same content."""
    with transaction.atomic():
        customer_ids = sorted({values["customer_id"] for values in rows})
        # Lock before counting: an import of the same customers' complaints at the same time waits here.
        for chunk in _chunks(customer_ids):
            list(Customer.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
        by_reference, unreferenced, referenced, top = _stored(rows, customer_ids)
        matched = set(by_reference.values())  # these answer for the rows with their reference
        claimed, new = [], []
        for values in sorted(rows, key=lambda values: not values["reference"]):  # rows with a reference first
            key = (values["customer_id"], values["fingerprint"])
            if values["reference"]:
                if (values["customer_id"], values["reference"]) in by_reference:
                    continue
                pk = _take(unreferenced[key], matched)
                if pk:
                    claimed.append(Complaint(pk=pk, reference=values["reference"]))
                    continue
            elif _take(unreferenced[key], matched) or _take(referenced[key], matched):
                continue
            top[key] = top.get(key, 0) + 1
            new.append(Complaint(upload_id=upload_id, occurrence=top[key], **values))
        update_rows(Complaint, claimed, ["reference"])
        Complaint.objects.bulk_create(new, batch_size=BATCH_SIZE)
    result.created = len(new)
    result.skipped += len(rows) - len(new)


def import_complaints(raw: bytes, *, progress=_no_progress, saving=_no_progress, upload_id=None) -> ImportResult:
    """Validate every row, then add them all in one transaction; `progress`/`saving` as in the
    customers' import."""
    result = ImportResult()
    reader = open_csv(raw, result, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    if reader is None:
        return result
    customers = dict(Customer.objects.exclude(external_id=None).values_list("external_id", "pk"))
    rows, first_seen = [], {}
    for line, row in data_rows(reader, result, progress=progress, every=PROGRESS_EVERY):
        values, errors = _parse_row(line, row, customers)
        if not errors and values["reference"]:  # one ticket is one complaint, however often the file lists it
            seen = first_seen.setdefault((values["customer_id"], values["reference"]), (line, values["fingerprint"]))
            if seen[0] != line:
                if seen[1] != values["fingerprint"]:
                    message = _("the reference “%(reference)s” is on line %(first)s already, with other details.")
                    errors.append(RowError(line, message % isolated({"reference": values["reference"], "first": seen[0]})))
                else:
                    result.skipped += 1
                    continue
        result.errors.extend(errors)
        rows.append(values)
    progress(result.checked, len(result.errors))
    if not result.checked and not result.errors:
        result.errors.append(RowError(2, _("the file has no complaints in it.")))
    if result.errors:
        result.skipped = 0
        return result
    saving(result.checked, 0)
    _save(rows, result, upload_id)
    return result
