"""Demo complaints and improvement ideas, through the importer and the services.

The story: six months of support-desk complaints. "Invoice errors" jumped three months ago; Tom
(Finance) opened an idea from the pattern, piloted "check every invoice against its delivery note"
for two months and recorded the result (invoice complaints fell month by month from 15 to 4), and
Grace adopted it. This month "Late delivery" is rising: Dariush (Supply Chain) has just opened an
idea, and Layla's HR team joined to help. Safe to run again: it does nothing once the ideas exist."""

import csv
import datetime
import io
import random

from django.db import transaction
from django.utils import timezone

from insights.periods import add_months, month_start

from .importer import import_complaints
from .models import Idea
from .services import idea_close, idea_join, idea_open, idea_team_join, pilot_record, pilot_start

TEXTS = {
    "Late delivery": [
        "The pipe fittings promised for Tuesday came on Friday; the crew stood idle two days.",
        "Third late delivery this month. We had to tell our own customers to wait.",
        "Truck arrived after closing time, nobody there to receive it.",
        "Order was on time last quarter, now always a day or two late.",
    ],
    "Invoice errors": [
        "Invoice charged for 40 boxes; we received 32.",
        "Price on the invoice does not match the quote we signed.",
        "Credit note promised last month still not on the statement.",
    ],
    "Damaged goods": [
        "Two cartons crushed on arrival, photos attached.",
        "Packaging torn, three items scratched.",
    ],
    "Hard to reach support": [
        "Waited 25 minutes on the phone before giving up.",
        "Nobody answered our email for four days.",
    ],
    "Wrong item": ["Sent the 15 mm valves instead of the 22 mm ones."],
}
# months ago -> complaints per category
COUNTS = {
    6: {"Late delivery": 3, "Invoice errors": 4, "Damaged goods": 3, "Hard to reach support": 2, "Wrong item": 2},
    5: {"Late delivery": 4, "Invoice errors": 3, "Damaged goods": 2, "Hard to reach support": 3, "Wrong item": 1},
    4: {"Late delivery": 3, "Invoice errors": 5, "Damaged goods": 4, "Hard to reach support": 2, "Wrong item": 2},
    3: {"Late delivery": 4, "Invoice errors": 15, "Damaged goods": 3, "Hard to reach support": 3, "Wrong item": 1},
    2: {"Late delivery": 3, "Invoice errors": 9, "Damaged goods": 2, "Hard to reach support": 2, "Wrong item": 2},
    1: {"Late delivery": 4, "Invoice errors": 4, "Damaged goods": 3, "Hard to reach support": 3, "Wrong item": 1},
    0: {"Late delivery": 14, "Invoice errors": 2, "Damaged goods": 2, "Hard to reach support": 1},
}
AFFECTED = ["kens-plumbing-supply", "cascade-builders", "riverbend-farms", "harbor-lights-bakery", "atlas-machine-works",
            "mekong-fresh-foods", "sunrise-dental", "coral-bay-hotels"]
INVOICE_IDEA = "Check every invoice against its delivery note"
DELIVERY_IDEA = "Confirm delivery slots with the customer the day before"


def _csv(customers, today, rng):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "customer_external_id", "category", "text", "cost"])
    this_month = month_start(today)
    slugs = [slug for slug in AFFECTED if slug in customers and customers[slug].external_id]
    for ago, counts in sorted(COUNTS.items(), reverse=True):
        first = add_months(this_month, -ago)
        last = today if ago == 0 else add_months(first, 1) - datetime.timedelta(days=1)
        for category, count in counts.items():
            for i in range(count):
                # the rising pattern hits a few customers hardest
                slug = slugs[i % 3] if category in ("Late delivery", "Invoice errors") and i % 2 == 0 else rng.choice(slugs)
                day = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
                cost = f"{rng.randrange(40, 900)}.00" if category != "Hard to reach support" else ""
                writer.writerow([day.isoformat(), customers[slug].external_id, category, rng.choice(TEXTS[category]), cost])
    return out.getvalue().encode()


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic  # all of it or nothing, so a second run never finds half a story
def seed(*, teams, people, customers, **_ctx):
    if Idea.objects.filter(title=INVOICE_IDEA).exists():
        return
    rng = random.Random(7)
    today = timezone.localdate()
    import_complaints(_csv(customers, today, rng))
    this_month = month_start(today)

    tom, grace = people["finance_staff2"], people["finance_leader"]
    rose = add_months(this_month, -3)
    idea = idea_open(
        by=tom, title=INVOICE_IDEA, category="Invoice errors",
        problem="Invoice complaints tripled in one month: quantities and prices that do not match what was delivered.",
        proposal="Before an invoice goes out, match it against the signed delivery note; hold it a day if they differ.",
        customers=[customers[s] for s in ("kens-plumbing-supply", "cascade-builders") if s in customers],
        estimated_cost=1500, estimated_benefit=6000, at=_at(rose + datetime.timedelta(days=20)),
    )
    idea_join(by=people["finance_staff"], idea=idea, at=_at(rose + datetime.timedelta(days=21)))
    idea_team_join(by=grace, idea=idea, team=teams["finance"], at=_at(rose + datetime.timedelta(days=22)))
    starts = add_months(this_month, -2)
    ends = this_month - datetime.timedelta(days=1)
    idea = pilot_start(by=tom, idea=idea, owner=tom, starts_on=starts, ends_on=ends,
                       measure="Invoice complaints per month", at=_at(starts))
    idea = pilot_record(by=tom, idea=idea, actual_cost=1200, saving=4800, effect="fewer",
                        result="Two people spent about an hour a day matching invoices. Complaints about invoices fell, "
                        "and credit notes were no longer needed for the customers in the pilot.",
                        at=_at(this_month))
    idea_close(by=grace, idea=idea, to=Idea.Status.ADOPTED, note="Every invoice from now on.", at=_at(this_month, 15))

    dariush = people["supply_leader"]
    delivery = idea_open(
        by=dariush, title=DELIVERY_IDEA, category="Late delivery",
        problem="Late deliveries are rising this month; several customers had crews standing idle.",
        proposal="Text the customer the day before with the delivery slot, and let them move it to a time someone is there.",
        customers=[customers[s] for s in ("kens-plumbing-supply", "cascade-builders", "riverbend-farms") if s in customers],
        estimated_cost=800, estimated_benefit=3000,
    )
    idea_join(by=people["hr_leader"], idea=delivery)
    idea_team_join(by=people["hr_leader"], idea=delivery, team=teams["hr"])
    idea_join(by=people["cs_host"], idea=delivery)
