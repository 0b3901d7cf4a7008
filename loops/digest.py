"""The weekly digest's sections for routed notes and the contact rhythm (see digests/sections.py).
`prepare` runs a fixed number of queries for a batch of people; each `pick_*` chooses one person's
part in Python."""

import datetime
from types import SimpleNamespace

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.lib.text import isolate, join_list
from portal.permissions import can

from .models import Note, Rhythm, Touch
from .selectors import DEFAULT_TARGETS, progress, suggestions_by_owner, targets, week_bounds

LIMIT = 5
SUGGESTED = 3  # whom to contact next, named in the digest (the rhythm page shows more)


def prepare(users, since_by_user, now):
    """Open notes routed to anyone in the batch or their teams (one query); who in the batch keeps the
    rhythm and their touches of the last eight days (two queries); the company's targets (one query);
    whom each of them might contact next (two queries)."""
    user_ids = [u.pk for u in users]
    team_ids = {u.team_id for u in users if u.team_id}
    notes = [
        SimpleNamespace(**row)
        for row in Note.objects.filter(Q(route_user_id__in=user_ids) | Q(route_team_id__in=team_ids), status=Note.Status.OPEN)
        .values("id", "kind", "text", "at", "route_user_id", "route_team_id", customer_name=F("customer__name"),
                do_not_name=F("customer__do_not_name"), industry=F("customer__industry"), region=F("customer__region"),
                employees=F("customer__employees"))
        .order_by("at", "id")
    ]
    by_user, by_team = {}, {}
    for note in notes:
        note.url = settings.SITE_URL + reverse("loops:note", kwargs={"pk": note.id})
        if note.route_user_id:
            by_user.setdefault(note.route_user_id, []).append(note)
        if note.route_team_id:
            by_team.setdefault(note.route_team_id, []).append(note)
    keeping = set(Rhythm.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    touches = {}
    if keeping:
        for owner_id, kind, at in Touch.objects.filter(
            owner_id__in=keeping, at__gte=now - datetime.timedelta(days=8), at__lt=now + datetime.timedelta(days=1)
        ).values_list("owner_id", "kind", "at"):
            touches.setdefault(owner_id, []).append((kind, at))
    return {"by_user": by_user, "by_team": by_team, "keeping": keeping, "touches": touches,
            "targets": targets() if keeping else dict(DEFAULT_TARGETS),
            "suggested": suggestions_by_owner(keeping, limit=SUGGESTED) if keeping else {}}


def _customer(note):
    """The customer as the digest names it: the description, for one who asked not to be named (the email
    travels outside Lifeline)."""
    if not note.do_not_name:
        return note.customer_name
    return _described(note.industry, note.region, note.employees)


def _described(industry, region, employees):
    from customers.models import Customer

    return Customer(industry=industry or "", region=region or "", employees=employees).anonymous_description()


def _whom(contact, customer, do_not_name, industry, region, employees):
    """One suggestion as the digest names it: "Ken Ito at Ken's Plumbing Supply", the customer alone when
    no contact is recorded, and only the description (no names) for a customer who asked not to be named."""
    if do_not_name:
        return _described(industry, region, employees)
    if not contact:
        return isolate(customer)
    return _("%(contact)s at %(customer)s") % {"contact": isolate(contact), "customer": isolate(customer)}


def pick_routed_notes(data, user, since, now):
    """Notes routed to the person or their team that nobody has acknowledged or answered yet."""
    if not can(user, "customer.view"):
        return None
    seen, notes = set(), []
    for note in data["by_user"].get(user.pk, []) + data["by_team"].get(user.team_id, []):
        if note.id not in seen:
            seen.add(note.id)
            notes.append(note)
    if not notes:
        return None
    notes.sort(key=lambda n: (n.at, n.id))
    kinds = dict(Note.Kind.choices)
    items = [
        {"title": str(kinds.get(n.kind, n.kind)), "url": n.url, "customer": _customer(n), "when": n.at,
         "detail": "", "quote": "" if n.do_not_name else n.text[:160], "tag": _("Waiting on you")}
        for n in notes[:LIMIT]
    ]
    return {"items": items, "more": max(0, len(notes) - LIMIT),
            "note": _("Please acknowledge or answer each within 5 working days.")}


def pick_rhythm(data, user, since, now):
    """The person's 3-2-1 rhythm: this week's touches against the targets, in their own week. Not for
    someone who turned it on and has since left customer-facing work (the home panel agrees)."""
    if user.pk not in data["keeping"] or not can(user, "rhythm.use"):
        return None
    start, end = week_bounds(user, now)
    counts = {"emails": 0, "cards": 0, "calls": 0}
    key = {Touch.Kind.EMAIL: "emails", Touch.Kind.CARD: "cards", Touch.Kind.CALL: "calls"}
    for kind, at in data["touches"].get(user.pk, []):
        if start <= at < end:
            counts[key[kind]] += 1
    parts = progress(counts, data["targets"])
    summary = join_list(
        _("%(label)s: %(done)s of %(target)s") % {"label": p["label"], "done": p["done"], "target": p["target"]}
        for p in parts
    )
    left = sum(max(0, p["target"] - p["done"]) for p in parts)
    tail = ngettext("%(count)s touch to go this week.", "%(count)s touches to go this week.", left) % {"count": left} if left else _(
        "The week's rhythm is complete. Thank you.")
    suggested = data.get("suggested", {}).get(user.pk, []) if left else []
    items = [
        {"title": _("Whom to contact next"), "url": settings.SITE_URL + reverse("loops:rhythm"),
         "customer": "", "when": None, "detail": join_list(_whom(*row) for row in suggested), "tag": ""}
    ] if suggested else []
    return {"items": items, "note": f"{summary}. {tail}"}
