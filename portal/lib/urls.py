"""Addresses for the hot loops that link one row each."""

from django.urls import reverse

_ANY_PK = 987654321


def pk_url(name):
    """The address of the URL `name` (taking one `pk`) for any pk, reversed once: `pk_url(name) % pk`.
    Rows' addresses differ only by their id; reverse() per row cost more than the rest of the row."""
    return reverse(name, kwargs={"pk": _ANY_PK}).replace(str(_ANY_PK), "%d")
