"""Reads, with their joins applied. Every list runs a fixed number of queries.

The access funnel for notes: `notes_readable_by(user)` (a queryset) and `note_visible_to(note, user)`
for one row apply the same rule as stories (portal.permissions "note.read_restricted"): a note shown to
everyone is read by every colleague who may see the customer; one for leaders only or for chosen teams
by leaders, admins, its author, the teams chosen and whoever it is routed to.
"""

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Contact, Customer
from customers.timeline import Entry, keyset_q, window_q
from portal.lib.dates import zone_of
from portal.models import Team
from portal.permissions import can

from .models import Note, Rhythm, RhythmTargets, Touch

# -- the access funnel ----------------------------------------------------------------------------


def notes_readable_by(user):
    """Every note `user` may read. THE funnel: the timeline, the note page, the home panel and the
    digest start here (or ask note_visible_to for one row)."""
    if not can(user, "customer.view"):
        return Note.objects.none()
    notes = Note.objects.all()
    if not can(user, "note.read_restricted"):  # a role-wide "yes": leaders and admins read every note
        allowed = Q(visibility=Note.Visibility.EVERYONE) | Q(author=user) | Q(route_user=user)
        if user.team_id is not None:
            audience = Note.audience.through.objects.filter(note=OuterRef("pk"), team_id=user.team_id)
            allowed |= Q(Exists(audience), visibility=Note.Visibility.TEAMS) | Q(route_team_id=user.team_id)
        notes = notes.filter(allowed)
    return notes


def note_visible_to(note, user):
    """The same rule for one loaded note (its audience prefetched or read here)."""
    if not can(user, "customer.view"):
        return False
    return note.visibility == Note.Visibility.EVERYONE or can(user, "note.read_restricted", note)


def _shown(notes, *, open_lines=False):
    """What a note's line shows: names annotated, its audience (for the access check), no FORD notes of
    its contact (only the contact's name is ever shown with a note). `open_lines`: only open notes, as
    the home panel lists them, without a contact or a responder; two joins fewer, which PostgreSQL
    plans in a fifth of the time (about 0.4 ms instead of 2 ms, on every home page)."""
    names = {"author_name": F("author__name"), "route_user_name": F("route_user__name"),
             "route_team_name": F("route_team__name")}
    if not open_lines:
        names.update(contact_name=F("contact__name"), responded_by_name=F("responded_by__name"))
    return notes.select_related("customer").annotate(**names).only(
        "id", "customer_id", "author_id", "kind", "text", "link", "visibility", "route", "route_user_id",
        "route_team_id", "status", "answer", "responded_at", "at", "edited_at",
        "customer__id", "customer__name", "customer__slug", "customer__do_not_name", "customer__account_owner_id",
    )


def note_for(user, pk):
    """One note as its page shows it, or None when it does not exist or `user` may not read it. One query."""
    return _shown(notes_readable_by(user)).filter(pk=pk).first()


# -- the timeline sources -------------------------------------------------------------------------


def timeline_notes(customer, user, *, before, since, until, kinds, limit):
    """The customer's notes `user` may read, for the shared timeline. One query."""
    notes = notes_readable_by(user).filter(customer=customer)
    if kinds:
        notes = notes.filter(kind__in=kinds)
    rows = _shown(notes.filter(keyset_q(before, order=50), window_q(since=since, until=until))).order_by("-at", "-id")[:limit]
    return [
        Entry(at=n.at, source="notes", pk=n.pk, title=n.text, url=n.get_absolute_url(), kind=n.kind,
              kind_label=str(n.get_kind_display()), actor=n.author_name, item=n)
        for n in rows
    ]


def timeline_touches(customer, user, *, before, since, until, kinds, limit):
    """Touches logged with the customer (the 3-2-1 rhythm), for the shared timeline. One query."""
    if not can(user, "customer.view"):
        return []
    rows = (
        Touch.objects.filter(customer=customer)
        .filter(keyset_q(before, order=60), window_q(since=since, until=until))
        .annotate(owner_name=F("owner__name"), contact_name=F("contact__name"))
        .only("id", "kind", "at")
        .order_by("-at", "-id")[:limit]
    )
    return [
        Entry(at=t.at, source="touches", pk=t.pk, title=t.contact_name or "", kind=t.kind,
              kind_label=str(t.get_kind_display()), actor=t.owner_name)
        for t in rows
    ]


# -- the customer page's section ------------------------------------------------------------------


def section_context(customer, user):
    """The section on the customer page: the timeline itself is asked for by htmx (loops:timeline),
    so the page runs no query of its own for it."""
    return {}


def note_form_choices(customer):
    """The customer's contacts (names only) and the customer-facing teams, for the note form. Two queries."""
    contacts = list(customer.contacts.only("id", "name", "customer_id").order_by("-is_key", "name", "id"))
    teams = list(Team.objects.filter(kind=Team.Kind.CUSTOMER_FACING).order_by("name"))
    return contacts, teams


