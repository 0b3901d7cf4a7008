"""Reads for the employee pulse, each a fixed number of queries whatever the data size. Results are
grouped in the database per (survey, team, question); a team's figures and words are shown only when
at least MIN_ANSWERS people of that team answered."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from portal.models import Team
from portal.permissions import can

from .models import MIN_ANSWERS, Answer, Invitation, Question, Response, Survey


def open_surveys(now=None):
    return Survey.objects.filter(status=Survey.Status.OPEN, closes_at__gt=now or timezone.now())


def current_survey(now=None):
    """The newest open pulse, or None."""
    return open_surveys(now).order_by("-year", "-quarter").first()


def open_survey_panel(user, *, now=None):
    """The home panel: this quarter's pulse while it is open, and whether the viewer has answered. One query."""
    if not getattr(user, "is_authenticated", False):
        return None
    answered = Invitation.objects.filter(survey=OuterRef("pk"), user=user, answered_on__isnull=False)
    survey = open_surveys(now).annotate(answered=Exists(answered)).order_by("-year", "-quarter").first()
    if survey is None:
        return None
    return {"survey": survey, "answered": survey.answered}


def surveys_for_manage():
    """Every pulse, newest first, with its questions, invitations sent and answers counted. Two queries."""
    return (
        Survey.objects.annotate(
            invited=Count("invitations", distinct=True),
            answered=Count("invitations", filter=Q(invitations__answered_on__isnull=False), distinct=True),
        )
        .prefetch_related("questions")
        .order_by("-year", "-quarter")
    )


def get_survey_for_manage(user, pk):
    if not can(user, "survey.manage"):
        raise Http404
    survey = Survey.objects.filter(pk=pk).prefetch_related("questions").first()
    if survey is None:
        raise Http404
    return survey


def invitation_for_answer(invitation_id, survey_id):
    return Invitation.objects.filter(pk=invitation_id, survey_id=survey_id).select_related("survey", "user").first()


def invitation_of(user, survey):
    return Invitation.objects.filter(survey=survey, user=user).first()


def results_teams(user):
    """Whose pulse results a viewer may read beside the scorecard: admins every team, anyone else their own."""
    if can(user, "survey.manage"):
        return Team.objects.order_by("name", "id")
    return Team.objects.filter(pk=user.team_id).order_by("name", "id")


# -- results ------------------------------------------------------------------------------------


@dataclass
class TeamResult:
    team: Team
    answers: int = 0  # how many people of the team answered
    means: dict = field(default_factory=dict)  # {question id: mean}, only when shown
    cells: list = field(default_factory=list)  # the means in the order of the survey's scale questions

    @property
    def shown(self):
        return self.answers >= MIN_ANSWERS


@dataclass
class SurveyResults:
    survey: Survey
    questions: list  # the scale questions, in order
    teams: list  # [TeamResult] in the order of the teams asked for
    text_questions: list = field(default_factory=list)


def results(*, teams, quarters):
    """{(year, quarter): SurveyResults} for the pulses of those quarters (quarters are (year, number)),
    each team's answers counted and, from MIN_ANSWERS answers up, the mean of each scale question.
    Three queries."""
    teams = list(teams)
    team_ids = [t.pk for t in teams]
    wanted = Q()
    for year, number in quarters:
        wanted |= Q(survey__year=year, survey__quarter=number)
    if not quarters or not teams:
        return {}
    by_survey = {}
    for question in Question.objects.filter(wanted).exclude(survey__status=Survey.Status.DRAFT).select_related("survey"):
        entry = by_survey.setdefault(question.survey_id, SurveyResults(question.survey, [], []))
        (entry.questions if question.kind == Question.Kind.SCALE else entry.text_questions).append(question)
    if not by_survey:
        return {}
    counts = {
        (row["survey_id"], row["team_id"]): row["n"]
        for row in Response.objects.filter(survey_id__in=by_survey, team_id__in=team_ids)
        .values("survey_id", "team_id").annotate(n=Count("id")).order_by()
    }
    means = {}
    for row in (
        Answer.objects.filter(response__survey_id__in=by_survey, response__team_id__in=team_ids, scale__isnull=False)
        .values("response__survey_id", "response__team_id", "question_id").annotate(mean=Avg("scale")).order_by()
    ):
        means[(row["response__survey_id"], row["response__team_id"], row["question_id"])] = round(float(row["mean"]), 1)
    found = {}
    for survey_id, entry in by_survey.items():
        for team in teams:
            result = TeamResult(team=team, answers=counts.get((survey_id, team.pk), 0))
            if result.shown:  # never a team's figures below MIN_ANSWERS answers
                result.means = {q.pk: means.get((survey_id, team.pk, q.pk)) for q in entry.questions}
                result.cells = [result.means[q.pk] for q in entry.questions]
            entry.teams.append(result)
        found[(entry.survey.year, entry.survey.quarter)] = entry
    return found


def free_text(survey, teams):
    """[(team, [(question, [answer text, …]), …])] for the teams with MIN_ANSWERS answers or more, the
    answers shuffled by their random ids (no order to match with anything), no names. Two queries."""
    teams = list(teams)
    counts = dict(
        Response.objects.filter(survey=survey, team__in=teams).values_list("team_id").annotate(n=Count("id")).order_by()
    )
    shown = [t for t in teams if counts.get(t.pk, 0) >= MIN_ANSWERS]
    if not shown:
        return [], counts
    rows = (
        Answer.objects.filter(response__survey=survey, response__team__in=shown, question__kind=Question.Kind.TEXT)
        .exclude(text="").select_related("question").order_by("question__position", "pk")
        .values_list("response__team_id", "question__position", "question__text", "text")
    )
    grouped = {}
    for team_id, position, question, text in rows:
        grouped.setdefault(team_id, {}).setdefault((position, question), []).append(text)
    return [(t, [(q, texts) for (_p, q), texts in sorted(grouped.get(t.pk, {}).items())]) for t in shown], counts
