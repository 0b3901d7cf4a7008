"""A form refused before it reaches its view must not lose what was typed.

When the page's security token no longer matches (its tab was open across a sign-out and sign-in, or
cookies were cleared), Django answers with its bare "CSRF verification failed" page and the text is
gone. Here the refusal is a page in the reader's language that says nothing was saved, and why, and
shows what they wrote to copy. htmx requests keep their own handling (their form stays on the page;
static/js/lifeline.js says what went wrong).
"""

import re

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from .lib.urls import back_to

# What a refused form sent that is not the person's own words: the security token, the fingerprint of
# what an edit form was drawn from (portal.lib.conflicts), the button that was pressed.
_NOT_WRITTEN = {"csrfmiddlewaretoken", "seen", "action", "next"}
_CHOICE = re.compile(r"[a-z0-9_:-]+")


_SECRET = re.compile(r"password|secret|token", re.IGNORECASE)


def written_text(request):
    """What the person typed into the form `request` posted, for them to copy, in the order the form sent
    it: each value with a letter in it, except those that look like a choice's value or a slug ("ar",
    "everyone", "al-noor-logistics"): ids and choices are not worth keeping. Never a password or other
    secret (a stale sign-in form lands here too), and nothing from a form another site sent (its
    Origin is not ours): this page shows only what the person wrote here."""
    origin = request.headers.get("Origin")
    if origin and origin != f"{request.scheme}://{request.get_host()}":
        return []
    return [
        value for name, values in request.POST.lists() if name not in _NOT_WRITTEN and not _SECRET.search(name)
        for value in values if any(char.isalpha() for char in value) and not _CHOICE.fullmatch(value)
    ]


def _form_page(request):
    """The page the form was sent from (its Referer, when on this site), else the address it posted to."""
    referer = request.headers.get("Referer", "")
    host = f"{request.scheme}://{request.get_host()}"
    back = back_to(request, referer.removeprefix(host)) if referer.startswith(host + "/") else None
    return back or request.path


@login_not_required
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: nothing was saved; what was written is shown to copy."""
    context = {"written": written_text(request), "back": _form_page(request)}
    return render(request, "not_sent.html", context, status=403)

