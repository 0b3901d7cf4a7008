"""Addresses: for the hot loops that link one row each, and the "back to where you were" a form posts."""

from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.http import url_has_allowed_host_and_scheme

_ANY_PK = 987654321


def pk_url(name):
    """The address of the URL `name` (taking one `pk`) for any pk, reversed once: `pk_url(name) % pk`.
    Rows' addresses differ only by their id; reverse() per row cost more than the rest of the row."""
    return reverse(name, kwargs={"pk": _ANY_PK}).replace(str(_ANY_PK), "%d")


def back_to(request, target):
    """`target` (a form's "next": the path of the page it was sent from) as an address to redirect to,
    or None for anything else: another site or scheme, a path relative to the form's own address, one
    too long to send. Checked as it will be sent (percent-encoded); redirect to it as an address
    (HttpResponseRedirect), never through shortcuts.redirect, which would take a bare word for a view."""
    target = iri_to_uri(target or "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None
