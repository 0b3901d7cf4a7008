"""Writes for insights: recording and importing the monthly customer pulse, publishing it, and
sending the pulse email once to each person."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from digests.models import Kind
from digests.preferences import preferences_of
from digests.tokens import unsubscribe_headers, unsubscribe_url
from portal.lib.bulk import BATCH_SIZE, update_rows
from portal.lib.csvimport import (
    ImportReport,
    RowError,
    column_list,
    data_rows,
    decode_upload,
    dict_reader,
    isolated,
    repeated_columns,
)
from portal.lib.deliveries import send_claimed, still_to_send
from portal.lib.emails import build_email, message_id
from portal.lib.tasks import run_after_commit
from portal.models import User

from .models import PULSE_FIELDS, PulseDelivery, PulseFigure, PulseIssue
from .periods import parse_month
from .selectors import can_record_pulse, pulse_rows, pulse_totals

MAX_FIGURE = 1_000_000


def _check(by):
    if not can_record_pulse(by):
        raise PermissionDenied(_("Only admins and Customer Success hosts record the customer pulse."))


@transaction.atomic
def pulse_record(*, by, month, customer=None, figures):
    """Record (or correct) one month's figures, for one customer or for none."""
    _check(by)
    row, _created = PulseFigure.objects.update_or_create(
        month=month.replace(day=1), customer=customer,
        defaults={**{name: int(figures.get(name) or 0) for name in PULSE_FIELDS},
                  "recorded_by": by, "updated_at": timezone.now()},
    )
    return row


# -- CSV import ---------------------------------------------------------------------------------

COLUMNS = ["month", "customer", *PULSE_FIELDS]


@dataclass
class ImportResult(ImportReport):
    saved: int = 0


def _parse_row(line, row, customers, seen):
    errors, values = [], {}
    month = parse_month(row.get("month"))
    if month is None:
        errors.append(_("“%(value)s” is not a month like 2026-10 (month).") % isolated({"value": (row.get("month") or "").strip()}))
    key = (row.get("customer") or "").strip()
    values["customer"] = None
    if key:
        values["customer"] = customers.get(key.lower())
        if values["customer"] is None:
            errors.append(_("no customer with the CRM id or slug “%(value)s” (customer).") % isolated({"value": key}))
    for name in PULSE_FIELDS:
        raw = (row.get(name) or "").strip() or "0"
        if not raw.isdecimal() or int(raw) > MAX_FIGURE:  # isdigit() passes "²", which int() refuses
            errors.append(_("“%(value)s” is not a whole number from 0 to %(max)s (%(column)s).")
                          % isolated({"value": raw, "max": MAX_FIGURE, "column": name}))
        else:
            values[name] = int(raw)
    if month is not None and not errors:
        pair = (month, values["customer"].pk if values["customer"] else None)
        if pair in seen:
            errors.append(_("the same month and customer are already on line %(first)s.") % isolated({"first": seen[pair]}))
        seen.setdefault(pair, line)
    values["month"] = month
    return values, [RowError(line, message) for message in errors]


def pulse_import(*, by, raw):
    """All or nothing: every row valid, then all saved in one transaction; otherwise each bad row is
    listed with its line number and nothing changes."""
    _check(by)
    result = ImportResult()
    text = decode_upload(raw, result)
    if text is None:
        return result
    reader = dict_reader(text)
    headers = reader.fieldnames
    missing = [c for c in ("month",) if c not in headers]
    unknown = [h for h in headers if h and h not in COLUMNS]
    if missing or unknown or repeated_columns(headers) or not headers:
        result.errors.append(RowError(1, _("the columns must be: %(columns)s.") % {"columns": column_list(COLUMNS)}))
        return result
    customers = {}  # each customer under its id, slug and CRM id, in one query
    for customer in Customer.objects.all():
        customers[customer.slug.lower()] = customers[str(customer.pk)] = customer
        if customer.external_id:
            customers[customer.external_id.lower()] = customer
    rows, seen = [], {}
    for line, row in data_rows(reader, result):
        values, errors = _parse_row(line, row, customers, seen)
        result.errors.extend(errors)
        rows.append(values)
    if not rows and not result.errors:
        result.errors.append(RowError(2, _("the file has no figures in it.")))
    if result.errors:
        return result
    with transaction.atomic():
        result.saved = _save_figures(by, rows)
    return result


