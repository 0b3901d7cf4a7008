from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from insights import charts
from insights.periods import FIRST_YEAR, LAST_YEAR, Quarter, add_months, month_start, parse_month
from portal.lib.access import permission_required
from portal.lib.conflicts import redraw
from portal.lib.dates import short_month
from portal.lib.uploads import read_capped
from portal.permissions import can, require
from portal.refused import posts, refuse

from . import selectors, services
from .forms import CloseForm, ComplaintImportForm, IdeaForm, PilotForm, ResultForm, TeamForm
from .models import Idea


def _apply_errors(form, error):
    """A service's ValidationError on the form (field errors where they belong)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _this_month():
    return month_start(timezone.localdate())


def _pattern_chart(pattern, index, display, rtl):
    points = [
        (date_format(month, "YEAR_MONTH_FORMAT"), n, month == pattern.counts[-1][0],
         (short_month(month), str(month.year)))
        for month, n in pattern.counts
    ]
    return charts.column_chart(
        chart_id=f"pattern-{index}", title=pattern.category,
        desc=_("Complaints per month in “%(category)s”, the last month highlighted; the dashed line is the average of the six months before it.")
        % {"category": pattern.category},
        points=points, rtl=rtl, reference=float(pattern.average) or None, reference_label=_("6-month average"),
        display=display,
    )


@require_http_methods(["GET"])
@permission_required("improvement.view")
def patterns(request):
    month = parse_month(request.GET.get("month")) or _this_month()
    shown, most_affected = selectors.patterns(user=request.user, month=month)
    display, rtl = charts.formatter(), get_language_bidi()
    for index, pattern in enumerate(shown):
        pattern.chart = _pattern_chart(pattern, index, display, rtl)
    context = {
        "month": month, "previous": add_months(month, -1), "next": add_months(month, 1) if month < _this_month() else None,
        "patterns": shown, "most_affected": most_affected, "rule": selectors,
        "may_import": can(request.user, "complaint.import"),
    }
    return render(request, "improvements/patterns.html", context)


@permission_required("complaint.import")
@require_http_methods(["GET", "POST"])
def import_view(request):
    form = ComplaintImportForm(request.POST, request.FILES) if request.method == "POST" else ComplaintImportForm()
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        upload = services.complaint_import_start(by=request.user, file_name=file.name, content=read_capped(file))
        return redirect(upload)
    return render(request, "improvements/import.html", {"form": form})


@require_http_methods(["GET"])
@permission_required("complaint.import")
@vary_on_headers("HX-Request")
def import_status(request, pk):
    upload = get_object_or_404(selectors.complaint_imports(), pk=pk)
    template = "improvements/import_status.html#status" if request.htmx else "improvements/import_status.html"
    return render(request, template, {"upload": upload, "form": ComplaintImportForm()})


@require_http_methods(["GET"])
@permission_required("improvement.view")
def idea_list(request):
    status = request.GET.get("status")
    status = status if status in Idea.Status.values else None
    page = Paginator(selectors.idea_list(status=status), 25).get_page(request.GET.get("page"))
    return render(request, "improvements/ideas.html", {
        "page": page, "status": status, "statuses": Idea.Status.choices, "query": f"status={status}" if status else "",
    })


@require_http_methods(["GET", "POST"])
@permission_required("improvement.create")
def idea_new(request):
    if request.method == "POST":
        form = IdeaForm(request.POST, reader=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                idea = services.idea_open(
                    by=request.user, title=data["title"], category=data["category"], problem=data["problem"],
                    proposal=data["proposal"], customers=data["customers"], estimated_cost=data["estimated_cost"],
                    estimated_benefit=data["estimated_benefit"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Idea opened. Invite colleagues and teams to join it."))
                return redirect(idea)
    else:
        category = (request.GET.get("category") or "").replace("\x00", "")[:100]
        month = parse_month(request.GET.get("month")) or _this_month()
        initial = {"category": category}
        if category:
            initial["customers"] = selectors.pattern_customers(category, month)
            initial["problem"] = _("Complaints about “%(category)s” are rising.") % {"category": category}
        form = IdeaForm(initial=initial, reader=request.user)
    return render(request, "improvements/idea_form.html", {"form": form, "idea": None})


def _idea_context(request, idea):
    user = request.user
    teams = {m.team_id for m in idea.members.all() if m.team_id}
    return {
        "idea": idea,
        "pilot": getattr(idea, "pilot", None),
        "customers": [selectors.customer_label_for(c, user) for c in idea.customers.all()],
        "people": [m for m in idea.members.all() if m.user_id],
        "teams": [m for m in idea.members.all() if m.team_id],
        "is_member": any(m.user_id == user.pk for m in idea.members.all()),
        "may_manage": can(user, "improvement.manage", idea),
        "my_team": user.team if user.team_id and can(user, "improvement.team", user) else None,
        "my_team_joined": user.team_id in teams,
        "team_form": TeamForm() if can(user, "admin.site") else None,
    }


@require_http_methods(["GET"])
def idea_detail(request, pk):
    idea = selectors.get_idea_for(request.user, pk)
    return render(request, "improvements/idea.html", _idea_context(request, idea))


@require_http_methods(["GET", "POST"])
def idea_edit(request, pk):
    idea = selectors.get_idea_for(request.user, pk)
    require(request.user, "improvement.manage", idea)
    form = IdeaForm(request.POST or None, instance=Idea.objects.prefetch_related("customers").get(pk=idea.pk),
                    reader=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_edit(by=request.user, idea=idea, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
            redraw(form, error)
        else:
            messages.success(request, _("Idea saved."))
            return redirect(idea)
    return render(request, "improvements/idea_form.html", {"form": form, "idea": idea})


@require_POST
def idea_join(request, pk):
    idea = selectors.get_idea_for(request.user, pk)
    join = request.POST.get("join") != "0"
    try:
        services.idea_join(by=request.user, idea=idea, join=join)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You joined this idea.") if join else _("You left this idea."))
    return redirect(idea)


@require_POST
def idea_team(request, pk):
    """A team leader adds their own team (or takes it off); an admin any team."""
    idea = selectors.get_idea_for(request.user, pk)
    require(request.user, "improvement.team", request.user)
    form = TeamForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a team."))
        return redirect(idea)
    team = form.cleaned_data["team"]
    try:
        services.idea_team_join(by=request.user, idea=idea, team=team, join=form.cleaned_data["join"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(idea)
    if form.cleaned_data["join"]:
        messages.success(request, _("%(team)s joined this idea.") % {"team": team.name})
    else:
        messages.success(request, _("%(team)s left this idea.") % {"team": team.name})
    return redirect(idea)


@require_http_methods(["GET", "POST"])
def pilot_start(request, pk):
    idea = selectors.get_idea_for(request.user, pk)
    require(request.user, "improvement.manage", idea)
    refused = _("Only an open idea can become a pilot.") if idea.status != Idea.Status.OPEN else None
    if refused and request.method != "POST":
        messages.error(request, refused)
        return redirect(idea)
    form = PilotForm(request.POST or None, initial={"owner": request.user.pk})
    if refused:  # it changed while the form was open: the form comes back with what was typed
        refuse(form, refused)
    elif request.method == "POST" and form.is_valid():
        try:
            services.pilot_start(by=request.user, idea=idea, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The idea is now a pilot."))
            return redirect(idea)
    return render(request, "improvements/step_form.html", {"form": form, "idea": idea, "title": _("Start a pilot")})


@require_http_methods(["GET", "POST"])
def pilot_result(request, pk):
    idea = selectors.get_idea_for(request.user, pk)
    require(request.user, "improvement.manage", idea)
    if idea.status != Idea.Status.PILOTING:
        refused = _("Only a running pilot can have its result recorded.")
    else:
        refused = None if idea.pilot.has_started else services.not_started(idea.pilot)
    if refused and (request.method != "POST" or not hasattr(idea, "pilot")):
        messages.error(request, refused)
        return redirect(idea)
    form = ResultForm(request.POST or None, instance=idea.pilot)
    if refused:  # it changed while the form was open: the form comes back with what was typed
        refuse(form, refused)
    elif request.method == "POST" and form.is_valid():
        try:
            services.pilot_record(by=request.user, idea=idea, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The pilot's result is recorded."))
            return redirect(idea)
    return render(request, "improvements/step_form.html", {"form": form, "idea": idea, "title": _("Record the pilot's result")})


@posts(CloseForm)
@require_http_methods(["GET", "POST"])
def idea_close(request, pk):
    """Adopt or drop an idea, on a page that asks why (its history keeps the answer). Sent after the idea
    moved on (dropped by someone else meanwhile), the form comes back with what was written and why not."""
    idea = selectors.get_idea_for(request.user, pk)
    require(request.user, "improvement.manage", idea)
    to = (request.POST if request.method == "POST" else request.GET).get("to", "")
    if to not in (Idea.Status.ADOPTED, Idea.Status.DROPPED):
        raise Http404
    refused = services.close_refused(idea, to)
    if refused and request.method != "POST":
        messages.error(request, refused)
        return redirect(idea)
    form = CloseForm(request.POST or None, initial={"to": to})
    if refused:
        refuse(form, refused)
    elif request.method == "POST" and form.is_valid():
        try:
            services.idea_close(by=request.user, idea=idea, to=to, note=form.cleaned_data["note"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Idea adopted.") if to == Idea.Status.ADOPTED else _("Idea dropped."))
            return redirect(idea)
    adopting = to == Idea.Status.ADOPTED
    return render(request, "improvements/step_form.html", {
        "form": form, "idea": idea, "danger": not adopting,
        "title": _("Adopt the idea") if adopting else _("Drop the idea"),
        "submit": _("Adopt the idea") if adopting else _("Drop the idea"),
        "intro": _("Adopting closes the idea; its pilot and result stay in the quarter's summary.") if adopting else
                 _("A dropped idea cannot be reopened; it stays in the quarter's summary with its history."),
    })


@require_http_methods(["GET"])
@permission_required("improvement.view")
def quarter_current(request):
    current = Quarter.containing()
    return redirect("improvements:quarter", year=current.year, number=current.number)


@require_http_methods(["GET"])
@permission_required("improvement.view")
def quarter(request, year, number):
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= number <= 4):
        raise Http404
    chosen = Quarter(year, number)
    summary = selectors.quarter_summary(chosen)
    user = request.user
    for idea in summary.ideas:
        idea.customer_labels = [selectors.customer_label_for(c, user) for c in idea.customers.all()]
    return render(request, "improvements/quarter.html", {
        "quarter": chosen, "summary": summary, "previous": chosen.shift(-1), "next": chosen.shift(1),
    })


