from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from customers.services import contacts_viewed_across
from customers.timeline import Cursor, timeline as build_timeline
from customers.views import get_customer_for
from portal.lib.conflicts import redraw
from portal.lib.urls import back_to
from portal.models import Team
from portal.permissions import can, require
from portal.refused import posts, written_text

from . import selectors, services
from .forms import NoteEditForm, NoteForm, RespondForm, TimelineFilterForm, TouchForm
from .models import Note, Touch


def get_note_for(user, pk):
    """The note, or 404 when it does not exist or `user` may not read it (one access funnel)."""
    note = selectors.note_for(user, pk)
    if note is None:
        raise Http404
    return note


def _note_form(customer, user, data=None):
    """"For the account owner" is offered when the customer has one other than the writer."""
    contacts, teams = selectors.note_form_choices(customer)
    return NoteForm(data, contacts=contacts, teams=teams, all_teams=Team.objects.order_by("name"),
                    may_route_to_owner=customer.account_owner_id not in (None, user.pk), prefix="note")


def _timeline_context(request, customer, *, form=None):
    filter_form = TimelineFilterForm(request.GET)
    filters = filter_form.filters()
    before = Cursor.decode(request.GET.get("before"))
    entries, more = build_timeline(customer, request.user, before=before, **filters)
    query = request.GET.copy()
    query.pop("before", None)
    may_write = can(request.user, "note.write", customer)
    return {
        "customer": customer, "entries": entries, "next_cursor": more.encode() if more else "",
        "filter_form": filter_form, "query": query.urlencode(), "is_more": before is not None,
        "may_write": may_write, "form": form if form is not None else (_note_form(customer, request.user) if may_write and before is None else None),
    }


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def timeline(request, slug):
    """The customer's timeline: the whole page, or (htmx) its fragment; with `before`, the next entries
    only (the "Older" link appends them). Queries: the customer, one per source shown, and the note
    form's contacts and teams on the first page for those who may add notes."""
    customer = get_customer_for(request.user, slug)
    context = _timeline_context(request, customer)
    if request.htmx and context["is_more"]:
        return render(request, "loops/timeline.html#entries", context)
    if request.htmx:
        return render(request, "loops/timeline.html#timeline", context)
    return render(request, "loops/timeline.html", context)


