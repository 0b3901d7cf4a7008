"""A form refused before it reaches its view must not lose what was typed.

- When the page's security token no longer matches (its tab was open across a sign-out and sign-in, or
  cookies were cleared), Django answers with its bare "CSRF verification failed" page and the text is
  gone. Here the refusal is a page in the reader's language that says nothing was saved, and why, and
  shows what they wrote to copy. htmx requests keep their own handling (their form stays on the page;
  static/js/lifeline.js says what went wrong).
- When the session ran out while the form was open, Django's LoginRequiredMiddleware sends the person
  to sign in and then to the address the form posted to (a GET there is often a 405), and what they
  wrote is dropped. SignInFirstMiddleware keeps it in the session, sends them back to the page the form
  was on once signed in, and that page shows it to copy (`{% unsent_writing %}` in base.html). An htmx
  form with text to keep sends the whole page to sign in (HX-Redirect, with 401); any other htmx request
  is answered 401 alone, so the page and what is typed in it stay and its notice says to reload
  (static/js/lifeline.js), rather than the sign-in page being swapped into a corner of it.
"""

import datetime
import functools
import re

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.forms.utils import pretty_name
from django.http import HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render, resolve_url
from django.urls import Resolver404, get_resolver, resolve, reverse
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect

from .lib.urls import back_to

# What a refused form sent that is not the person's own words: the security token, the fingerprint of
# what an edit form was drawn from (portal.lib.conflicts), the button that was pressed.
_NOT_WRITTEN = {"csrfmiddlewaretoken", "seen", "action", "next"}
_CHOICE = re.compile(r"[a-z0-9_:-]+")
# What reading a POST body may raise: too big, too many fields, broken. Nothing of it is kept.
UNREADABLE = (SuspiciousOperation, UnreadablePostError, MultiPartParserError)


# Field names whose values are never kept nor shown again: passwords and other secrets, and the admin's
# webhook address (a secret drawn as a password field, webhooks/admin.py).
_SECRET = re.compile(r"password|secret|token|webhook", re.IGNORECASE)


def written_text(request, form=None):
    """What the person typed into the form `request` posted, for them to copy, in the order the form sent
    it: [{"label": the field's label, or "" when not known, "text": what was typed}]. Text fields are
    kept whatever they hold (a one-word answer is writing too): those of the `form` it was sent to, when
    given, else of the form its view declares (@posts), and that form's other fields never; else the
    names that are a text field in every project form that has them. Any other value is kept when it has
    a letter in it and does not look like a choice's value or a slug ("ar", "everyone",
    "al-noor-logistics"): ids and choices are not worth keeping. Never a
    password or other secret (a stale sign-in form lands here too), nothing sent to the admin (its forms
    carry configuration, not writing), nothing from a form another site sent (its Origin is not ours),
    and nothing from a body too large or malformed to read: only what the person wrote here."""
    origin = request.headers.get("Origin")
    if origin and origin != f"{request.scheme}://{request.get_host()}":
        return []
    if request.path.startswith(_admin_prefix()):
        return []
    try:
        posted = list(request.POST.lists())
    except UNREADABLE:
        return []
    declared = _posted_form(request) if form is None else None
    if form is not None or declared is not None:
        fields, add_prefix = (form.fields, form.add_prefix) if form is not None else (declared.base_fields, str)
        typed = {add_prefix(name): field.label if field.label is not None else pretty_name(name)
                 for name, field in fields.items() if _is_text(field)}
        chosen = {add_prefix(name) for name in fields} - typed.keys()
    else:
        typed, chosen = _text_fields(), frozenset()
    return [
        {"label": str(typed.get(name) or ""), "text": value} for name, values in posted
        if name not in _NOT_WRITTEN and name not in chosen and not _SECRET.search(name)
        for value in values
        if (value.strip() if name in typed else any(char.isalpha() for char in value) and not _CHOICE.fullmatch(value))
    ]


def posts(form_class):
    """Marks a view with the form posted to it, so that a form refused before the view runs (the page's
    token no longer matches, the session ran out) is read by that form's fields: each piece of writing
    under its own label ("The story", "Your comment"), where the names alone cannot tell two forms apart.
    In any place among the view's decorators: Django's keep the attributes of the view they wrap."""

    def mark(view):
        view.posted_form = form_class
        return view

    return mark


def _posted_form(request):
    """The form class the view at `request`'s address declares with @posts, or None."""
    try:
        return getattr(resolve(request.path_info).func, "posted_form", None)
    except Resolver404:
        return None


def _is_text(field):
    """A field the person writes into (not a choice, a date, a number or a hidden value)."""
    return isinstance(field, forms.CharField) and not field.widget.is_hidden


