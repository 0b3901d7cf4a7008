from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from customers.widgets import CustomerPicker
from portal.lib.pickers import PickerChoiceField

from .models import PULSE_FIELDS
from .periods import parse_month


class MonthField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a month like 2026-10.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class PulseFigureForm(forms.Form):
    month = MonthField(label=_("Month"), help_text=_("Like 2026-10."), widget=forms.TextInput(attrs={"type": "month"}))
    customer = PickerChoiceField(
        label=_("Customer"), queryset=Customer.objects.order_by("name"), required=False, widget=CustomerPicker,
        empty_label=_("Not tied to one customer"),
        help_text=_("Leave empty for figures not tied to one customer. A month's totals add every row."),
    )
    products_returned = forms.IntegerField(label=_("Products returned"), min_value=0, max_value=1_000_000, initial=0)
    customers_credited = forms.IntegerField(label=_("Customers credited"), min_value=0, max_value=1_000_000, initial=0)
    legal_threats = forms.IntegerField(label=_("Legal threats"), min_value=0, max_value=1_000_000, initial=0)
    customers_saved = forms.IntegerField(
        label=_("Customers saved from leaving"), min_value=0, max_value=1_000_000, initial=0
    )

    def figures(self):
        return {name: self.cleaned_data[name] for name in PULSE_FIELDS}


class PulseImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: month, customer, and the four figures."))


class PublishForm(forms.Form):
    month = MonthField(label=_("Month"))


