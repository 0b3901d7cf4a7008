from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from customers.widgets import CustomerMultiPicker
from portal.lib.forms import ModelMultipleChoiceField
from portal.models import Team, User

from .models import Decision, ImpactReview
from .services import MIN_ANSWER_CHARS, MIN_ANSWER_WORDS, is_real_answer


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.team})" if obj.team_id else obj.name


class PeopleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.team})" if obj.team_id else obj.name


def people():
    return User.objects.filter(is_active=True).select_related("team").order_by("name")


class DecisionForm(forms.ModelForm):
    owner = PersonChoiceField(label=_("Owner"), queryset=people())
    customers = ModelMultipleChoiceField(
        label=_("Customers it may touch"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        widget=CustomerMultiPicker,
        help_text=_("Name the customers this could reach, even indirectly."),
    )

    class Meta:
        model = Decision
        fields = ["title", "team", "owner", "context", "proposal", "decide_by", "customers", "links"]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 4}),
            "proposal": forms.Textarea(attrs={"rows": 8}),
            "decide_by": DateInput(),
            "links": forms.Textarea(attrs={"rows": 3, "placeholder": "https://"}),
        }

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
    people = PeopleChoiceField(
        label=_("Named people"), queryset=people(), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    due_date = forms.DateField(label=_("Review due by"), widget=DateInput())

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        if value < timezone.localdate():
            raise ValidationError(_("The due date is in the past. Choose today or a later date."))
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("teams") and not data.get("people"):
            raise ValidationError(_("Choose at least one team or person to ask."))
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
    customers = ModelMultipleChoiceField(
        label=_("Which named customers"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        widget=CustomerMultiPicker,
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
            "customers": list(review.customers.all()),
            "mitigation": review.mitigation,
        }

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

    def clean(self):
        data = super().clean()
        handling, response = data.get("impact_handling"), (data.get("impact_response") or "").strip()
        if response and not handling:
            self.add_error("impact_handling", _("Say whether the harm was mitigated or accepted."))
        if handling and not is_real_answer(response):
            self.add_error(
                "impact_response",
                _("Explain how it was mitigated or why it is accepted, in at least %(words)s words.")
                % {"words": MIN_ANSWER_WORDS},
            )
        return data


class LogFilterForm(forms.Form):
    """The decision log's query string. Invalid values are dropped (and reported), never a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    team = forms.ChoiceField(label=_("Team"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *Decision.Status.choices])
    direction = forms.ChoiceField(label=_("Impact"), required=False, choices=[("", _("Any impact")), *DIRECTION_CHOICES])
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", _("Any severity")), *SEVERITY_CHOICES[1:]])
    customer = forms.ChoiceField(label=_("Customer"), required=False)
    awaiting = forms.ChoiceField(label=_("Awaiting"), required=False, choices=[("", _("Everything")), ("me", _("Awaiting my review"))])

    def __init__(self, data, *, teams, customers):
        super().__init__(data)
        self.fields["team"].choices = [("", _("All teams"))] + [(t.slug, t.name) for t in teams]
        self.fields["customer"].choices = [("", _("Any customer"))] + [(c.slug, c.name) for c in customers]
        self._teams = {t.slug: t for t in teams}
        self._customers = {c.slug: c for c in customers}

    def filters(self):
        """The valid filters, and the labels of those that were ignored (no queries)."""
        raw = self.data
        filters, ignored = {}, []
        filters["q"] = (raw.get("q") or "").strip()[:100]
        if "\x00" in filters["q"]:  # PostgreSQL text cannot hold a NUL
            ignored.append(str(self.fields["q"].label))
            filters["q"] = ""
        for name, lookup in (("team", self._teams), ("customer", self._customers)):
            value = raw.get(name) or ""
            filters[name] = lookup.get(value)
            if value and filters[name] is None:
                ignored.append(str(self.fields[name].label))
        for name in ("status", "direction", "severity", "awaiting"):
            value = raw.get(name) or ""
            valid = {str(k) for k, _label in self.fields[name].choices}
            if value not in valid:
                ignored.append(str(self.fields[name].label))
                value = ""
            filters[name] = value
        filters["awaiting"] = filters["awaiting"] == "me"
        return filters, ignored
