import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from portal.lib.conflicts import redraw
from portal.lib.text import join_list
from portal.permissions import can, require
from portal.refused import posts, written_text

from . import evidence, selectors, services
from .forms import (
    CheckOnForm, DecisionForm, ImpactCheckForm, ImpactReviewForm, LogFilterForm, OutcomeForm, ReviewRequestForm,
)
from .models import Decision

TRANSITION_LABELS = {
    Decision.Status.IN_REVIEW: (gettext_lazy("Open for review"), gettext_lazy("Reopen for revisiting")),
    Decision.Status.DECIDED: (gettext_lazy("Decide"), gettext_lazy("Decide")),
    Decision.Status.REJECTED: (gettext_lazy("Reject"), gettext_lazy("Reject")),
    Decision.Status.WITHDRAWN: (gettext_lazy("Withdraw"), gettext_lazy("Withdraw")),
}


def get_decision_for(user, pk, write=False, detail=False):
    """Everyone signed in reads every decision; only its owner, the team's leaders and admins write.

    404 when it does not exist, PermissionDenied when `user` may only read."""
    if detail:
        decision = selectors.decision_detail(pk)
        if decision is None:
            raise Http404
    else:
        decision = get_object_or_404(Decision.objects.select_related("team", "owner"), pk=pk)
    require(user, "decision.view")
    if write:
        require(user, "decision.manage", decision)
    return decision


def _apply_errors(form, error):
    """Put a service's ValidationError on the form (field errors where they belong)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _transitions(decision):
    labels = []
    for status in decision.allowed_transitions():
        new, reopen = TRANSITION_LABELS[status]
        labels.append((status, reopen if decision.status == Decision.Status.DECIDED else new))
    return labels


def get_page_for(user, pk):
    """The decision with everything its page shows and the viewer's own request and review
    (selectors.decision_detail): 404 when it does not exist."""
    decision = selectors.decision_detail(pk, viewer=user)
    if decision is None:
        raise Http404
    require(user, "decision.view")
    return decision


def _detail_context(request, decision, *, review_form=None, errors=()):
    """The page's data: the parts every reader sees alike are kept by the template ({% fragment %},
    keyed by what they show); what is this viewer's own is computed here on every request."""
    user = request.user
    accepts = decision.accepts_reviews()
    my_review = None
    if decision.my_review_id and (accepts or review_form is not None):  # only their form shows it
        my_review = selectors.viewer_review(decision.my_review_id)
    blank_review_form = None
    if review_form is None and accepts:
        if my_review is None:
            blank_review_form = SimpleLazyObject(lambda: ImpactReviewForm.for_review(None))  # built only when its kept fields are drawn
        else:
            review_form = ImpactReviewForm.for_review(my_review)
    can_edit = can(user, "decision.manage", decision)
    in_review = decision.status == Decision.Status.IN_REVIEW
    check = decision.impact_check
    may_record = False
    if check is not None:
        # The reviewers from the rows the page has already loaded: no query of its own.
        check.reviewer_ids = {r.author_id for r in decision.reviews.all()} | {
            r.reviewer_id for r in decision.review_requests.all()
        }
        may_record = can(user, "impact_check.record", check)
    return {
        "may_record": may_record,
        "check": check,
        "check_evidence": evidence.shown(check.evidence) if check is not None and check.is_recorded() else [],
        "check_on_default": services.check_on_default(),
        "decision": decision,
        "reviews": decision.reviews.all(),
        "review_requests": decision.review_requests.all(),
        "events": decision.events.all(),
        "today": timezone.localdate(),
        "my_review": my_review,
        "my_request_due": decision.my_request_due,
        "review_form": review_form,
        "blank_review_form": blank_review_form,
        "review_blank": blank_review_form is not None,  # not `blank_review_form` itself: that would build it
        "can_edit": can_edit,
        "transitions": _transitions(decision),
        # Shown only to those who may move it along.
        "decide_blockers": services.decide_errors(decision) if can_edit and in_review else [],
        "errors": errors,
    }


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def log(request):
    form = LogFilterForm(request.GET, teams=selectors.log_filter_teams())
    filters, ignored = form.filters()
    if ignored:
        messages.warning(request, _("Some filters were not understood and were ignored: %(names)s.") % {"names": join_list(ignored)})

    decisions = selectors.decision_list(user=request.user, **filters)
    page = Paginator(decisions, settings.LIFELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.log_rows(page.object_list)
    context = {"form": form, "filters": filters, "filtered": any(filters.values()), "page": page}
    template = "decisions/log.html#results" if request.htmx and not request.htmx.boosted else "decisions/log.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def new(request):
    initial = {"team": request.user.team_id, "owner": request.user.pk, "decide_by": timezone.localdate() + datetime.timedelta(days=14)}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "seen"}
        try:
            decision = services.decision_create(by=request.user, **data)
        except PermissionDenied:
            form.add_error(None, _("You can record a decision you own yourself, or for a team you lead."))
        else:
            messages.success(request, _("Decision recorded. Ask for customer impact reviews next."))
            return redirect(decision)
    return render(request, "decisions/form.html", {"form": form, "decision": None})