@require_http_methods(["GET", "POST"])
def note_add(request, slug):
    customer = get_customer_for(request.user, slug)
    require(request.user, "note.write", customer)
    form = _note_form(customer, request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.note_add(
                by=request.user, customer=customer, kind=data["kind"], text=data["text"], contact=data["contact"],
                link=data["link"], visibility=data["visibility"], audience=data["audience"], route=data["route"] or "",
                route_team=data["route_team"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Note added to the timeline."))
            if request.htmx:
                request.GET = request.GET.copy()  # the first page, no filters
                context = _timeline_context(request, customer)
                context["added"] = note  # takes the focus (lifeline.js)
                return render(request, "loops/timeline.html#timeline", context)
            return redirect(reverse("customers:detail", kwargs={"slug": customer.slug}) + "#section-timeline")
    if request.htmx:
        return render(request, "loops/timeline.html#timeline", _timeline_context(request, customer, form=form))
    return render(request, "loops/note_form.html", {"customer": customer, "form": form})


@require_http_methods(["GET"])
def note_detail(request, pk):
    note = get_note_for(request.user, pk)
    may_edit = can(request.user, "note.edit", note) and not note.is_settled
    return render(request, "loops/note.html", {"note": note, "customer": note.customer, "form": RespondForm(),
                                               "may_edit": may_edit})


@require_http_methods(["GET", "POST"])
def note_edit(request, pk):
    """Correct one's own note (admins any) while it is not routed or still waits for an answer. One answered
    while the form was open is refused by the service, and the form comes back with what was typed."""
    note = get_note_for(request.user, pk)
    require(request.user, "note.edit", note)
    customer = note.customer
    if note.is_settled and request.method != "POST":  # a correction sent meanwhile comes back with its text
        messages.error(request, _("This note has been answered: it stays as it was when it was answered."))
        return redirect(note)
    contacts, _teams = selectors.note_form_choices(customer)
    form = NoteEditForm(request.POST if request.method == "POST" else None, note=note, contacts=contacts,
                        all_teams=Team.objects.order_by("name"), prefix="note")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.note_edit(by=request.user, note=note, kind=data["kind"], text=data["text"], contact=data["contact"],
                               link=data["link"], visibility=data["visibility"], audience=data["audience"],
                               seen=data["seen"])
        except ValidationError as error:
            form.add_error(None, error)
            redraw(form, error)
        else:
            messages.success(request, _("Note saved."))
            return redirect(note)
    return render(request, "loops/note_edit.html", {"note": note, "customer": customer, "form": form})


@require_POST
def note_delete(request, pk):
    note = get_note_for(request.user, pk)
    customer = note.customer
    try:
        services.note_delete(by=request.user, note=note)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(note)
    messages.success(request, _("Note deleted."))
    return redirect(reverse("loops:timeline", kwargs={"slug": customer.slug}))


@posts(RespondForm)
@require_POST
def note_respond(request, pk):
    note = get_note_for(request.user, pk)
    require(request.user, "note.respond", note)
    form = RespondForm(request.POST)
    error = None
    if form.is_valid():
        try:
            note = services.note_respond(by=request.user, note=note, answer=form.cleaned_data["answer"],
                                         acknowledge=form.cleaned_data["acknowledge"])
        except ValidationError as e:
            error = e.messages[0]
    else:
        error = _("Your answer is too long: at most 500 characters.")
    note = selectors.note_for(request.user, note.pk)
    # Answered by someone else meanwhile: the form is gone, so what this person wrote is shown to copy.
    written = written_text(request, form) if error and note.status != Note.Status.OPEN else []
    # The page the answer was sent from, for the form drawn again (not this address, which takes only POST).
    target = back_to(request, request.POST.get("next"))
    if request.htmx:
        return render(request, "loops/note.html#note-status",
                      {"note": note, "form": form, "error": error, "written": written, "respond_next": target})
    if error:  # the note's page, with the answer as it was written, to shorten it
        may_edit = can(request.user, "note.edit", note) and not note.is_settled
        return render(request, "loops/note.html", {"note": note, "customer": note.customer, "form": form,
                                                   "error": error, "written": written, "may_edit": may_edit,
                                                   "respond_next": target or note.get_absolute_url()},
                      status=400)
    messages.success(request, _("Thank you: the note is answered."))
    return HttpResponseRedirect(target) if target else redirect(note)


def _rhythm_context(user):
    week = selectors.week_progress(user)
    context = {"week": week, "on": week is not None, "touch_kinds": Touch.Kind.choices}
    if week is not None:
        # FORD openers only for those who may see contacts' FORD notes (as on the customer page and the
        # listener brief: "customer.view"); each one shown is audited like any other view.
        context["suggestions"] = selectors.suggestions(user, show_ford=can(user, "customer.view"))
        context["touches"] = selectors.my_week_touches(user)
        contacts_viewed_across(by=user, contacts=[c for c in context["suggestions"]["contacts"] if c.opener])
    return context


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def rhythm(request):
    require(request.user, "rhythm.use")
    context = _rhythm_context(request.user)
    return render(request, "loops/rhythm.html#rhythm" if request.htmx else "loops/rhythm.html", context)


@require_POST
def rhythm_set(request):
    services.rhythm_set(by=request.user, on=request.POST.get("on") == "1")
    return redirect("loops:rhythm")


@require_POST
def touch_log(request, slug):
    customer = get_customer_for(request.user, slug)
    require(request.user, "touch.log", customer)
    form = TouchForm(request.POST)
    contact = None
    if form.is_valid() and form.cleaned_data["contact"]:
        contact = get_object_or_404(customer.contacts, pk=form.cleaned_data["contact"])
    if not form.is_valid():
        messages.error(request, _("Choose an email, a card or a call."))
    else:
        touch = services.touch_log(by=request.user, customer=customer, kind=form.cleaned_data["kind"], contact=contact)
        messages.success(request, _("Logged: %(kind)s with %(name)s.") % {
            "kind": touch.get_kind_display(), "name": contact.name if contact else customer.name})
    if request.htmx and can(request.user, "rhythm.use"):
        return render(request, "loops/rhythm.html#rhythm", _rhythm_context(request.user))
    return redirect("loops:rhythm" if can(request.user, "rhythm.use") else customer.get_absolute_url())
