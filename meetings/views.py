from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from customers.models import Customer
from customers.services import contacts_viewed
from portal.lib.conflicts import redraw
from portal.lib.text import join_list
from portal.models import Team
from portal.permissions import can, require
from portal.refused import refuse

from . import ical, selectors, services
from .forms import AttendanceForm, DebriefForm, MeetingFilterForm, MeetingForm
from .models import CalendarFeed, Debrief, Meeting, Seat
from .offers import offer_path, read_offer_token

PER_PAGE = 20


def get_meeting_for(user, pk, write=False):
    """Every colleague may see every meeting (404 when there is none); only its host and admins
    may change it (403)."""
    try:
        meeting = selectors.meeting_detail(pk)
    except Meeting.DoesNotExist:
        raise Http404 from None
    require(user, "meeting.view")
    if write:
        require(user, "meeting.manage", meeting)
    return meeting


def get_brief_for(user, pk):
    """The meeting, carrying the viewer's own seat (`viewer_seat`), when `user` may read its listener
    brief: a seat (confirmed or waitlisted), the host, leaders and admins (`meeting.brief`); 404 when
    there is no meeting, 403 otherwise."""
    meeting = get_meeting_for(user, pk)
    meeting.viewer_seat = selectors.my_seat(meeting=meeting, user=user)
    require(user, "meeting.brief", meeting, message=_("The listener brief is for the people listening in, the host and leaders."))
    return meeting


def _brief(user, meeting):
    """The brief's context; the FORD notes it shows are recorded as seen, as on the customer page."""
    brief = selectors.meeting_brief(meeting, user)
    if brief["show_ford"]:
        contacts_viewed(by=user, customer=meeting.customer, contacts=brief["contacts"])
    return brief


def _message_of(error):
    return " ".join(error.messages)


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def meeting_list(request):
    form = MeetingFilterForm(request.GET)
    filters, ignored = form.filters()
    if ignored:
        messages.warning(request, _("Some filters were not understood and were ignored: %(names)s.")
                         % {"names": join_list(ignored)})
    meetings = selectors.MeetingList(**filters, user=request.user)
    page = Paginator(meetings, PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": any(filters.values()), "open_only": meetings.open_only,
               "can_host": can(request.user, "meeting.create")}
    template = "meetings/list.html#results" if request.htmx and not request.htmx.boosted else "meetings/list.html"
    return render(request, template, context)


