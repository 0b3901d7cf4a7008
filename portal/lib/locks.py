"""Waiting for rows another writer holds (a migration, a bulk update): what a page or a write does when
the wait runs out (settings: lock_timeout)."""

from django.db import OperationalError

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for lock_timeout


def lock_timed_out(error):
    """Whether a database error is a wait for a lock that ran out (settings: lock_timeout): what another
    writer holding the same rows for long (a migration, a bulk update) does to a write, not a fault."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return code == LOCK_NOT_AVAILABLE or "database is locked" in str(error)  # SQLite's own words
