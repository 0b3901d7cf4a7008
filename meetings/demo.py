"""Demo meetings: a dozen over the coming months and a few that already happened, with
listeners, waitlists, debriefs, marked attendance and seats offered from the waitlist. Everything
goes through the services; safe to run again."""

import datetime

from django.utils import timezone

from digests.models import Delivery, Kind
from digests.reminders import REMINDERS

from . import services
from .models import Meeting, Seat

DEBRIEFS = {
    "finance_leader": (
        "Ken plans every crew a week ahead around our delivery slots. A late delivery is not an "
        "inconvenience to him: it is a crew of four standing idle, paid, on a building site.",
        "How closely he reads our invoices. Our 60-day terms push his own cash flow into the busy season.",
        "Finance: talk to account managers before changing payment or credit terms for small wholesalers.",
    ),
    "supply_leader": (
        "Rosa wants fewer, fuller deliveries she can schedule, not more frequent small ones.",
        "They keep a spreadsheet of every late order from us since 2019.",
        "Supply chain: confirm delivery slots the day before, every time.",
    ),
    "safety_leader": (
        "Traceability is everything for Katrin: one uncertified tool can void a whole batch of implants.",
        "The machinists know our batch certificates better than our own sales team does.",
        "Safety: send certificates with the tools, not on request.",
    ),
    "hr_leader": (
        "Nasrin's restoration workshop depends on two master weavers; humidity failures frighten them.",
        "They train young people in rug repair in the evenings, unpaid.",
        "HR: our service technicians should know who they are working next to.",
    ),
}

# (customer slug, kind, title, host key, days from now, hours, seats, where, listeners, debriefs by)
MEETINGS = [
    ("kens-plumbing-supply", "annual_review", "Annual business review with Ken and Rosa", "cs_host", 9, 2, 3,
     "Ken's Plumbing Supply, Dayton warehouse", ["finance_leader", "supply_leader", "hr_leader", "it_leader", "safety_staff"], []),
    ("harbor-lights-bakery", "site_visit", "Night shift at the bakery", "cs_host", 16, 3, 2,
     "Harbor Lights Bakery, Portland", ["safety_leader"], []),
    ("sunrise-dental", "quarterly_review", "Quarterly review: autoclave certification", "sales_host", 20, 1, 2,
     "https://meet.example.com/sunrise-q4", ["legal_leader", "finance_staff2", "hr_staff"], []),
    ("mekong-fresh-foods", "onboarding", "Onboarding the new cold-room monitoring", "cs_host2", 25, 1, 4,
     "https://meet.example.com/mekong-onboarding", ["supply_staff"], []),
    ("al-noor-logistics", "quarterly_review", "Quarterly review before the Ramadan peak", "sales_host", 33, 1, 2,
     "https://meet.example.com/al-noor", ["it_leader"], []),
    ("galil-solar", "support_call", "Listen in: inverter delays", "cs_host", 6, 1, 1,
     "https://meet.example.com/galil-support", ["supply_leader", "legal_staff", "finance_staff"], []),
    ("northwind-hospital", "annual_review", "Annual review with the procurement team", "cs_host", 45, 2, 3,
     "Northwind Community Hospital, Leeds", [], []),
    ("coral-bay-hotels", "site_visit", "Chiller plant walk-through", "cs_host2", 60, 3, 2,
     "Coral Bay Resort, Đà Nẵng", ["hr_leader"], []),
    ("cascade-builders", "quarterly_review", "Quarterly review: spring handovers", "sales_host", 75, 1, 2,
     "https://meet.example.com/cascade", [], []),
    ("kens-plumbing-supply", "quarterly_review", "Quarterly review: spring orders", "cs_host", -20, 1, 3,
     "Ken's Plumbing Supply, Dayton warehouse", ["finance_leader", "supply_leader", "it_staff"],
     ["finance_leader", "supply_leader"]),
    ("atlas-machine-works", "site_visit", "Tour of the machining floor", "cs_host", -40, 3, 2,
     "Atlas Machine Works, Stuttgart", ["safety_leader", "legal_leader"], ["safety_leader"]),
    ("persepolis-rugs", "support_call", "Listen in: workshop climate control", "sales_host", -10, 1, 2,
     "https://meet.example.com/persepolis", ["hr_leader", "hr_staff"], ["hr_leader"]),
    ("sunrise-dental", "site_visit", "Autoclave room walk-through", "sales_host", 12, 2, 1,
     "Sunrise Dental, Phoenix", ["it_leader", "finance_leader", "hr_leader"], []),
    ("al-noor-logistics", "site_visit", "Warehouse tour before the peak", "cs_host2", 18, 2, 1,
     "Al Noor Logistics, Dubai South", ["it_staff", "hr_leader", "finance_leader"], []),
]

