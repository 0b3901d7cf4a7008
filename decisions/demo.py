"""Demo decisions, built through the services. Safe to run again: a decision that exists is left alone."""

import datetime

from django.db import transaction
from django.utils import timezone

from . import services
from stories.models import Story

from .models import Decision, DecisionEvent, ImpactCheck, ImpactReview, ReviewRequest

SIXTY_DAYS = "Require 60-day payment terms from suppliers"


def _in(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def _decision(*, teams, people, customers, team, owner, title, context, proposal, decide_in, names, links=""):
    """The decision with this title, created when missing. Returns (decision, created)."""
    existing = Decision.objects.filter(title=title).first()
    if existing:
        return existing, False
    decision = services.decision_create(
        by=people[owner], title=title, team=teams[team], owner=people[owner], context=context, proposal=proposal,
        decide_by=_in(decide_in), customers=[customers[slug] for slug in names if slug in customers], links=links,
    )
    return decision, True


def _decided_days_ago(decision, days):
    """Move a decision made by the services just now, with its requests, reviews, history and impact
    check's decision date, `days` back: its check stays due on the day it was set for (today), so the
    reminder reads "decided on 8 Sep … it is time to check", as a real one would."""
    back = datetime.timedelta(days=days)
    moved = {
        Decision: (Decision.objects.filter(pk=decision.pk), ["decide_by", "decided_at", "created_at"]),
        ReviewRequest: (ReviewRequest.objects.filter(decision=decision), ["due_date", "created_at", "reviewed_at", "emailed_at"]),
        ImpactReview: (ImpactReview.objects.filter(decision=decision), ["created_at", "updated_at"]),
        DecisionEvent: (DecisionEvent.objects.filter(decision=decision), ["at"]),
        ImpactCheck: (ImpactCheck.objects.filter(decision=decision), ["decided_at", "created_at"]),
    }
    for model, (rows, fields) in moved.items():
        rows = list(rows)
        for row in rows:
            for name in fields:
                if getattr(row, name) is not None:
                    setattr(row, name, getattr(row, name) - back)
        model.objects.bulk_update(rows, fields)


def _review(decision, person, answer, direction, severity="", affected=(), names=(), mitigation="", customers=None):
    return services.review_submit(
        by=person, decision=decision, answer=answer, direction=direction, severity=severity, affected=affected,
        customers=[customers[s] for s in names if s in customers], mitigation=mitigation,
    )


@transaction.atomic
def seed(*, teams, people, customers, **_):
    ctx = {"teams": teams, "people": people, "customers": customers}

    # The story the practice grew from: finance's 60-day terms, and what IT's review found.
    decision, created = _decision(
        **ctx, team="finance", owner="finance_leader", title=SIXTY_DAYS, decide_in=21,
        names=["kens-plumbing-supply", "northwind-hospital"],
        context="Our suppliers are paid in 30 days while our customers pay us in 45 to 60. "
        "Working capital is tight this year and the board asked finance to close the gap.",
        proposal="Move **every supplier** to 60-day payment terms from the next quarter.\n\n"
        "- Applies to new and renewed contracts\n- Saves an estimated 2.1 million in working capital",
        links="https://intranet.example.com/finance/working-capital-2026",
    )
    if created:
        services.reviews_request(by=people["finance_leader"], decision=decision, due_date=_in(7), teams=[teams["it"]])
        _review(
            decision, people["it_staff"],
            "The vendor that trains our customer-facing staff on the service desk tools is a small firm. "
            "They told us that on 60-day terms they would put their weaker trainers on our project. The people "
            "who answer Ken's Plumbing Supply at 6 a.m. and Northwind's procurement team would be trained worse, "
            "and customers would feel it in every call.",
            "hurts", "high", affected=["customer_facing_staff", "suppliers"],
            names=["kens-plumbing-supply", "northwind-hospital"],
            mitigation="Pay suppliers whose work reaches customers (training, field service) in stages as the work is completed.",
            customers=customers,
        )
        _review(
            decision, people["it_leader"],
            "Most IT suppliers are large and will accept 60 days without any change customers would notice.",
            "neutral", customers=customers,
        )
        services.decision_record_outcome(
            by=people["finance_leader"], decision=decision,
            outcome="60-day terms for most suppliers. Suppliers whose work reaches customers directly are paid "
            "**in stages as work is completed** instead.",
            impact_handling="mitigated",
            impact_response="Staged payments as work is completed keep the training vendor's best trainers on our "
            "project, so customer-facing staff are trained as well as before.",
            decide=True, check_on=_in(0),  # its impact check is due: the demo's "did it happen?" reminder
        )
        _decided_days_ago(decision, 60)

    # In review, with requests still waiting for demo people.
    decision, created = _decision(
        **ctx, team="hr", owner="hr_leader", title="Move new-starter onboarding to a self-service portal",
        decide_in=14, names=["coral-bay-hotels"],
        context="Onboarding takes HR two days per new colleague; most of it is forms.",
        proposal="New starters complete forms and policy reading in a self-service portal before day one.",
    )
    if created:
        services.reviews_request(
            by=people["hr_leader"], decision=decision, due_date=_in(5), teams=[teams["customer-success"]],
            people=[people["finance_staff"], people["admin"]],
        )
        _review(
            decision, people["cs_host"],
            "New hosts would meet their first customers without the shadowing day HR runs today; I am not sure how "
            "that changes their first weeks with customers.",
            "unsure", affected=["customer_facing_staff"], customers=customers,
        )

    decision, created = _decision(
        **ctx, team="safety", owner="safety_leader", title="New protective-equipment rules for customer site visits",
        decide_in=10, names=["atlas-machine-works", "harbor-lights-bakery"],
        context="Two near-misses during customer site visits this year.",
        proposal="Everyone visiting a customer's production floor wears our own certified equipment.",
    )
    if created:
        services.reviews_request(
            by=people["safety_leader"], decision=decision, due_date=_in(4), teams=[teams["sales"]],
            people=[people["it_staff"], people["supply_staff"]],
        )

    # A draft nobody has been asked about yet.
    _decision(
        **ctx, team="supply-chain", owner="supply_leader", title="Consolidate freight to two national carriers",
        decide_in=30, names=["cascade-builders", "bluebird-schools"],
        context="We use eleven carriers; rates and tracking differ for each.",
        proposal="Tender for two national carriers and stop using regional ones.",
    )

    # Decided, helping customers.
    decision, created = _decision(
        **ctx, team="it", owner="it_leader", title="Freeze system changes during customers' peak seasons",
        decide_in=7, names=["al-noor-logistics", "coral-bay-hotels"],
        context="A release during Ramadan peak broke the ordering portal for Al-Noor for half a day.",
        proposal="No changes to customer-facing systems in each region's peak season.",
    )
    if created:
        services.reviews_request(by=people["it_leader"], decision=decision, due_date=_in(3), people=[people["sales_host"]])
        _review(
            decision, people["sales_host"],
            "Al-Noor and Coral Bay would no longer lose orders in their busiest weeks; that is when they need us most.",
            "helps", "low", affected=["customers"], names=["al-noor-logistics"], customers=customers,
        )
        services.decision_record_outcome(
            by=people["it_leader"], decision=decision,
            outcome="Change freezes follow each region's peak calendar, published by customer success.", decide=True,
            check_on=_in(0),
        )
        _decided_days_ago(decision, 45)
        # ... and what actually happened, recorded by the reviewer, with the story that shows it.
        story = Story.objects.filter(customer=customers.get("al-noor-logistics"), status=Story.Status.PUBLISHED).first()
        services.impact_check_record(
            by=people["sales_host"], check=decision.impact_checks.get(), result=ImpactCheck.Result.BETTER,
            note="Al-Noor placed its Ramadan orders without a single portal outage, and Coral Bay's wedding season "
            "ran without a failed booking. Both account managers heard it unprompted.",
            stories=[story] if story else [],
        )

    # Decided by HR, its impact check due today: Layla (and the reviewer) are reminded to record what happened.
    decision, created = _decision(
        **ctx, team="hr", owner="hr_leader", title="Hire customer-facing staff with a day on a customer site",
        decide_in=5, names=["al-noor-logistics", "harbor-lights-bakery"],
        context="New hosts and service staff meet customers for the first time on their own.",
        proposal="Every final interview for a customer-facing role includes half a day at a customer's site, "
        "with the customer's agreement.",
    )
    if created:
        services.reviews_request(by=people["hr_leader"], decision=decision, due_date=_in(2), people=[people["cs_host"]])
        _review(
            decision, people["cs_host"],
            "Customers would meet candidates before we hire them; Al-Noor's dispatchers said they would welcome it, "
            "but the bakery's night shift has no time to host anyone.",
            "helps", "low", affected=["customers", "customer_facing_staff"], names=["al-noor-logistics"],
            customers=customers,
        )
        services.decision_record_outcome(
            by=people["hr_leader"], decision=decision,
            outcome="Half a day on a customer site for customer-facing roles, only with customers who offer to host.",
            decide=True, check_on=_in(0),
        )
        _decided_days_ago(decision, 40)

    # Rejected: the review showed the harm was too great.
    decision, created = _decision(
        **ctx, team="finance", owner="finance_staff2", title="Stop sending printed invoices",
        decide_in=20, names=["northwind-hospital", "bluebird-schools"],
        context="Printing and posting invoices costs us 40,000 a year.",
        proposal="Send all invoices by email only from January.",
    )
    if created:
        services.reviews_request(by=people["finance_staff2"], decision=decision, due_date=_in(6), people=[people["cs_host"]])
        _review(
            decision, people["cs_host"],
            "Northwind's procurement must file paper invoices for its public audit; Bluebird's board signs paper "
            "invoices at its monthly meeting. Both would pay us late.",
            "hurts", "medium", affected=["customers"], names=["northwind-hospital", "bluebird-schools"],
            mitigation="Keep paper for customers who ask for it.", customers=customers,
        )
        services.decision_transition(by=people["finance_leader"], decision=decision, to=Decision.Status.REJECTED)

    # Withdrawn before anyone reviewed it.
    decision, created = _decision(
        **ctx, team="legal", owner="legal_leader", title="Legal review of every customer contract change",
        decide_in=15, names=["galil-solar"],
        context="A changed delivery clause went unnoticed last spring.",
        proposal="Every change to a customer contract, however small, goes through legal.",
    )
    if created:
        services.decision_transition(by=people["legal_leader"], decision=decision, to=Decision.Status.WITHDRAWN)

    # In review, naming Ken's Plumbing Supply: the listener brief for the annual review shows it.
    decision, created = _decision(
        **ctx, team="supply-chain", owner="supply_leader", title="Close the Dayton cross-dock on Saturdays",
        decide_in=18, names=["kens-plumbing-supply"],
        context="Saturday shifts at the Dayton cross-dock move a tenth of the weekday volume at time-and-a-half.",
        proposal="Close the Dayton cross-dock on Saturdays; Friday's last trucks leave two hours later instead.",
    )
    if created:
        services.reviews_request(
            by=people["supply_leader"], decision=decision, due_date=_in(6), teams=[teams["customer-success"]],
        )
        _review(
            decision, people["cs_host"],
            "Ken's contractors restock on Saturday mornings for Monday's jobs. Without a Saturday delivery, Ken "
            "would have to hold a week's extra stock or send crews out short on Monday.",
            "hurts", "medium", affected=["customers"], names=["kens-plumbing-supply"],
            mitigation="Keep a Saturday run for the wholesalers who restock contractors.", customers=customers,
        )