# -- routed notes: the home panel and the digest --------------------------------------------------


def _routed_to(user):
    q = Q(route_user=user)
    if user.team_id is not None:
        q |= Q(route_team_id=user.team_id)
    return q


def open_routed_notes(user, *, limit=6):
    """Open notes routed to `user` or their team, oldest first (the longest waiting on top). One query."""
    return list(
        _shown(notes_readable_by(user).filter(_routed_to(user), status=Note.Status.OPEN), open_lines=True)
        .order_by("at", "id")[:limit]
    )


def routed_notes_panel(user):
    if not user.is_authenticated:
        return None
    notes = open_routed_notes(user)
    return {"notes": notes} if notes else None


# -- the 3-2-1 rhythm -----------------------------------------------------------------------------


DEFAULT_TARGETS = {"emails": 3, "cards": 2, "calls": 1}
KIND_OF = {"emails": Touch.Kind.EMAIL, "cards": Touch.Kind.CARD, "calls": Touch.Kind.CALL}


def week_bounds(user, now=None):
    """(start, end) of `user`'s week: Monday 00:00 to the next Monday, in their time zone."""
    now = now or timezone.now()
    zone = zone_of(user.time_zone)
    today = now.astimezone(zone).date()
    monday = today - datetime.timedelta(days=today.weekday())
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time.min, tzinfo=zone)
    return start, end


def targets():
    """The company's weekly targets. One query."""
    row = RhythmTargets.objects.filter(pk=1).values("emails", "cards", "calls").first()
    return row or dict(DEFAULT_TARGETS)


def progress(counts, goal):
    """[{key, label, done, target, met}] for the three kinds."""
    labels = {"emails": _("Personal emails"), "cards": _("Handwritten cards"), "calls": _("Calls")}
    return [
        {"key": key, "label": labels[key], "done": counts.get(key, 0), "target": goal[key],
         "met": counts.get(key, 0) >= goal[key]}
        for key in ("emails", "cards", "calls")
    ]


def week_progress(user, *, now=None):
    """None when `user` has not turned the rhythm on; else the week's progress against the company's
    targets. One query: the rhythm row with this week's touches counted and the targets beside it."""
    start, end = week_bounds(user, now)
    week = Q(user__touches__at__gte=start, user__touches__at__lt=end)
    target_row = RhythmTargets.objects.filter(pk=1)
    row = (
        Rhythm.objects.filter(user=user)
        .annotate(
            emails=Count("user__touches", filter=week & Q(user__touches__kind=Touch.Kind.EMAIL)),
            cards=Count("user__touches", filter=week & Q(user__touches__kind=Touch.Kind.CARD)),
            calls=Count("user__touches", filter=week & Q(user__touches__kind=Touch.Kind.CALL)),
            t_emails=Coalesce(Subquery(target_row.values("emails")), Value(DEFAULT_TARGETS["emails"]), output_field=IntegerField()),
            t_cards=Coalesce(Subquery(target_row.values("cards")), Value(DEFAULT_TARGETS["cards"]), output_field=IntegerField()),
            t_calls=Coalesce(Subquery(target_row.values("calls")), Value(DEFAULT_TARGETS["calls"]), output_field=IntegerField()),
        )
        .values("emails", "cards", "calls", "t_emails", "t_cards", "t_calls")
        .first()
    )
    if row is None:
        return None
    goal = {"emails": row["t_emails"], "cards": row["t_cards"], "calls": row["t_calls"]}
    items = progress(row, goal)
    return {"items": items, "start": start, "end": end, "last": end - datetime.timedelta(days=1),
            "done": all(i["met"] for i in items)}


def rhythm_panel(user):
    """The week's progress on home, for those who may keep the rhythm and turned it on. Most people
    may not (back-office teams), so they are answered without a query."""
    if not user.is_authenticated or not can(user, "rhythm.use"):
        return None
    week = week_progress(user)
    return {"week": week} if week is not None else None


FORD_OPENERS = ("recreation", "dreams", "family", "occupation")
SUGGESTIONS = 6


# Whom to contact next, least recently touched (by anyone) first, never-touched first of all: the order
# of the rhythm page (suggestions) and of the digest (suggestions_by_owner), for contacts and for owned
# customers with no contact recorded.
CONTACT_ORDER = (F("last_touch").asc(nulls_first=True), F("customer__name").asc(), F("name").asc(), F("id").asc())
CUSTOMER_ORDER = (F("last_touch").asc(nulls_first=True), F("name").asc(), F("id").asc())


