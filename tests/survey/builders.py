"""Pulses for tests: built through the services where they can be, at the frozen moment of the test."""

import datetime

from django.utils import timezone

from survey import services
from survey.forms import end_of_day
from survey.models import Answer, Invitation, Question, Response, Survey
from tests.factories import UserFactory

QUESTIONS = [
    ("text", "Name a customer and their biggest challenge this year."),
    ("scale", "I understand how my work affects our customers."),
    ("scale", "I could name three of our customers."),
]


def open_pulse(admin, *, year, quarter, closes_on=None, questions=QUESTIONS, send=True):
    closes_on = closes_on or timezone.localdate() + datetime.timedelta(days=20)
    survey = services.survey_save(by=admin, year=year, quarter=quarter, title="Do we know our customers?",
                                  closes_at=end_of_day(closes_on), questions=questions)
    if send:
        services.survey_open(by=admin, survey=survey)
    else:
        Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN, opened_at=timezone.now())
        survey.refresh_from_db()
    return survey


def answers_for(survey, scales=(4, 3), text="Ken's crew waiting on a late delivery."):
    values, scale = {}, iter(scales)
    for question in survey.questions.all():
        values[question.pk] = next(scale) if question.kind == Question.Kind.SCALE else text
    return values


def answer_as(user, survey, **kwargs):
    return services.response_submit(invitation=services.invitation_for(user, survey), answers=answers_for(survey, **kwargs))


def past_answers(survey, team, count, scales=(4, 3), text="A customer"):
    """`count` answers of `team` written directly (for a pulse that has closed), with their invitations."""
    questions = list(survey.questions.all())
    for i in range(count):
        user = UserFactory(team=team)
        Invitation.objects.create(survey=survey, user=user, status=Invitation.Status.SENT,
                                  answered_on=timezone.localdate(survey.closes_at))
        response = Response.objects.create(survey=survey, team=team)
        scale = iter(scales)
        Answer.objects.bulk_create([
            Answer(response=response, question=q, scale=next(scale) if q.kind == "scale" else None,
                   text=f"{text} {i}" if q.kind == "text" else "") for q in questions
        ])