def _save_figures(by, rows):
    """What pulse_record() does for each row, in bulk: the rows already recorded for the file's months in
    one query, then new ones inserted and the others updated in batches."""
    now = timezone.now()
    existing = {
        (figure.month, figure.customer_id): figure
        for figure in PulseFigure.objects.select_for_update().filter(month__in={values["month"] for values in rows}).order_by()
    }
    new, changed = [], []
    for values in rows:
        customer = values["customer"]
        figure = existing.get((values["month"], customer.pk if customer else None))
        if figure is None:
            figure = PulseFigure(month=values["month"], customer=customer)
            new.append(figure)
        else:
            changed.append(figure)
        for name in PULSE_FIELDS:
            setattr(figure, name, values[name])
        figure.recorded_by, figure.updated_at = by, now
    PulseFigure.objects.bulk_create(new, batch_size=BATCH_SIZE)
    update_rows(PulseFigure, changed, [*PULSE_FIELDS, "recorded_by", "updated_at"])
    return len(rows)


# -- publishing and sending ---------------------------------------------------------------------


@transaction.atomic
def pulse_publish(*, by, month):
    """Publish a month's pulse: everyone gets it by email, once. Publishing again changes nothing."""
    from .tasks import send_pulse_task

    _check(by)
    if not PulseFigure.objects.filter(month=month).exists():
        raise PermissionDenied(_("Record figures for this month before publishing it."))
    issue, created = PulseIssue.objects.get_or_create(month=month, defaults={"published_by": by})
    if created:
        run_after_commit(send_pulse_task, issue.pk)
    return issue, created


def pulse_plan(issue):
    """Create a pending delivery for every active person with an email; return the ids still to send."""
    users = User.objects.filter(is_active=True).exclude(email="").values_list("pk", flat=True)
    PulseDelivery.objects.bulk_create(
        [PulseDelivery(issue=issue, user_id=uid) for uid in users], ignore_conflicts=True, batch_size=500
    )
    return list(still_to_send(PulseDelivery.objects.filter(issue=issue)).order_by("user_id").values_list("pk", flat=True))


def pulse_context(issue):
    """What the email shows: the month, the month before, and the customers named. Three queries."""
    from .periods import add_months

    current, previous = pulse_totals([issue.month, add_months(issue.month, -1)])
    figures = [{"key": name, "label": PulseFigure._meta.get_field(name).verbose_name,
                "value": current[name], "previous": previous[name]} for name in PULSE_FIELDS]
    named = [row for row in pulse_rows(issue.month) if row.customer_id]
    return {"issue": issue, "figures": figures, "named": named[:10],
            "pulse_url": settings.SITE_URL + reverse("insights:pulse") + f"?month={issue.month:%Y-%m}"}


def pulse_send_batch(issue_id, delivery_ids, *, final_attempt=True):
    """Send the pulse to each claimed delivery. Running it twice sends each person one email."""
    issue = PulseIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        return 0
    context = pulse_context(issue)
    deliveries = PulseDelivery.objects.filter(pk__in=list(delivery_ids), issue=issue).select_related("user")

    def compose(delivery):
        user = delivery.user
        prefs = preferences_of(user)
        if not prefs.wants(Kind.PULSE):
            return None
        link = unsubscribe_url(user, Kind.PULSE, prefs.version)
        return build_email("insights-pulse", to=user, context={**context, "unsubscribe_url": link},
                           headers=unsubscribe_headers(link) | {"Message-ID": message_id(f"pulse-{delivery.pk}")})

    return send_claimed(deliveries, compose, final_attempt=final_attempt)
