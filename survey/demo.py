"""Demo employee pulse: last quarter's, closed, with enough answers from Finance and HR to show (and one
from IT, too few to show), and this quarter's open, its questions set and everyone invited through the
services. Re-runnable: a quarter that has answers is left alone.

Last quarter's rows are written directly: the services only take answers while a pulse is open, and a
seed runs today. Like the services, they keep no person on an answer."""

import datetime
import random

from django.db import transaction

from portal.demo import DEMO_PASSWORD
from portal.models import User

from . import services
from .forms import end_of_day, last_day, quarter_of, shift
from .models import Answer, Invitation, Question, Response, Survey

TITLE = "Do we know our customers?"
QUESTIONS = [
    ("text", "Name a customer and their biggest challenge this year."),
    ("scale", "I understand how my work affects our customers."),
    ("scale", "I could name three of our customers and what they buy from us."),
    ("scale", "Last quarter I heard directly from a customer (a meeting, a story, a call)."),
]
# Colleagues who answered the pulse: enough people in Finance and HR that their results show (they sign
# in with the demo password like everyone else).
MORE_PEOPLE = [
    ("Fatima Al-Sayed", "fatima@lifeline.example", "finance", "ar"),
    ("Daniel Osei", "daniel@lifeline.example", "finance", "en"),
    ("Lê Thị Hương", "huong@lifeline.example", "finance", "vi"),
    ("Rania Khoury", "rania@lifeline.example", "hr", "ar"),
    ("Marcus Webb", "marcus@lifeline.example", "hr", "en"),
    ("شیرین احمدی", "shirin@lifeline.example", "hr", "fa"),
    ("Eitan Mizrahi", "eitan@lifeline.example", "hr", "he"),
]
# team slug: the scale answers (one tuple per person) last quarter
LAST_QUARTER = {
    "finance": [(4, 3, 2), (5, 4, 3), (3, 2, 1), (4, 3, 2), (4, 4, 3), (3, 3, 2)],
    "hr": [(3, 2, 2), (4, 2, 1), (3, 3, 1), (4, 3, 2), (2, 2, 1)],
    "it": [(4, 3, 3)],
}
WORDS = {
    "finance": [
        "Ken's Plumbing Supply: getting orders to site before the crew starts, with cash tied up in stock.",
        "Harbor Lights Bakery — flour prices doubled and they pay us in 30 days.",
        "Riverbend Farms: keeping the herd's feed stocked through a dry summer.",
        "I can't name one yet, which is the point of this question.",
        "مخبز هاربر لايتس: ارتفاع أسعار الطحين.",
        "Ken's crew waiting on a late delivery.",
    ],
    "hr": [
        "Harbor Lights Bakery: hiring bakers who stay.",
        "Riverbend Farms needs seasonal staff trained in a week.",
        "لا أعرف عميلاً بالاسم بعد.",
        "Ken's Plumbing Supply: opening at 6 a.m. for the crews.",
        "Not sure. We never meet them.",
    ],
    "it": ["Ken's Plumbing Supply: the ordering site being down at 6 a.m."],
}
THIS_QUARTER = {"finance": [(5, 4, 4), (4, 4, 3)]}  # two answers so far: too few to show yet


def _more_people(teams):
    people = {}
    for name, email, team, language in MORE_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
        user.name, user.team, user.language = name, teams.get(team), language
        user.save(update_fields=["name", "team", "language"])
        people[email] = user
    return people


def _last_quarter(admin, teams, members):
    year, number = shift(*quarter_of(), -1)
    survey, _created = Survey.objects.get_or_create(
        year=year, quarter=number,
        defaults={"title": TITLE, "status": Survey.Status.OPEN, "closes_at": end_of_day(last_day(year, number)),
                  "created_by": admin},
    )
    if survey.responses.exists():
        return survey
    if not survey.questions.exists():
        Question.objects.bulk_create(
            [Question(survey=survey, position=i, kind=k, text=t) for i, (k, t) in enumerate(QUESTIONS, 1)])
    survey.opened_at = end_of_day(last_day(year, number)) - datetime.timedelta(days=40)
    survey.save(update_fields=["opened_at"])
    questions = list(survey.questions.all())
    answered_on = last_day(year, number) - datetime.timedelta(days=20)
    for user in User.objects.filter(is_active=True).exclude(email=""):
        Invitation.objects.get_or_create(survey=survey, user=user, defaults={"status": Invitation.Status.SENT,
                                                                             "sent_at": survey.opened_at})
    for slug, answers in LAST_QUARTER.items():
        team = teams[slug]
        # who answered: that is all an invitation says
        ids = [u.pk for u in members if u.team_id == team.pk][: len(answers)]
        Invitation.objects.filter(survey=survey, user_id__in=ids).update(answered_on=answered_on)
        for scales, words in zip(answers, WORDS[slug]):
            response = Response.objects.create(survey=survey, team=team)
            values = iter(scales)
            Answer.objects.bulk_create([
                Answer(response=response, question=q, scale=next(values) if q.kind == "scale" else None,
                       text=words if q.kind == "text" else "")
                for q in questions
            ])
    return survey


def _this_quarter(admin, teams, members):
    year, number = quarter_of()
    survey = Survey.objects.filter(year=year, quarter=number).first()
    if survey is None:
        survey = services.survey_save(by=admin, year=year, quarter=number, title=TITLE,
                                      closes_at=end_of_day(last_day(year, number)), questions=QUESTIONS)
    if survey.status == Survey.Status.DRAFT:
        services.survey_open(by=admin, survey=survey)
    if survey.responses.exists():
        return survey
    rng = random.Random(1)
    for slug, answers in THIS_QUARTER.items():
        # newcomers answer first, so the people one signs in as still see the open pulse
        people = [u for u in members if u.team_id == teams[slug].pk and u.email.endswith("@lifeline.example")]
        people = sorted(people, key=lambda u: (u.email not in {e for _n, e, _t, _l in MORE_PEOPLE}, u.pk))
        for user, scales in zip(people, answers):
            questions = list(survey.questions.all())
            values = iter(scales)
            services.response_submit(
                invitation=services.invitation_for(user, survey),
                answers={q.pk: next(values) if q.kind == "scale" else rng.choice(WORDS[slug]) for q in questions},
            )
    return survey


def seed(*, teams, people, **_ctx):
    admin = people["admin"]
    _more_people(teams)
    with transaction.atomic():
        members = list(User.objects.filter(is_active=True, team__isnull=False).order_by("pk"))
        _last_quarter(admin, teams, members)
    _this_quarter(admin, teams, members)
