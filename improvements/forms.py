from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from customers.forms import ImportForm
from customers.models import Customer
from customers.widgets import CustomerMultiPicker
from decisions.forms import DateInput, PersonChoiceField, customer_choices, people
from portal.lib import dates
from portal.lib.conflicts import fingerprint, seen_field
from portal.lib.pickers import PersonPicker, PickerMultipleChoiceField
from portal.models import Team

from .models import Idea, IdeaEvent, Pilot
from .selectors import customer_label_for


class ComplaintImportForm(ImportForm):
    """The customers' upload form, with its own help."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A support desk export with the columns date, customer_external_id, category and text (and optionally "
            "cost and reference). Rows already imported are skipped, so a file may be imported again."
        )
        self.fields["file"].help_text += " " + in_currency_note()


def in_currency_note():
    return gettext("Costs are in %(currency)s.") % {"currency": settings.LIFELINE_CURRENCY}


def name_currency(form, names):
    """Amount fields say their currency in their label: "Estimated cost (EUR)"."""
    for name in names:
        field = form.fields[name]
        field.label = gettext("%(label)s (%(currency)s)") % {"label": field.label, "currency": settings.LIFELINE_CURRENCY}


class IdeaForm(forms.ModelForm):
    customers = PickerMultipleChoiceField(
        label=_("Affected customers"), queryset=customer_choices(), required=False, widget=CustomerMultiPicker,
    )

    class Meta:
        model = Idea
        fields = ["title", "category", "problem", "proposal", "customers", "estimated_cost", "estimated_benefit"]
        widgets = {"problem": forms.Textarea(attrs={"rows": 4}), "proposal": forms.Textarea(attrs={"rows": 5})}

    seen = seen_field()  # portal.lib.conflicts

    def __init__(self, *args, reader, **kwargs):
        """`reader` fills the form. Affected customers who asked not to be named, and whom the matrix
        does not let the reader see named, are neither shown in the picker (it would tie them to the
        complaints) nor lost: an edit keeps them as they are."""
        super().__init__(*args, **kwargs)
        for name in ("estimated_cost", "estimated_benefit"):
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].widget.attrs["min"] = 0
        name_currency(self, ("estimated_cost", "estimated_benefit"))
        self.reader = reader
        self.kept_unnamed = []
        if self.instance.pk:
            self.initial["seen"] = fingerprint(self.instance, Idea.EDITED_FIELDS)
            shown, self.kept_unnamed = split_nameable(self.instance.customers.all(), reader)
            self.initial["customers"] = [customer.pk for customer in shown]
        elif self.initial.get("customers"):
            shown, _hidden = split_nameable(Customer.objects.filter(pk__in=self.initial["customers"]), reader)
            self.initial["customers"] = [customer.pk for customer in shown]

    def clean_customers(self):
        chosen = list(self.cleaned_data["customers"])
        return chosen + [customer for customer in self.kept_unnamed if customer not in chosen]


def split_nameable(customers, reader):
    """(those `reader` may see named, those shown to them only by an anonymised description)."""
    shown, hidden = [], []
    for customer in customers:
        (shown if customer_label_for(customer, reader).named else hidden).append(customer)
    return shown, hidden


class PilotForm(forms.ModelForm):
    owner = PersonChoiceField(label=pgettext_lazy("pilot", "Owner"), queryset=people(), widget=PersonPicker)
    starts_on = dates.DateField(label=_("Starts"), widget=DateInput)
    ends_on = dates.DateField(label=_("Ends"), widget=DateInput)

    class Meta:
        model = Pilot
        fields = ["owner", "starts_on", "ends_on", "measure"]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", ValidationError(_("The pilot must end on or after the day it starts.")))
        return data


class ResultForm(forms.ModelForm):
    effect = forms.ChoiceField(label=_("Effect on the pattern"), choices=Pilot.Effect.choices)
    result = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = Pilot
        fields = ["actual_cost", "saving", "effect", "result"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("actual_cost", "saving"):
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].widget.attrs["min"] = 0
        name_currency(self, ("actual_cost", "saving"))


class CloseForm(forms.Form):
    """Adopting or dropping an idea, with why: its history shows it."""

    to = forms.ChoiceField(choices=[(Idea.Status.ADOPTED, Idea.Status.ADOPTED.label),
                                    (Idea.Status.DROPPED, Idea.Status.DROPPED.label)], widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Why"), required=False, max_length=IdeaEvent._meta.get_field("detail").max_length,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Optional. The idea's history shows it to everyone."),
    )


class TeamForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"))
    join = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", initial="1")
