from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from customers.widgets import CustomerMultiPicker, CustomerPicker
from portal.lib import dates
from portal.lib.conflicts import fingerprint, seen_field
from portal.lib.forms import ModelMultipleChoiceField
from portal.lib.pickers import PeoplePicker, PersonPicker, PickerChoiceField, PickerMultipleChoiceField
from portal.models import Team, User

from .models import Decision, ImpactCheck, ImpactReview
from .services import MIN_ANSWER_CHARS, MIN_ANSWER_WORDS, is_real_answer, serious_harm_unanswered


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def person_label(obj):
    """"Name (Team)": two colleagues may share a name."""
    return f"{obj.name} ({obj.team})" if obj.team_id else obj.name


# People and customers are pickers (portal/lib/pickers.py): a form lists only the chosen ones, with a
# search box that finds others, so it costs the same with 50 people or 10,000.
class PersonChoiceField(PickerChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class PeopleChoiceField(PickerMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


def people():
    return User.objects.filter(is_active=True).select_related("team").order_by("name", "pk")


def customer_choices():
    return Customer.objects.only("id", "name", "slug").order_by("name", "pk")


class DecisionForm(forms.ModelForm):
    owner = PersonChoiceField(label=_("Owner"), queryset=people(), widget=PersonPicker)
    customers = PickerMultipleChoiceField(
        label=_("Customers it may touch"),
        queryset=customer_choices(),
        required=False,
        widget=CustomerMultiPicker,
        help_text=_("Name the customers this could reach, even indirectly."),
    )
    seen = seen_field()  # portal.lib.conflicts

    class Meta:
        model = Decision
        fields = ["title", "team", "owner", "context", "proposal", "decide_by", "customers", "links"]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 4}),
            "proposal": forms.Textarea(attrs={"rows": 8}),
            "decide_by": DateInput(),
            "links": forms.Textarea(attrs={"rows": 3, "placeholder": "https://"}),
        }
        field_classes = {"decide_by": dates.DateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["seen"] = fingerprint(self.instance, Decision.EDITED_FIELDS)

    def clean_decide_by(self):
        value = self.cleaned_data["decide_by"]
        unchanged = self.instance.pk and value == self.instance.decide_by
        if value and not unchanged and value < timezone.localdate():
            raise ValidationError(_("This date is in the past. Choose today or a later date."))
        return value

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        bad = []
        for line in lines:
            try:
                validate(line)
            except ValidationError:
                bad.append(line)
        if bad:
            raise ValidationError(
                _("Each line must be one web address starting with http:// or https://. Not understood: %(lines)s"),
                params={"lines": ", ".join(bad)},
            )
        return "\n".join(lines)


class ReviewRequestForm(forms.Form):
    teams = ModelMultipleChoiceField(
        label=_("Whole teams"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every active member of the team is asked."),
    )
    people = PeopleChoiceField(label=_("Named people"), queryset=people(), required=False, widget=PeoplePicker)
    due_date = dates.DateField(label=_("Review due by"), widget=DateInput())

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        if value < timezone.localdate():
            raise ValidationError(_("The due date is in the past. Choose today or a later date."))
        return value

    def clean(self):
        data = super().clean()
        # said beside any other problem (a missing due date), not on the next try
        if not data.get("teams") and not data.get("people") and not {"teams", "people"} & set(self.errors):
            self.add_error(None, _("Choose at least one team or person to ask."))
        return data


DIRECTION_CHOICES = [
    ("helps", _("Helps customers")),
    ("neutral", _("Neutral for customers")),
    ("hurts", _("Hurts customers")),
    ("unsure", _("Unsure")),
]
SEVERITY_CHOICES = [("", _("No severity")), ("low", _("Low")), ("medium", _("Medium")), ("high", _("High"))]


class ImpactReviewForm(forms.Form):
    answer = forms.CharField(
        label=_("How will this affect our customers?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In your own words; think of named customers and the people who serve them. Markdown."),
        error_messages={"required": _("Answer the question: how will this affect our customers?")},
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTION_CHOICES, required=False, widget=forms.RadioSelect)
    severity = forms.ChoiceField(label=_("Severity"), choices=SEVERITY_CHOICES, required=False, widget=forms.RadioSelect)
    affected = forms.MultipleChoiceField(
        label=_("Who is affected"),
        choices=ImpactReview.Affected.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    customers = PickerMultipleChoiceField(
        label=_("Which named customers"), queryset=customer_choices(), required=False, widget=CustomerMultiPicker
    )
    mitigation = forms.CharField(
        label=_("What would reduce the harm"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("A change to the proposal that would protect customers. Markdown."),
    )

    @classmethod
    def initial_from(cls, review):
        if review is None:
            return {}
        return {
            "answer": review.answer,
            "direction": review.direction,
            "severity": review.severity,
            "affected": review.affected(),
            "customers": review.named_customer_list(),
            "mitigation": review.mitigation,
        }

    @classmethod
    def for_review(cls, review):
        """An unbound form holding `review` (None: empty). Its picker shows the review's customers
        without fetching them again."""
        initial = cls.initial_from(review)
        form = cls(initial=initial)
        form.fields["customers"].widget.remember(initial.get("customers", ()))
        return form

    def clean_answer(self):
        answer = self.cleaned_data["answer"].strip()
        if not is_real_answer(answer):
            raise ValidationError(
                _(
                    "Please answer in your own words: at least %(words)s words and %(chars)s characters. "
                    "One word is not an answer."
                ),
                params={"words": MIN_ANSWER_WORDS, "chars": MIN_ANSWER_CHARS},
            )
        return answer

    def clean(self):
        data = super().clean()
        direction, severity = data.get("direction"), data.get("severity")
        if not direction:
            if severity:
                self.add_error(
                    "severity",
                    _("A severity needs a direction: say whether it helps, is neutral, hurts, or you are unsure."),
                )
            self.add_error("direction", _("Choose whether this helps, is neutral for, or hurts customers, or that you are unsure."))
        elif direction == "hurts" and not severity:
            self.add_error("severity", _("How badly does it hurt? Choose a severity."))
        return data


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was decided"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown."),
        error_messages={"required": _("Write what was decided.")},
    )
    impact_handling = forms.ChoiceField(
        label=_("How the customer impact was handled"),
        choices=Decision.Handling.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    impact_response = forms.CharField(
        label=_("Answer to the customer impact reviews"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("The mitigation, or \"accepted because …\". Required before deciding when a review says it hurts customers badly."),
    )

    check_on = dates.DateField(
        label=_("Check the real impact on"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "When deciding: the day the decider and the reviewers are reminded to record what actually happened "
            "for customers. 90 days from today unless you choose another day."
        ),
    )

    def __init__(self, *args, deciding=False, serious_harm=False, **kwargs):
        """`deciding` with `serious_harm` (a review says it hurts customers badly): the answer to it is
        required now, so that an empty form says everything that is missing at once."""
        super().__init__(*args, **kwargs)
        self.answer_required = deciding and serious_harm

    def clean_check_on(self):
        value = self.cleaned_data.get("check_on")
        if value and value < timezone.localdate():
            raise ValidationError(_("The check date is in the past. Choose today or a later date."))
        return value

    def clean(self):
        data = super().clean()
        handling, response = data.get("impact_handling"), (data.get("impact_response") or "").strip()
        if self.answer_required and (not handling or not is_real_answer(response)):
            self.add_error(None, serious_harm_unanswered())
        if (response or self.answer_required) and not handling:
            self.add_error("impact_handling", _("Say whether the harm was mitigated or accepted."))
        if (handling or self.answer_required) and not is_real_answer(response):
            self.add_error(
                "impact_response",
                _("Explain how it was mitigated or why it is accepted, in at least %(words)s words.")
                % {"words": MIN_ANSWER_WORDS},
            )
        return data


class LogFilterForm(forms.Form):
    """The decision log's query string. Invalid values are dropped (and reported), never a 500.

    The customer filter is a picker (portal/lib/pickers.py): it lists only the chosen customer, never
    every customer named in a decision."""

    q = forms.CharField(label=_("Search"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False, widget=forms.Select)
    status = forms.ChoiceField(
        label=_("Status"), required=False, widget=forms.Select, choices=[("", _("Any status")), *Decision.Status.choices]
    )
    direction = forms.ChoiceField(
        label=_("Impact"), required=False, widget=forms.Select, choices=[("", _("Any impact")), *DIRECTION_CHOICES]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, widget=forms.Select, choices=[("", _("Any severity")), *SEVERITY_CHOICES[1:]]
    )
    customer = PickerChoiceField(
        label=_("Customer"), required=False, to_field_name="slug", empty_label=_("Any customer"),
        queryset=customer_choices(), widget=CustomerPicker, search_must_pick=False,
    )
    awaiting = forms.ChoiceField(
        label=_("Awaiting"), required=False, widget=forms.Select,
        choices=[("", _("Everything")), ("me", _("Awaiting my review"))],
    )
    check = forms.ChoiceField(
        label=_("Impact check"), required=False, widget=forms.Select,
        choices=[("", _("Any")), ("due", _("Check due")), ("worse", _("Impact worse than predicted"))],
    )

    def __init__(self, data, *, teams):
        """`teams`: (id, slug, name) of the teams to offer (selectors.log_filter_teams)."""
        super().__init__(data)
        self.fields["team"].choices = [("", _("All teams"))] + [(slug, name) for _pk, slug, name in teams]
        self._teams = {slug: pk for pk, slug, _name in teams}

    def filters(self):
        """The valid filters, and the labels of those that were ignored (one query: the chosen customer)."""
        ignored = [str(self.fields[name].label) for name in self.errors if name != "q"]
        data = self.cleaned_data
        q = (self.data.get("q") or "").strip()[:100]
        if "\x00" in q:  # PostgreSQL text cannot hold a NUL
            ignored.insert(0, str(self.fields["q"].label))
            q = ""
        filters = {
            "q": q,
            "team": self._teams.get(data.get("team") or ""),  # the team's id
            "status": data.get("status") or "",
            "direction": data.get("direction") or "",
            "severity": data.get("severity") or "",
            "customer": data.get("customer"),
            "awaiting": data.get("awaiting") == "me",
            "check": data.get("check") or "",
        }
        return filters, ignored


class CheckOnForm(forms.Form):
    """The check date given with the "Decide" button of the decision page (empty: the default)."""

    check_on = dates.DateField(label=_("Check the real impact on"), widget=DateInput(), required=False)

    def clean_check_on(self):
        value = self.cleaned_data.get("check_on")
        if value and value < timezone.localdate():
            raise ValidationError(_("The check date is in the past. Choose today or a later date."))
        return value


class ImpactCheckForm(forms.Form):
    """What actually happened for customers, with the evidence."""

    result = forms.ChoiceField(
        label=_("What happened for customers, compared with what was predicted?"),
        choices=ImpactCheck.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say what happened for customers: better, as predicted, worse, or that you cannot tell.")},
    )
    stories = ModelMultipleChoiceField(
        label=_("Stories that show it"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Published stories about the customers this decision names."),
        error_messages={"invalid_choice": _("Choose stories about the customers this decision names.")},
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=ImpactCheck._meta.get_field("note").max_length,
        help_text=_("A few sentences: what you saw, and for whom. Required when it was worse."),
    )

    def __init__(self, *args, stories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stories"].queryset = stories
        self.fields["stories"].label_from_instance = lambda story: f"{story.title} ({story.customer.name})"

    def clean(self):
        data = super().clean()
        if data.get("result") == ImpactCheck.Result.WORSE and not (data.get("note") or "").strip():
            self.add_error("note", _("Say in a few words what was worse for customers, so whoever reopens it knows."))
        return data
