"""Demo notes on the shared timeline and a week of the 3-2-1 rhythm. Everything goes through the
services; safe to run again (a note or touch already there is left alone).

The story: Priya in Sales hears on a call that Ken wants a spring volume discount and routes it to
Sam, Ken's account owner (still open on Sam's home page). Sam logged a complaint about crushed pallets
for Sales, and Priya answered it two days later. Sam keeps the 3-2-1 rhythm and is part-way through
this week."""

import datetime

from django.utils import timezone

from . import selectors, services
from .models import Note, Rhythm, Touch

# (customer slug, author key, kind, text, contact name or "", link, visibility, route, route team slug,
#  days ago, answer by (key, text, days later) or None)
NOTES = [
    ("kens-plumbing-supply", "sales_host", Note.Kind.CALL,
     "Ken called about the spring building season: he wants a volume discount on water heaters if he commits to 120 units by March.",
     "Ken Alvarez", "", Note.Visibility.EVERYONE, Note.Route.OWNER, "", 1, None),
    ("kens-plumbing-supply", "cs_host", Note.Kind.COMPLAINT,
     "Two pallets of copper fittings arrived crushed at the Dayton warehouse; Rosa's crews were short on Monday morning.",
     "Rosa Alvarez", "https://support.example.com/tickets/48213", Note.Visibility.EVERYONE, Note.Route.TEAM, "sales", 9,
     ("sales_host", "Credited both pallets and re-shipped on the early truck; I called Rosa to say sorry.", 2)),
    ("kens-plumbing-supply", "cs_host", Note.Kind.PRAISE,
     "Rosa says the barcode labels on our cartons halved their receiving time. She wants to show our warehouse team how they use them.",
     "Rosa Alvarez", "", Note.Visibility.EVERYONE, Note.Route.NONE, "", 16, None),
    ("galil-solar", "cs_host", Note.Kind.RENEWAL_RISK,
     "Two villages cancelled installations over the inverter delays. The co-op board reviews its suppliers in January.",
     "", "", Note.Visibility.LEADERS, Note.Route.NONE, "", 4, None),
    ("al-noor-logistics", "sales_host", Note.Kind.OTHER,
     "Asked for delivery windows that avoid the Ramadan evening peak; their planners will send a calendar.",
     "", "", Note.Visibility.EVERYONE, Note.Route.NONE, "", 6, None),
    ("harbor-lights-bakery", "cs_host2", Note.Kind.CALL,
     "The night-shift supervisor asked whether our mixer service visits can move to 4 a.m., between bakes.",
     "", "", Note.Visibility.EVERYONE, Note.Route.NONE, "", 3, None),
]

# This week's touches by Sam: (customer slug, contact name or "", kind), spread over the week so far.
TOUCHES = [
    ("kens-plumbing-supply", "Ken Alvarez", Touch.Kind.EMAIL),
    ("galil-solar", "דוד אברהם", Touch.Kind.CARD),
    ("harbor-lights-bakery", "", Touch.Kind.EMAIL),
]


def seed(*, teams, people, customers, **_ctx):
    now = timezone.now()
    for (slug, author, kind, text, contact_name, link, visibility, route, team, days, answer) in NOTES:
        customer = customers.get(slug)
        if customer is None or Note.objects.filter(customer=customer, text=text).exists():
            continue
        contact = customer.contacts.filter(name=contact_name).first() if contact_name else None
        at = now - datetime.timedelta(days=days, hours=2)
        note = services.note_add(
            by=people[author], customer=customer, kind=kind, text=text, contact=contact, link=link,
            visibility=visibility, route=route, route_team=teams.get(team), at=at,
        )
        if answer:
            by, words, later = answer
            services.note_respond(by=people[by], note=note, answer=words)
            Note.objects.filter(pk=note.pk).update(responded_at=at + datetime.timedelta(days=later))

    sam = people["cs_host"]
    Rhythm.objects.get_or_create(user=sam)
    start, _end = selectors.week_bounds(sam, now)
    if not Touch.objects.filter(owner=sam, at__gte=start).exists():
        span = (now - start) / (len(TOUCHES) + 1)
        for i, (slug, contact_name, kind) in enumerate(TOUCHES, start=1):
            customer = customers.get(slug)
            if customer is None:
                continue
            contact = customer.contacts.filter(name=contact_name).first() if contact_name else None
            services.touch_log(by=sam, customer=customer, kind=kind, contact=contact, at=start + span * i)
