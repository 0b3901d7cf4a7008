"""Demo customer pulse: six months of figures, company-wide and for a few named customers.
Recorded through the service as the Customer Success host; safe to run again (it corrects, never duplicates)."""

from .periods import add_months, last_months
from .services import pulse_record

# months ago: (products returned, customers credited, legal threats, customers saved from leaving)
COMPANY = {5: (41, 12, 2, 3), 4: (37, 10, 1, 4), 3: (44, 15, 3, 2), 2: (35, 9, 1, 5), 1: (29, 8, 0, 6), 0: (12, 3, 0, 2)}
# customer slug: {months ago: figures}
NAMED = {
    "kens-plumbing-supply": {3: (6, 2, 1, 0), 1: (2, 1, 0, 1)},
    "harbor-lights-bakery": {2: (4, 1, 0, 1)},
}
FIELDS = ["products_returned", "customers_credited", "legal_threats", "customers_saved"]


def seed(*, teams, people, customers, **_ctx):
    by = people["cs_host"]
    this_month = last_months(1)[0]
    for ago, figures in COMPANY.items():
        pulse_record(by=by, month=add_months(this_month, -ago), customer=None, figures=dict(zip(FIELDS, figures)))
    for slug, months in NAMED.items():
        customer = customers.get(slug)
        if customer is None:
            continue
        for ago, figures in months.items():
            pulse_record(by=by, month=add_months(this_month, -ago), customer=customer, figures=dict(zip(FIELDS, figures)))
