"""Who wants which email. Other apps ask through portal.lib.notifications (`wants(user, kind)`, or
`subscriptions(users, kind)` for the one-click unsubscribe link their email carries) before sending their
own action-caused email ("review requested", "a note routed to you", "the employee pulse opens"); digests
plugs these answers in there and never needs those apps."""

from django.conf import settings
from django.urls import reverse

from portal.lib.notifications import Subscription

from .models import Kind, NotificationPreferences
from .tokens import unsubscribe_headers, unsubscribe_url

DEFAULTS = NotificationPreferences()  # an unsaved row: the defaults, for people without one


def preferences_of(user):
    """The person's preferences, or the defaults (unsaved) when they never changed them. One query at most."""
    try:
        return user.notification_preferences
    except NotificationPreferences.DoesNotExist:
        return NotificationPreferences(user=user)


def preferences_for_edit(user):
    """The person's row, created with the defaults on first use (the settings page)."""
    prefs, _created = NotificationPreferences.objects.get_or_create(user=user)
    return prefs


def preferences_by_user(user_ids):
    """{user_id: preferences} for a batch, defaults where a person has no row. One query."""
    rows = {p.user_id: p for p in NotificationPreferences.objects.filter(user_id__in=list(user_ids))}
    return {uid: rows.get(uid) or NotificationPreferences(user_id=uid) for uid in user_ids}


def wants(user, kind):
    """Does `user` want email of this `kind` (a digests.models.Kind value)?"""
    if not getattr(user, "is_active", False) or not getattr(user, "email", ""):
        return False
    return preferences_of(user).wants(Kind(kind))


def subscriptions(users, kind):
    """{user pk: Subscription} for those of `users` (active, with an email) who want email of `kind`,
    each with a link that turns off just that kind. One query for any number of people."""
    kind = Kind(kind)
    users = [u for u in users if getattr(u, "is_active", False) and getattr(u, "email", "")]
    prefs = preferences_by_user([u.pk for u in users]) if users else {}
    settings_url = settings.SITE_URL + reverse("digests:settings")
    found = {}
    for user in users:
        if prefs[user.pk].wants(kind):
            link = unsubscribe_url(user, kind, prefs[user.pk].version)
            found[user.pk] = Subscription(unsubscribe_url=link, headers=unsubscribe_headers(link), settings_url=settings_url)
    return found