@require_http_methods(["GET"])
def detail(request, pk):
    decision = get_page_for(request.user, pk)
    return render(request, "decisions/detail.html", _detail_context(request, decision))


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    decision = get_decision_for(request.user, pk, write=True)
    prefetch_related_objects([decision], "customers")  # read once, for the form and its fingerprint
    customers = list(decision.customers.all())
    form = DecisionForm(request.POST or None, instance=decision, initial={"customers": customers})
    form.fields["customers"].widget.remember(customers)  # the picker shows them without fetching them again
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update(by=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
            redraw(form, error)
        else:
            messages.success(request, _("Decision saved."))
            return redirect(decision)
    return render(request, "decisions/form.html", {"form": form, "decision": decision})


@require_http_methods(["GET", "POST"])
def request_reviews(request, pk):
    decision = get_decision_for(request.user, pk, write=True)
    form = ReviewRequestForm(request.POST or None, initial={"due_date": services.due_default()})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.reviews_request(by=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, ngettext("Asked %(count)s more person for a customer impact review.",
                     "Asked %(count)s more people for a customer impact review.", len(created)) % {"count": len(created)})
            return redirect(decision)
    return render(request, "decisions/request_reviews.html", {"form": form, "decision": decision})


@posts(ImpactReviewForm)
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """File or edit my impact review. htmx gets the reviews region back; a plain POST redirects."""
    if request.method == "GET":
        return redirect(get_decision_for(request.user, pk).get_absolute_url() + "#my-review")
    decision = get_decision_for(request.user, pk)
    form = ImpactReviewForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.review_submit(by=request.user, decision=decision, **form.cleaned_data)
            saved = True
        except ValidationError as error:
            _apply_errors(form, error)
    if saved and not request.htmx:
        messages.success(request, _("Thank you: your customer impact review is saved."))
        return redirect(decision.get_absolute_url() + "#impact-reviews")
    decision = get_page_for(request.user, pk)  # after the save: what the page shows now
    context = _detail_context(request, decision, review_form=None if saved else form)
    context["review_saved"] = saved
    if request.htmx:
        # The reviews region, and out of band the requests and history beside it (both changed).
        parts = [render_to_string("decisions/detail.html#impact-reviews", context, request)]
        if saved:
            for name in ("review-requests", "history"):
                parts.append(render_to_string(f"decisions/detail.html#{name}", {**context, "oob": True}, request))
        return HttpResponse("".join(parts))
    return render(request, "decisions/detail.html", context, status=400 if form.non_field_errors() else 200)


@require_POST
def transition(request, pk):
    decision = get_decision_for(request.user, pk, write=True)
    to = request.POST.get("to", "")
    check_form = CheckOnForm(request.POST)
    try:
        if to == Decision.Status.DECIDED and not check_form.is_valid():
            raise ValidationError(check_form.errors["check_on"])
        check_on = check_form.cleaned_data.get("check_on") if to == Decision.Status.DECIDED else None
        decision = services.decision_transition(by=request.user, decision=decision, to=to, check_on=check_on)
    except ValidationError as error:
        decision = get_page_for(request.user, pk)
        return render(request, "decisions/detail.html", _detail_context(request, decision, errors=error.messages), status=400)
    messages.success(request, _("The decision is now %(status)s.") % {"status": decision.get_status_display().lower()})
    return redirect(decision)


@require_http_methods(["GET", "POST"])
def outcome(request, pk):
    decision = get_decision_for(request.user, pk, write=True, detail=True)
    initial = {
        "outcome": decision.outcome, "impact_handling": decision.impact_handling, "impact_response": decision.impact_response,
        "check_on": services.check_on_default(),
    }
    decide = request.POST.get("decide") == "1"
    form = OutcomeForm(request.POST or None, initial=initial, deciding=decide, serious_harm=decision.has_serious_harm())
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record_outcome(by=request.user, decision=decision, decide=decide, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Decided. The outcome is recorded.") if decide else _("Outcome saved."))
            return redirect(decision)
    serious = [r for r in decision.reviews.all() if r.is_serious_harm()]
    return render(request, "decisions/outcome.html", {"form": form, "decision": decision, "serious_reviews": serious})


def get_check_for(user, pk):
    """The decision's newest impact check, for someone who may record it (the decider, a reviewer, an
    admin): 404 when the decision has none, PermissionDenied for anyone else."""
    check = selectors.check_for_page(pk)
    if check is None:
        raise Http404
    require(user, "decision.view")
    require(user, "impact_check.record", services.with_reviewer_ids(check))
    return check


@posts(ImpactCheckForm)
@require_http_methods(["GET", "POST"])
def check(request, pk):
    """Record what actually happened for customers: better, as predicted, worse or unknown, with evidence."""
    check = get_check_for(request.user, pk)
    decision = check.decision
    form = ImpactCheckForm(request.POST or None, stories=selectors.check_story_choices(decision, request.user))
    customers = list(decision.customers.order_by("name", "pk"))
    if request.method == "POST" and not check.is_recorded() and form.is_valid():
        try:
            services.impact_check_record(by=request.user, check=check, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you: what happened for customers is recorded."))
            return redirect(decision.get_absolute_url() + "#impact-check")
    written = []
    if check.is_recorded():
        if request.method == "POST":  # by someone else meanwhile: theirs is shown, and this person's note to copy
            form.add_error(None, _("What happened was already recorded for this check. Reload the page to see it."))
            written = written_text(request, form)
        shown = evidence.shown(check.evidence)
    else:
        shown = evidence.shown(evidence.gather(check, customers))
    context = {
        "form": form, "check": check, "decision": decision, "customers": customers, "evidence": shown,
        "predicted": selectors.log_rows([decision])[0],  # the decision with its review tally
        "written": written,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "decisions/check.html", context, status=status)


@require_POST
def reopen_after_check(request, pk):
    """One click: reopen a decision whose impact was worse than predicted, the check opening the new round."""
    check = selectors.check_for_page(pk)
    if check is None:
        raise Http404
    require(request.user, "decision.view")
    require(request.user, "decision.manage", check.decision)
    try:
        services.decision_reopen_after_check(by=request.user, check=check)
    except ValidationError as error:
        messages.error(request, join_list(error.messages))
    else:
        messages.success(request, _("The decision is open for review again. The impact check is the first entry of its new round."))
    return redirect(check.decision.get_absolute_url())