# Meetings whose first listener gave up their seat, so it is held for the first person waiting
# (Grace at the walk-through, Layla at the warehouse tour): a live offer to accept or decline.
OFFERS = {"Autoclave room walk-through": "it_leader", "Warehouse tour before the peak": "it_staff"}

# Past meetings whose host marked attendance: everyone came but these.
ATTENDANCE = {"Quarterly review: spring orders": ["it_staff"], "Tour of the machining floor": []}

# Who attends from the customer (their contacts, by name): the listener brief shows them with their notes.
ATTENDING = {"Annual business review with Ken and Rosa": ["Ken Alvarez", "Rosa Alvarez"]}

# (debrief author key, colleague who found it helpful)
REACTIONS = [("finance_leader", "finance_staff"), ("finance_leader", "finance_staff2"), ("hr_leader", "hr_staff"),
             ("safety_leader", "safety_staff")]


def _start(days):
    base = timezone.now().replace(hour=15, minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(days=days)


def _asked_for_debriefs_when_it_ended(meeting):
    """A past meeting as a running portal left it: its listeners were asked for their debrief when it
    ended (debrief_requests, every 15 minutes) and those who had not written one were reminded two
    days later (the digests' debrief-due reminder, once per seat), so the first start sends neither."""
    Meeting.objects.filter(pk=meeting.pk, debriefs_requested_at=None).update(debriefs_requested_at=meeting.ends_at)
    reminded = meeting.ends_at + datetime.timedelta(days=2)
    if reminded > timezone.now():
        return
    reminder = REMINDERS[Kind.DEBRIEF_DUE]
    for seat in meeting.seat_set.filter(status=Seat.Status.CONFIRMED, debrief__isnull=True):
        Delivery.objects.get_or_create(
            user_id=seat.user_id, kind=reminder.kind, period=reminder.period(seat.pk),
            defaults={"status": Delivery.Status.SENT, "attempts": 1, "sent_at": reminded, "created_at": reminded},
        )


def seed(*, teams, people, customers, **_):
    debriefs = {}
    for slug, kind, title, host_key, days, hours, seats, where, listeners, debriefed in MEETINGS:
        customer = customers[slug]
        meeting = Meeting.objects.filter(customer=customer, title=title).first()
        start = meeting.starts_at if meeting else _start(days)
        # Past meetings are recorded as they were opened: two weeks before they took place.
        opened = start - datetime.timedelta(days=14) if days < 0 else None
        if meeting is None:
            is_link = where.startswith("https://")
            meeting = services.meeting_create(
                by=people[host_key], customer=customer, kind=kind, title=title, starts_at=start,
                ends_at=start + datetime.timedelta(hours=hours), seats=seats,
                signup_closes_at=start - datetime.timedelta(days=1),
                place="" if is_link else where, video_url=where if is_link else "", now=opened,
            )
        if title in ATTENDING and not meeting.customer_contacts.exists():
            services.meeting_update(
                by=people[host_key], meeting=meeting,
                customer_contacts=list(customer.contacts.filter(name__in=ATTENDING[title])),
            )
        for key in listeners:
            seat = Seat.objects.filter(meeting=meeting, user=people[key]).first()
            if seat is None:
                services.seat_claim(by=people[key], meeting=meeting, now=opened)
        leaver = OFFERS.get(title)
        if leaver and not meeting.seat_set.exclude(status__in=Seat.ACTIVE).exists():
            services.seat_cancel(by=people[leaver], meeting=meeting)  # the first waiting gets the seat held
        if title in ATTENDANCE and meeting.attendance_marked_at is None:
            absent = {people[key].pk for key in ATTENDANCE[title]}
            came = meeting.seat_set.filter(status=Seat.Status.CONFIRMED).exclude(user_id__in=absent)
            services.attendance_mark(by=people[host_key], meeting=meeting, attended=came.values_list("pk", flat=True))
        for key in debriefed:
            goals, surprises, differently = DEBRIEFS[key]
            debriefs[key] = services.debrief_save(
                by=people[key], meeting=meeting, goals_and_needs=goals, surprises=surprises,
                do_differently=differently,
            )
        if days < 0:
            _asked_for_debriefs_when_it_ended(meeting)
    for author, colleague in REACTIONS:
        if author in debriefs:
            services.debrief_react(by=people[colleague], debrief=debriefs[author], helpful=True)
