"""What may be posted to a channel, and what it shows there.

A channel is read by whoever is in it, beyond the portal's sign-in and permissions, so `shown_in` is the
one place that decides whether an item may leave the portal for a channel and under which customer
name. Planning a delivery asks it, and posting asks it again (a story unpublished in between is not
posted). Decisions and open meetings are company-wide and name their customers. A story is posted only
when everyone may read it (not leaders-only, not for chosen teams: a channel's members are not known to
be in its audience), and then under `customer_label`, the name it shows every reader: an anonymised
story goes out under its description, and never through a channel that filters on its customer (the
filter itself would name the customer)."""

from dataclasses import dataclass

from decisions.models import Decision
from meetings.models import Meeting
from portal.lib.text import join_list
from stories.models import Story

from .models import Kind


@dataclass(frozen=True)
class Shown:
    """What a channel may show of an item."""

    customer: str  # the customer's name as the channel may see it ("" for a decision naming none)


def load(kind, pk):
    """The story, decision or meeting an announcement is about, with what messages and filters read;
    None when it is gone."""
    if kind == Kind.STORY_PUBLISHED:
        queryset = Story.objects.select_related("customer").prefetch_related("themes", "teams")
    elif kind in (Kind.DECISION_IN_REVIEW, Kind.DECISION_DECIDED):
        queryset = Decision.objects.select_related("team").prefetch_related("customers")
    elif kind == Kind.MEETING_OPENED:
        queryset = Meeting.objects.select_related("customer", "host")
    else:
        raise ValueError(f"Nothing to load for {kind!r}")
    return queryset.filter(pk=pk).first()


def shown_in(*, channel, kind, item, now=None):
    """May `item` (announced as `kind`) be posted to `channel` now, and with which customer name?
    A Shown, or None when it must not be posted (any more)."""
    if item is None:
        return None
    if kind == Kind.STORY_PUBLISHED:
        if not item.is_published or item.is_restricted:
            return None
        return Shown(customer=item.customer_label)
    if kind == Kind.DECISION_IN_REVIEW:
        if item.status != Decision.Status.IN_REVIEW:
            return None
        return Shown(customer=join_list(c.name for c in item.customers.all()))
    if kind == Kind.DECISION_DECIDED:
        if item.status != Decision.Status.DECIDED:
            return None
        return Shown(customer=join_list(c.name for c in item.customers.all()))
    if kind == Kind.MEETING_OPENED:
        if not item.signup_open(now) or not item.seats_left():
            return None
        return Shown(customer=item.customer.name)
    return None


def matches(channel, kind, item):
    """Does the item pass the channel's own filters (kinds, customers, themes, teams)? Reads the
    channel's filters from prefetched `customers`, `themes` and `teams`."""
    if not channel.wants(kind):
        return False
    customer_ids = {c.pk for c in channel.customers.all()}
    theme_ids = {t.pk for t in channel.themes.all()}
    team_ids = {t.pk for t in channel.teams.all()}
    if kind == Kind.STORY_PUBLISHED:
        item_customers = set() if item.is_anonymised else {item.customer_id}
        if theme_ids and not theme_ids & {t.pk for t in item.themes.all()}:
            return False
        if team_ids and not team_ids & {t.pk for t in item.teams.all()}:
            return False
    elif kind in (Kind.DECISION_IN_REVIEW, Kind.DECISION_DECIDED):
        item_customers = {c.pk for c in item.customers.all()}
        if team_ids and item.team_id not in team_ids:
            return False
    else:  # a meeting: open to every team, and it has no themes
        item_customers = {item.customer_id}
    return not customer_ids or bool(customer_ids & item_customers)
