from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.lib.conflicts import redraw
from portal.middleware import speak_to_recipient
from portal.permissions import require
from portal.refused import UNREADABLE, refuse, written_text

from . import selectors, services
from .forms import AnswerForm, SurveyForm, end_of_day
from .models import MAX_QUESTIONS, MIN_ANSWERS, Invitation, Question, Survey
from .tokens import read_answer_token

# -- answering ------------------------------------------------------------------------------------


def _written(request, survey=None):
    """What was written in answers sent to a pulse that no longer takes them, to copy: its questions (or,
    once no pulse is open, the ones the answers name) tell the words from a number on the scale."""
    if survey is not None:
        return written_text(request, AnswerForm(questions=survey.questions.all()))
    try:
        ids = [int(name[1:]) for name in request.POST if name[:1] == "q" and name[1:].isdigit()]
    except UNREADABLE:
        return []  # written_text keeps nothing of it either
    return written_text(request, AnswerForm(questions=Question.objects.filter(pk__in=ids[:MAX_QUESTIONS])))


def _answer(request, invitation, *, signed_in):
    """The one page with every question. A used, closed or unknown invitation gets a page saying so
    (status 410 or 404), and nothing is saved; what was written in answers sent to it is shown to copy."""
    survey = invitation.survey if invitation else None
    state = None
    if invitation is None:
        state, status = "unknown", 404
    elif invitation.answered_on is not None:
        # From the menu, signed in, it is a page like any other; an email link used twice is gone.
        state, status = "answered", 200 if signed_in and request.method == "GET" else 410
    elif not survey.is_open() or not invitation.user.is_active:
        state, status = "closed", 410
    if state:
        context = {"state": state, "survey": survey, "signed_in": signed_in}
        if request.method == "POST" and state != "unknown":
            messages.error(request, _("Nothing was saved."))
            context["written"] = _written(request, survey)  # closed at the end of the day while it was being filled in
        return render(request, "survey/answer.html", context, status=status)
    questions = list(survey.questions.all())
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        if invitation.pk is None:  # signed in, joined after the pulse opened: invited now, as they answer
            invitation = services.invitation_for(invitation.user, survey)
        try:
            services.response_submit(invitation=invitation, answers=form.answers())
        except services.NotAnswerable:
            context = {"state": "closed", "survey": survey, "signed_in": signed_in, "written": _written(request, survey)}
            return render(request, "survey/answer.html", context, status=410)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return render(request, "survey/answer.html", {"state": "thanks", "survey": survey, "signed_in": signed_in})
    return render(request, "survey/answer.html", {"state": "form", "form": form, "survey": survey, "signed_in": signed_in,
                                                   "min_answers": MIN_ANSWERS})


@login_not_required
@require_http_methods(["GET", "POST"])
def answer(request, token):
    """From the email link, signed in or not: the signed key names the invitation."""
    found = read_answer_token(token) if "\x00" not in token else None
    invitation = selectors.invitation_for_answer(*found) if found else None
    speak_to_recipient(request, invitation.user if invitation else None)
    return _answer(request, invitation, signed_in=False)


@require_http_methods(["GET", "POST"])
def mine(request):
    """This quarter's pulse for the signed-in person (the home page links here)."""
    require(request.user, "survey.take")
    survey = selectors.current_survey()
    if survey is None:
        context = {"state": "none", "signed_in": True}
        if request.method == "POST":  # it closed while the form was open: what was written is shown to copy
            messages.error(request, _("Nothing was saved."))
            context["written"] = _written(request)
            return render(request, "survey/answer.html", context, status=410)
        return render(request, "survey/answer.html", context)
    # A GET changes nothing: someone with no invitation yet (they joined after it opened) gets one on answering.
    invitation = selectors.invitation_of(request.user, survey) or Invitation(survey=survey, user=request.user)
    invitation.survey, invitation.user = survey, request.user
    return _answer(request, invitation, signed_in=True)


# -- setting the questions (admins) ---------------------------------------------------------------


@require_http_methods(["GET"])
def manage(request):
    require(request.user, "survey.manage")
    return render(request, "survey/manage.html", {"surveys": selectors.surveys_for_manage(), "min_answers": MIN_ANSWERS})


@require_http_methods(["GET", "POST"])
def edit(request, pk=None):
    require(request.user, "survey.manage")
    survey = selectors.get_survey_for_manage(request.user, pk) if pk else None
    opened = survey is not None and survey.status != Survey.Status.DRAFT
    if opened and request.method != "POST":
        messages.info(request, _("The pulse is open: its questions can no longer change."))
        return redirect("survey:manage")
    previous = None if survey else Survey.objects.prefetch_related("questions").order_by("-year", "-quarter").first()
    form = SurveyForm(request.POST or None, survey=survey, initial=SurveyForm.initial_for(survey, previous))
    if opened:  # opened by another admin while this form was open: what was typed comes back, to copy
        refuse(form, _("The pulse was opened while you were editing it: its questions can no longer change."
                       " What you wrote is below, not saved."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.survey_save(by=request.user, survey=survey, year=data["year"], quarter=data["number"],
                                 title=data["title"], closes_at=end_of_day(data["closes_on"]),
                                 questions=data["questions"], seen=data["seen"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            redraw(form, error)
        else:
            messages.success(request, _("Questions saved. Open the pulse when they are ready."))
            return redirect("survey:manage")
    return render(request, "survey/form.html", {"form": form, "survey": survey, "opened": opened})


@require_POST
def open_survey(request, pk):
    survey = selectors.get_survey_for_manage(request.user, pk)
    try:
        _survey, opened = services.survey_open(by=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if opened:
            messages.success(request, _("The pulse is open: everyone is getting their link by email."))
    return redirect("survey:manage")


@require_POST
def close_survey(request, pk):
    survey = selectors.get_survey_for_manage(request.user, pk)
    services.survey_close(by=request.user, survey=survey)
    messages.success(request, _("The pulse is closed; its links no longer work."))
    return redirect("survey:manage")


# -- results --------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def results(request, pk):
    """A pulse's answers per team, without names: leaders their own team, admins every team."""
    require(request.user, "survey.results")
    survey = Survey.objects.filter(pk=pk).exclude(status=Survey.Status.DRAFT).first()
    if survey is None:
        raise Http404
    teams = list(selectors.results_teams(request.user))
    figures = selectors.results(teams=teams, quarters=[(survey.year, survey.quarter)]).get((survey.year, survey.quarter))
    words, _counts = selectors.free_text(survey, teams)
    return render(request, "survey/results.html", {
        "survey": survey, "figures": figures, "words": words, "min_answers": MIN_ANSWERS,
    })
