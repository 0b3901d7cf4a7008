from django import forms
from django.utils.translation import gettext_lazy as _

from portal.lib.conflicts import fingerprint, seen_field
from portal.lib.pickers import PersonPicker, PickerChoiceField
from portal.models import User

from .models import Contact
from .selectors import SORTS


class OwnerField(PickerChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DirectoryFilterForm(forms.Form):
    """The directory's query string. Invalid values are dropped (and reported), never a 500.

    The account owner is a person picker (portal/lib/pickers.py): a company with 2,000 owners listed
    them all in the page (80 kB of a 96 kB page)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    owner = OwnerField(
        label=_("Account owner"), required=False, empty_label=_("Anyone"),
        queryset=User.objects.only("id", "name").order_by("name", "pk"), widget=PersonPicker, search_must_pick=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("name", _("Name")), ("recent", _("Most recent activity"))],
    )

    def __init__(self, data, *, industries, regions):
        super().__init__(data)
        self.fields["industry"].choices = [("", _("All industries"))] + [(i, i) for i in industries]
        self.fields["region"].choices = [("", _("All regions"))] + [(r, r) for r in regions]

    def filters(self):
        """The valid filters, and a list of the labels of those that were ignored."""
        self.is_valid()
        ignored = [str(self.fields[name].label) for name in self.errors]
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        sort = data.get("sort") if data.get("sort") in SORTS else "name"
        return {
            "q": (data.get("q") or "").strip(),
            "industry": data.get("industry") or "",
            "region": data.get("region") or "",
            "owner": data.get("owner"),
            "sort": sort,
        }, ignored


class ContactForm(forms.ModelForm):
    seen = seen_field()  # portal.lib.conflicts

    class Meta:
        model = Contact
        fields = ["name", "role", "is_key", "family", "occupation", "recreation", "dreams"]
        help_texts = {
            "family": _("Partner, children, parents: what they mention."),
            "occupation": _("Their job, career path and what they are proud of at work."),
            "recreation": _("What they do for fun."),
            "dreams": _("What they hope for, at work and beyond."),
        }
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ["family", "occupation", "recreation", "dreams"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["seen"] = fingerprint(self.instance, Contact.EDITED_FIELDS)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("A CRM export with at least the columns external_id and name."),
    )
