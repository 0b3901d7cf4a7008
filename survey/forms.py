import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.conflicts import fingerprint, seen_field
from portal.lib.dates import DateField

from .models import MAX_QUESTIONS, MIN_QUESTIONS, TEXT_LIMIT, Question, Survey

SCALE_LABELS = {
    1: _("1 – Strongly disagree"), 2: _("2 – Disagree"), 3: _("3 – Neither"), 4: _("4 – Agree"), 5: _("5 – Strongly agree"),
}


def quarter_of(moment=None):
    local = timezone.localtime(moment or timezone.now(), timezone.get_default_timezone())
    return local.year, (local.month - 1) // 3 + 1


def shift(year, number, quarters):
    index = year * 4 + number - 1 + quarters
    return index // 4, index % 4 + 1


def first_free_quarter():
    """This quarter, or the first of the next two that has no pulse yet (this one when all have)."""
    now = quarter_of()
    taken = set(Survey.objects.values_list("year", "quarter"))
    return next((option for option in (shift(*now, i) for i in range(3)) if option not in taken), now)


def last_day(year, number):
    """The last day of a quarter."""
    next_year, next_number = shift(year, number, 1)
    return datetime.date(next_year, 3 * next_number - 2, 1) - datetime.timedelta(days=1)


def end_of_day(date):
    """The moment a day ends in the company's time zone: the pulse closes then."""
    return timezone.make_aware(datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time.min),
                               timezone.get_default_timezone())


class SurveyForm(forms.Form):
    """A quarter, when it closes, and 3 to 5 questions (empty rows are left out)."""

    quarter = forms.ChoiceField(label=_("Quarter"), error_messages={
        "invalid_choice": _("Choose one of the quarters offered: the others already have a pulse.")})
    title = forms.CharField(label=_("Title"), max_length=120, required=False,
                            help_text=_("Optional, e.g. “Do we know our customers?”"))
    closes_on = DateField(label=_("Answers close at the end of"), widget=forms.DateInput(attrs={"type": "date"}))
    seen = seen_field()  # portal.lib.conflicts

    def __init__(self, *args, survey=None, **kwargs):
        super().__init__(*args, **kwargs)
        if survey is not None:
            self.initial["seen"] = fingerprint(survey, Survey.EDITED_FIELDS)
        if survey is not None:
            options = [(survey.year, survey.quarter)]
            self.fields["quarter"].disabled = True
        else:  # last quarter to two ahead, those without a pulse: a quarter has one
            year, number = quarter_of()
            taken = set(Survey.objects.values_list("year", "quarter"))
            options = [option for option in (shift(year, number, i) for i in range(-1, 3)) if option not in taken]
        self.fields["quarter"].choices = [(f"{y}Q{n}", _("Q%(number)s %(year)s") % {"number": n, "year": y}) for y, n in options]
        for i in range(1, MAX_QUESTIONS + 1):
            self.fields[f"q{i}_text"] = forms.CharField(
                label=_("Question %(number)s") % {"number": i}, max_length=300, required=i <= MIN_QUESTIONS,
                widget=forms.TextInput(attrs={"dir": "auto"}),
            )
            self.fields[f"q{i}_kind"] = forms.ChoiceField(
                label=_("Answered with"), choices=Question.Kind.choices, initial=Question.Kind.SCALE,
                required=i <= MIN_QUESTIONS,
            )

    def question_rows(self):
        """[(text field, kind field)] for the template."""
        return [(self[f"q{i}_text"], self[f"q{i}_kind"]) for i in range(1, MAX_QUESTIONS + 1)]

    def clean_closes_on(self):
        day = self.cleaned_data["closes_on"]
        if day < timezone.localdate(timezone.now(), timezone.get_default_timezone()):
            raise ValidationError(_("Choose today or a later day."))
        return day

    def clean(self):
        data = super().clean()
        questions = [(data.get(f"q{i}_kind") or Question.Kind.SCALE, (data.get(f"q{i}_text") or "").strip())
                     for i in range(1, MAX_QUESTIONS + 1)]
        questions = [(kind, text) for kind, text in questions if text]
        if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS and not self.errors:
            raise ValidationError(_("Ask from %(min)s to %(max)s questions.") % {"min": MIN_QUESTIONS, "max": MAX_QUESTIONS})
        if data.get("quarter"):
            data["year"], data["number"] = (int(part) for part in data["quarter"].split("Q"))
        data["questions"] = questions
        return data

    @classmethod
    def initial_for(cls, survey=None, previous=None):
        """A draft's values, or a new pulse with last quarter's questions (so the scorecard can follow them)."""
        source = survey or previous
        initial = {}
        if survey is not None:
            initial |= {"quarter": survey.period, "title": survey.title,
                        "closes_on": survey.last_day}
        else:
            year, number = first_free_quarter()
            initial |= {"quarter": f"{year}Q{number}", "closes_on": last_day(year, number),
                        "title": previous.title if previous else ""}
        for i, question in enumerate(source.questions.all() if source else [], 1):
            initial |= {f"q{i}_text": question.text, f"q{i}_kind": question.kind}
        return initial


class AnswerForm(forms.Form):
    """Every question of a pulse, on one page."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            if question.kind == Question.Kind.SCALE:
                self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                    label=question.text, coerce=int, widget=forms.RadioSelect,
                    choices=[(n, label) for n, label in SCALE_LABELS.items()],
                    error_messages={"required": _("Choose a number from 1 to 5."),
                                    "invalid_choice": _("Choose a number from 1 to 5.")},
                )
            else:
                self.fields[f"q{question.pk}"] = forms.CharField(
                    label=question.text, max_length=TEXT_LIMIT,
                    widget=forms.Textarea(attrs={"rows": 4, "dir": "auto", "maxlength": TEXT_LIMIT}),
                    error_messages={"required": _("Write an answer.")},
                )

    def answers(self):
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}

    def add_service_errors(self, error):
        for question_id, messages in error.message_dict.items():
            for message in messages:
                self.add_error(f"q{question_id}", message)