def _to_contact(owner_ids):
    """(contacts, customers without a contact) of the customers `owner_ids` own (former ones left out),
    each annotated with `last_touch`: querysets, not yet ordered or cut."""
    owned = Customer.objects.filter(account_owner__in=owner_ids).exclude(status=Customer.Status.FORMER)
    last = Touch.objects.filter(contact=OuterRef("pk")).order_by().values("contact").annotate(at=Max("at")).values("at")
    last_for_customer = (
        Touch.objects.filter(customer=OuterRef("pk")).order_by().values("customer").annotate(at=Max("at")).values("at")
    )
    contacts = Contact.objects.filter(customer__in=owned).annotate(last_touch=Subquery(last))
    bare = owned.filter(~Exists(Contact.objects.filter(customer=OuterRef("pk")))).annotate(
        last_touch=Subquery(last_for_customer)
    )
    return contacts, bare


def suggestions(user, *, limit=SUGGESTIONS, show_ford=True):
    """Whom to contact next: the contacts of the customers `user` owns, then owned customers with no
    contact recorded, each least recently touched first (CONTACT_ORDER, CUSTOMER_ORDER). Each contact
    carries `opener` (one of its FORD notes, as a conversation opener) only when `show_ford`.
    Two queries."""
    contacts, bare = _to_contact([user.pk])
    contacts = list(
        contacts.select_related("customer")
        .only("id", "name", "role", "customer_id", "family", "occupation", "recreation", "dreams",
              "customer__id", "customer__name", "customer__slug")
        .order_by(*CONTACT_ORDER)[:limit]
    )
    bare = list(bare.only("id", "name", "slug").order_by(*CUSTOMER_ORDER)[:limit])[: max(0, limit - len(contacts))]
    for contact in contacts:
        contact.opener = None
        if show_ford:
            for name in FORD_OPENERS:
                if getattr(contact, name):
                    contact.opener = {"label": Contact._meta.get_field(name).verbose_name, "text": getattr(contact, name)}
                    break
    return {"contacts": contacts, "customers": bare}


def suggestions_by_owner(owner_ids, *, limit):
    """{owner id: [(contact name or "", customer name, do_not_name, industry, region, employees)]}: for each
    of `owner_ids`, the first `limit` of suggestions(), in its order, for the weekly digest. Two queries
    for any number of owners: each ranks its rows per owner and keeps the first `limit`."""
    contacts, bare = _to_contact(list(owner_ids))
    shown = ("customer__name", "customer__do_not_name", "customer__industry", "customer__region", "customer__employees")
    contacts = (
        contacts.annotate(rank=Window(RowNumber(), partition_by=F("customer__account_owner"), order_by=CONTACT_ORDER))
        .filter(rank__lte=limit)
        .values_list("customer__account_owner", "rank", "name", *shown)
    )
    bare = (
        bare.annotate(rank=Window(RowNumber(), partition_by=F("account_owner"), order_by=CUSTOMER_ORDER))
        .filter(rank__lte=limit)
        .values_list("account_owner", "rank", "name", "do_not_name", "industry", "region", "employees")
    )
    found = {}
    rows = sorted(contacts) + [(owner_id, rank, "", *customer) for owner_id, rank, *customer in sorted(bare)]
    for owner_id, _rank, *row in rows:
        if len(found.setdefault(owner_id, [])) < limit:
            found[owner_id].append(tuple(row))
    return found


def my_week_touches(user, *, now=None, limit=30):
    """The touches `user` logged this week, newest first. One query."""
    start, end = week_bounds(user, now)
    return list(
        Touch.objects.filter(owner=user, at__gte=start, at__lt=end)
        .select_related("customer", "contact")
        .only("id", "kind", "at", "customer__name", "customer__slug", "contact__name")
        .order_by("-at", "-id")[:limit]
    )


# -- the scorecard (insights) ---------------------------------------------------------------------


def routed_answers_by_team(team_ids, periods):
    """{(team_id, period index): (routed, answered on time)} for notes routed in each of `periods`
    ((start, end) pairs, oldest first): a note routed to a team counts for that team, one routed to the
    account owner for the owner's team. A note is answered on time when acknowledged or answered within
    ANSWER_WITHIN_WORKING_DAYS working days (Note.answered_on_time). One query."""
    if not periods or not team_ids:
        return {}
    rows = (
        Note.objects.exclude(route="")
        .filter(at__gte=periods[0][0], at__lt=periods[-1][1])
        .annotate(team=Coalesce(F("route_team_id"), F("route_user__team_id")))
        .filter(team__in=team_ids)
        .only("id", "at", "responded_at")
    )
    result = {}
    for note in rows:
        index = next((i for i, (start, end) in enumerate(periods) if start <= note.at < end), None)
        if index is None:
            continue
        routed, on_time = result.get((note.team, index), (0, 0))
        result[(note.team, index)] = (routed + 1, on_time + int(note.answered_on_time()))
    return result
