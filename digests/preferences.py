"""Who wants which email. Other apps may call `wants(user, kind)` before sending their own
action-caused email ("review requested", "promoted from a waitlist"); digests never needs them to."""

from .models import Kind, NotificationPreferences

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