def _attending_options(request, form):
    """htmx, when the customer picked on the meeting form changes: that customer's people to tick."""
    return render(request, "meetings/form.html#attending", {"form": form})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def meeting_new(request):
    require(request.user, "meeting.create")
    form = MeetingForm(request.POST or None, instance=Meeting(host=request.user), customer=request.GET.get("customer"))
    if request.method == "GET" and request.htmx:
        return _attending_options(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            data = {name: value for name, value in form.cleaned_data.items() if name != "seen"}
            meeting = services.meeting_create(by=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Meeting opened. Colleagues can now sign up to listen."))
            return redirect(meeting)
    # None to meet yet (asked only when none is chosen: one chosen exists, or the field says it does not).
    no_customers = not form["customer"].value() and not Customer.objects.exists()
    context = {"form": form, "meeting": None, "no_customers": no_customers}
    return render(request, "meetings/form.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def meeting_edit(request, pk):
    meeting = get_meeting_for(request.user, pk, write=True)
    form = MeetingForm(request.POST or None, instance=meeting, customer=request.GET.get("customer"))
    if request.method == "GET" and request.htmx:
        return _attending_options(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            redraw(form, error)
        else:
            messages.success(request, _("Meeting saved. Confirmed listeners get the update in their calendar."))
            return redirect(meeting)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting})


@require_POST
def meeting_cancel(request, pk):
    meeting = get_meeting_for(request.user, pk, write=True)
    try:
        services.meeting_cancel(by=request.user, meeting=meeting)
        messages.success(request, _("Meeting cancelled. Listeners have been told."))
    except ValidationError as error:
        messages.error(request, _message_of(error))
    return redirect(meeting)


def _detail_context(request, meeting):
    user = request.user
    can_edit = can(user, "meeting.manage", meeting)
    seat = meeting.viewer_seat = selectors.my_seat(meeting=meeting, user=user)
    listeners, waitlist = selectors.meeting_people(meeting) if can_edit else ([], [])
    debriefs = selectors.meeting_debriefs(meeting=meeting, user=user) if meeting.is_past() else []
    my_debrief = next((d for d in debriefs if d.seat.user_id == user.pk), None)
    if seat is not None:
        seat.offer_url = offer_path(seat)
    return {
        "meeting": meeting, "seat": seat, "can_edit": can_edit, "listeners": listeners, "waitlist": waitlist,
        "can_mark_attendance": can_edit and meeting.can_mark_attendance(),
        "debriefs": debriefs, "signup_open": meeting.signup_open(), "is_past": meeting.is_past(),
        "my_debrief": my_debrief,
        "can_make_story": bool(my_debrief and not my_debrief.story_id and can(user, "debrief.to_story", my_debrief.seat)),
    }


@require_http_methods(["GET"])
def meeting_detail(request, pk):
    meeting = get_meeting_for(request.user, pk)
    context = {**_detail_context(request, meeting), **_brief_context(request, meeting)}
    if context["may_read_brief"]:
        context["attending"] = context["brief"]["contacts"] if context["brief"]["attending"] else []  # the brief's query has them
    else:
        context["attending"] = selectors.attending_contacts(meeting)
    return render(request, "meetings/detail.html", context)


def _brief_context(request, meeting):
    """Whether the viewer may read the listener brief (a seat gives it) and, if so, the brief."""
    may_read = can(request.user, "meeting.brief", meeting)
    return {"may_read_brief": may_read, "brief": _brief(request.user, meeting) if may_read else None}


@require_http_methods(["GET"])
def meeting_brief(request, pk):
    """The listener brief on its own page, laid out to print on one A4 or Letter page."""
    meeting = get_brief_for(request.user, pk)
    return render(request, "meetings/brief.html", {"meeting": meeting, "brief": _brief(request.user, meeting)})


def _after_seat_change(request, meeting, *, message=None, error=None, fragment="seat-panel"):
    """htmx gets the fresh fragment with the message inside it; a plain POST redirects."""
    if request.htmx:
        meeting = get_meeting_for(request.user, meeting.pk)
        context = {**_detail_context(request, meeting), "panel_message": message, "panel_error": error}
        response = render(request, f"meetings/detail.html#{fragment}", context)
        if fragment == "seat-panel" and not error:
            # A seat gained or given up opens or closes the listener brief further down the page: it
            # comes along out of band, so the page never says "once you have a seat" to someone who has one.
            brief = {**context, **_brief_context(request, meeting), "oob": True}
            response.content += render_to_string("meetings/detail.html#listener-brief", brief, request=request).encode()
        return response
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect(meeting)


@require_POST
def signup(request, pk):
    meeting = get_meeting_for(request.user, pk)
    try:
        seat = services.seat_claim(by=request.user, meeting=meeting)
    except ValidationError as error:
        return _after_seat_change(request, meeting, error=_message_of(error))
    if seat.status == Seat.Status.CONFIRMED:
        message = _("You have a seat. The invitation is on its way to your inbox.")
    else:
        message = _("The seats are taken, so you are on the waitlist. We will email you if a seat frees up.")
    return _after_seat_change(request, meeting, message=message)


@require_POST
def cancel_seat(request, pk):
    meeting = get_meeting_for(request.user, pk)
    try:
        services.seat_cancel(by=request.user, meeting=meeting)
    except ValidationError as error:
        return _after_seat_change(request, meeting, error=_message_of(error))
    return _after_seat_change(request, meeting, message=_("You are no longer signed up for this meeting."))


@require_POST
def remove_listener(request, pk, seat_pk):
    meeting = get_meeting_for(request.user, pk, write=True)
    seat = get_object_or_404(meeting.seat_set.select_related("user"), pk=seat_pk)
    try:
        services.seat_remove(by=request.user, meeting=meeting, seat=seat)
    except ValidationError as error:
        return _after_seat_change(request, meeting, error=_message_of(error), fragment="people")
    message = _("%(name)s was removed and has been told by email.") % {"name": seat.user.name}
    return _after_seat_change(request, meeting, message=message, fragment="people")


@require_http_methods(["GET", "POST"])
def attendance(request, pk):
    """The host marks who came, once the meeting has taken place; no-shows are seen only here, by the
    host and admins, and by each person on their own pages."""
    meeting = get_meeting_for(request.user, pk)
    require(request.user, "meeting.attendance", meeting)
    if not meeting.can_mark_attendance():
        messages.info(request, _("Attendance can be marked once the meeting has taken place."))
        return redirect(meeting)
    seats = selectors.attendance_seats(meeting)
    form = AttendanceForm(request.POST or None, seats=seats, marked=meeting.attendance_marked_at is not None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_mark(by=request.user, meeting=meeting, attended=form.cleaned_data["attended"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect(meeting)
    return render(request, "meetings/attendance.html", {"meeting": meeting, "form": form, "seats": seats})


def _offered_seat(request, token):
    """The seat an offer link names, if it is the signed-in person's and the link is this offer's (404
    otherwise: a link forwarded to a colleague, tampered with, or of an earlier offer, opens nothing)."""
    found = read_offer_token(token)
    if found is None:
        raise Http404
    seat_id, deadline = found
    seat = get_object_or_404(Seat.objects.select_related("meeting__customer", "meeting__host"), pk=seat_id)
    if not can(request.user, "offer.respond", seat):
        raise Http404
    if seat.status == Seat.Status.OFFERED and int(seat.offer_expires_at.timestamp()) != deadline:
        raise Http404
    return seat


@require_http_methods(["GET", "POST"])
def offer(request, token):
    """The page an offer email links to: the held seat, its deadline, and Accept and Decline buttons.
    A GET never changes anything (mail scanners open links); the buttons POST here."""
    seat = _offered_seat(request, token)
    meeting = seat.meeting
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                seat = services.seat_offer_accept(by=request.user, seat=seat)
            elif action == "decline":
                seat = services.seat_offer_decline(by=request.user, seat=seat)
            else:
                return _after_seat_change(request, meeting, error=_("Choose to accept or decline the seat."))
        except ValidationError as error:
            return _after_seat_change(request, meeting, error=_message_of(error))
        if seat.status == Seat.Status.CONFIRMED:
            message = _("You have a seat. The invitation is on its way to your inbox.")
        elif seat.status == Seat.Status.LAPSED:
            return _after_seat_change(
                request, meeting, error=_("Sorry, the time to accept this seat has passed; it went to the next person waiting."))
        else:
            message = _("You declined the seat; it goes to the next person waiting.")
        return _after_seat_change(request, meeting, message=message)
    seat.offer_url = request.path
    return render(request, "meetings/offer.html", {"meeting": meeting, "seat": seat})


@require_http_methods(["GET"])
def mine(request):
    context = {**selectors.my_meetings(user=request.user), "feed": services.calendar_feed_get(user=request.user)}
    return render(request, "meetings/mine.html", context)


@require_http_methods(["GET"])
def team(request, slug):
    team = get_object_or_404(Team, slug=slug)
    context = {"team": team, "leaders": selectors.team_leaders(team=team), "quota": selectors.quota(),
               "expected": selectors.expected_by_now()}
    return render(request, "meetings/team.html", context)


@login_not_required
@require_http_methods(["GET"])
def calendar_feed(request, token):
    if "\x00" in token:  # no token has one, and PostgreSQL refuses to compare text with a NUL
        raise Http404
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    calendar = ical.feed(selectors.feed_meetings(user=feed.user), reader=feed.user)
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def calendar_reset(request):
    services.calendar_feed_reset(by=request.user)
    messages.success(request, _("Your calendar feed has a new address. The old one no longer works."))
    return redirect("meetings:mine")


@require_http_methods(["GET", "POST"])
def debrief(request, pk):
    meeting = get_meeting_for(request.user, pk)
    seat = meeting.seat_set.filter(user=request.user, status=Seat.Status.CONFIRMED).first()
    require(request.user, "debrief.write", seat)
    if not meeting.is_past() or meeting.is_cancelled:
        refused = _("You can write your debrief once the meeting has taken place.")
    elif seat.is_no_show:
        refused = _("The host marked you as not attending, so there is no debrief to write.")
    else:
        refused = None
    if refused and request.method != "POST":
        messages.info(request, refused)
        return redirect(meeting)
    form = DebriefForm(request.POST or None, instance=Debrief.objects.filter(seat=seat).first())
    if refused:  # it changed while the form was open (marked not attending, moved): what was typed comes back
        refuse(form, refused)
    elif request.method == "POST" and form.is_valid():
        try:
            services.debrief_save(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. Your debrief is saved; colleagues can read it on the meeting page."))
            return redirect(meeting)
    return render(request, "meetings/debrief.html", {"meeting": meeting, "form": form})


@require_POST
def debrief_to_story(request, pk):
    meeting = get_meeting_for(request.user, pk)
    debrief = get_object_or_404(Debrief.objects.select_related("seat"), seat__meeting=meeting, seat__user=request.user)
    require(request.user, "debrief.to_story", debrief.seat)  # the button is hidden otherwise: 403
    try:
        story_id = services.debrief_to_story(by=request.user, debrief=debrief)
    except ImportError:
        messages.error(request, _("Stories are not available yet."))
        return redirect(meeting)
    except PermissionDenied:
        messages.error(request, _("Only leaders, hosts and admins can write stories."))
        return redirect(meeting)
    messages.success(request, _("A draft story for your team is ready. Edit it and publish it when you like."))
    return redirect(_story_url(story_id) or meeting.get_absolute_url())


def _story_url(story_id):
    try:
        return apps.get_model("stories", "Story").objects.get(pk=story_id).get_absolute_url()
    except (LookupError, ObjectDoesNotExist, AttributeError):
        return None


@require_POST
def debrief_react(request, pk, debrief_pk):
    meeting = get_meeting_for(request.user, pk)
    debrief = get_object_or_404(Debrief.objects.select_related("seat"), seat__meeting=meeting, pk=debrief_pk)
    try:
        services.debrief_react(by=request.user, debrief=debrief)
    except ValidationError as error:
        return _after_seat_change(request, meeting, error=_message_of(error), fragment="debriefs")
    return _after_seat_change(request, meeting, fragment="debriefs")