@functools.cache
def _text_fields():
    """{name: label} of the names that are a text field in every form of the project that has them
    ("body", "answer", "name"): whatever such a field holds is writing, even one word in lower case. The
    label is the one those forms share (None when they differ). Read once, with every form loaded; a
    form's fields added as it is drawn (a pulse's questions) are not among them: its view passes the form."""
    get_resolver().url_patterns  # noqa: B018  (the URLconf imports every view, and the views their forms)
    ours = tuple(f"{app.name}." for app in apps.get_app_configs() if "site-packages" not in app.path)
    labels, other = {}, set()
    for form in _subclasses(forms.BaseForm):
        if not form.__module__.startswith(ours):
            continue
        for name, field in getattr(form, "base_fields", {}).items():
            if not _is_text(field):
                other.add(name)
            elif name not in labels:
                labels[name] = field.label
            elif _msgid(labels[name]) != _msgid(field.label):
                labels[name] = None
    return {name: label for name, label in labels.items() if name not in other}


def _msgid(label):
    """A label in the code's own words (no language active), to compare two labels in any language."""
    with translation.override(None):
        return str(label) if label is not None else None


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def refuse(form, reason):
    """Draw `form` again, bound, with what was typed and `reason` above it: what it changes moved on while
    it was open (opened, answered, marked absent), so nothing is saved."""
    form.is_valid()
    form.add_error(None, reason)


def _admin_prefix():
    return reverse("admin:index")


def form_page(request):
    """The page the form was sent from (its Referer, or htmx's HX-Current-URL, when on this site), else
    the address it posted to."""
    host = f"{request.scheme}://{request.get_host()}"
    for header in ("Referer", "HX-Current-URL"):
        page = request.headers.get(header, "")
        back = back_to(request, page.removeprefix(host)) if page.startswith(host + "/") else None
        if back:
            return back
    return request.get_full_path()


UNSENT = "unsent"  # the session key of what a signed-out person had written
UNSENT_MAX_CHARS = 100_000  # what one form can carry (a story's body is at most 20,000); more is not kept
# How long it waits for its writer to sign in again: not for the days an anonymous session lasts.
UNSENT_KEPT = datetime.timedelta(hours=1)
# Who last signed in with this browser (a signed cookie, set at sign-in): what a signed-out form sent is
# kept only for them and shown only to them, so on a shared computer the next person does not see it,
# and a browser nobody ever signed in with (a script) cannot fill the session table.
WRITER_COOKIE = "lifeline_writer"
_WRITER_SALT = "portal.refused.writer"


def _writer(request):
    """The id of the last person who signed in with this browser, or None."""
    return request.get_signed_cookie(WRITER_COOKIE, default=None, salt=_WRITER_SALT)


class SignInFirstMiddleware(LoginRequiredMiddleware):
    """LoginRequiredMiddleware, keeping what a signed-out person sent (see the module's docstring)."""

    def handle_no_permission(self, request, view_func):
        htmx = request.headers.get("HX-Request") == "true"
        if request.method != "POST":
            if htmx:  # a picker, a filter, "load more": the page stays, and its notice says to reload
                return HttpResponse(status=401)
            return super().handle_no_permission(request, view_func)
        page = form_page(request)
        writer, written = _writer(request), written_text(request)
        kept = writer is not None and written and sum(len(item["text"]) for item in written) <= UNSENT_MAX_CHARS
        if kept:
            request.session[UNSENT] = {"written": written, "at": timezone.now().timestamp(), "by": writer}
        if htmx and not kept:  # a reaction, a sign-up: nothing typed to carry; the page stays, with its notice
            return HttpResponse(status=401)
        response = redirect_to_login(page, resolve_url(self.get_login_url(view_func)), self.get_redirect_field_name(view_func))
        if not htmx:
            return response
        # Text was kept: the whole page goes to sign in and comes back with it. htmx follows HX-Redirect
        # whatever the status (before it looks at the status); 401 says to any log that nothing was answered.
        client_redirect = HttpResponseClientRedirect(response["Location"])
        client_redirect.status_code = 401
        return client_redirect

    def process_response(self, request, response):
        """The writer cookie: set when someone signs in (portal.signals), and for one already signed in
        whose browser has none."""
        writer = getattr(request, "signed_in_writer", None)
        if writer is None and WRITER_COOKIE not in request.COOKIES:
            user = getattr(request, "user", None)
            writer = user.pk if user is not None and user.is_authenticated else None
        if writer is not None:
            response.set_signed_cookie(
                WRITER_COOKIE, writer, salt=_WRITER_SALT, max_age=settings.SESSION_COOKIE_AGE, httponly=True,
                secure=settings.SESSION_COOKIE_SECURE, samesite="Lax",
            )
        return response


def take_unsent(request):
    """What `request`'s person wrote before they had to sign in again (SignInFirstMiddleware), once:
    given to the first page they see signed in within UNSENT_KEPT, and only if it was theirs."""
    if not request.user.is_authenticated or UNSENT not in request.session:
        return []
    unsent = request.session.pop(UNSENT)
    if not isinstance(unsent, dict) or str(unsent.get("by")) != str(request.user.pk):
        return []
    if timezone.now().timestamp() - unsent.get("at", 0) > UNSENT_KEPT.total_seconds():
        return []
    return [item if isinstance(item, dict) else {"label": "", "text": item}  # kept before labels were
            for item in unsent.get("written", [])]


@login_not_required
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: nothing was saved; what was written is shown to copy."""
    context = {"written": written_text(request), "back": form_page(request)}
    return render(request, "not_sent.html", context, status=403)

