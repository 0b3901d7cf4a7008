"""Small helpers for the few queries written out by hand (on hot pages, where compiling them through
the ORM cost more than running them)."""

import datetime

from django.utils import timezone


def placeholders(values):
    """`%s, %s, …`: one placeholder per value, for `IN (…)`."""
    return ", ".join(["%s"] * len(values))


def db_datetime(value):
    """A datetime as the ORM would give it, from a written-out query or a JSON object: SQLite hands
    back naive UTC, sometimes as ISO text."""
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return timezone.make_aware(value, datetime.UTC) if timezone.is_naive(value) else value
