import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Contact, Customer
from customers.selectors import BRIEF_ATTENDING
from customers.widgets import CustomerPicker
from portal.lib import dates
from portal.lib.conflicts import fingerprint, seen_field
from portal.lib.forms import ModelMultipleChoiceField
from portal.lib.pickers import PickerChoiceField

from .models import Debrief, Meeting

DATETIME_WIDGET = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}


class ShownBriefingMixin:
    """The briefing as the person editing reads it on the meeting's page (`Meeting.briefing_shown`):
    the default left as it was shows in their language, whichever language it was stored in. Sent
    back untouched, the stored text stays as it was, so saving changes nothing (no update emails)."""

    def show_briefing(self):
        if self.instance.pk and not self.is_bound:
            self.initial["briefing"] = self.instance.briefing_shown

    def clean_briefing(self):
        briefing = self.cleaned_data["briefing"]
        if self.instance.pk and briefing == self.instance.briefing_shown:
            return self.instance.briefing
        return briefing


class MeetingForm(ShownBriefingMixin, forms.ModelForm):
    """Times are typed and shown in the viewer's own time zone (the middleware activates it)."""

    customer = PickerChoiceField(
        label=_("Customer"), queryset=Customer.objects.order_by("name"), widget=CustomerPicker,
        error_messages={"invalid_choice": _("Choose a customer from the directory."),
                        "required": _("Choose the customer you are meeting.")},
    )
    seats = forms.IntegerField(
        label=_("Listener seats"), min_value=1, max_value=200, initial=2,
        help_text=_("How many back-office colleagues can listen in."),
        error_messages={"min_value": _("A meeting needs at least one listener seat.")},
    )

    offer_hours = forms.IntegerField(
        label=_("Hold a freed seat for (hours)"), min_value=1, max_value=168, initial=24, required=False,
        help_text=_("When a seat frees up, the first person on the waitlist has this long to accept it."),
        error_messages={"min_value": _("Hold a freed seat for at least one hour."),
                        "max_value": _("Hold a freed seat for at most a week (168 hours).")},
    )

    video_url = forms.URLField(
        label=_("Video link"), required=False, assume_scheme="https", max_length=200,
        help_text=_("An https:// link to the video call."), widget=forms.URLInput(attrs={"placeholder": "https://", "dir": "ltr"}),
    )

    customer_contacts = ModelMultipleChoiceField(
        label=_("Who attends from the customer"), required=False, queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The listener brief shows them with their FORD notes. Tick nobody and it shows the customer's key contacts."),
        error_messages={"invalid_choice": _("Tick only people who work at the customer chosen above; the list shows them.")},
    )

    seen = seen_field()  # portal.lib.conflicts

    class Meta:
        model = Meeting
        fields = ["customer", "kind", "title", "starts_at", "ends_at", "place", "video_url", "seats",
                  "signup_closes_at", "offer_hours", "briefing", "customer_contacts"]
        widgets = {
            "starts_at": forms.DateTimeInput(**DATETIME_WIDGET),
            "ends_at": forms.DateTimeInput(**DATETIME_WIDGET),
            "signup_closes_at": forms.DateTimeInput(**DATETIME_WIDGET),
            "briefing": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {name: dates.DateTimeField for name in ("starts_at", "ends_at", "signup_closes_at")}

    def __init__(self, *args, customer=None, **kwargs):
        """`customer`: the customer's id when the page asks for another customer's people to tick (the
        customer select changed: meetings.views._attending_options), on a form not yet submitted."""
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["seen"] = fingerprint(self.instance, Meeting.EDITED_FIELDS)
        self.show_briefing()
        zone = timezone.get_current_timezone_name()
        for name in ("starts_at", "ends_at", "signup_closes_at"):
            self.fields[name].help_text = _("In your time zone (%(zone)s).") % {"zone": zone}
        if customer and not self.is_bound:
            self.initial["customer"] = customer
        # Only the chosen customer's people can be ticked: a contact of another customer (or of the
        # customer chosen before it changed) is an invalid choice, and the form saves nothing.
        self.attending_customer = self._chosen_customer_id()
        self.fields["customer_contacts"].queryset = (
            Contact.objects.filter(customer_id=self.attending_customer).only("id", "customer_id", "name", "role")
            .order_by("-is_key", "name", "id")
            if self.attending_customer else Contact.objects.none()
        )

    def _chosen_customer_id(self):
        """The customer the form is about: as submitted (or found by the picker's search), else as asked
        for, else the meeting's own. None when it is no customer id."""
        value = self["customer"].value()
        try:
            key = int(value)
        except (TypeError, ValueError):
            return None
        return key if 0 < key < 2**63 else None

    def clean_customer_contacts(self):
        contacts = self.cleaned_data["customer_contacts"]
        if len(contacts) > BRIEF_ATTENDING:
            raise forms.ValidationError(
                _("Tick at most %(count)s people: the listener brief has room for that many."), params={"count": BRIEF_ATTENDING}
            )
        return list(contacts)

    def clean_offer_hours(self):
        """Left empty: the default, 24 hours (or what the meeting had)."""
        hours = self.cleaned_data["offer_hours"]
        return hours or self.instance.offer_hours or Meeting._meta.get_field("offer_hours").default

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if (self.instance.pk is None or starts_at != self.instance.starts_at) and starts_at <= timezone.now():
            raise forms.ValidationError(_("The meeting must start in the future."))
        return starts_at


class MeetingFilterForm(forms.Form):
    """The list's query string. Values that make no sense are dropped and reported, never a 500.

    The customer is a picker (portal/lib/pickers.py) keyed by slug: the page lists only the chosen
    customer, so it costs the same with 50 customers or 5,000."""

    customer = PickerChoiceField(
        label=_("Customer"), required=False, to_field_name="slug", empty_label=_("All customers"),
        queryset=Customer.objects.only("id", "name", "slug").order_by("name"), widget=CustomerPicker, search_must_pick=False,
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    # A month picker (HTML allows it no placeholder or maxlength); typed by hand it is YYYY-MM.
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    open = forms.BooleanField(label=_("Has open seats"), required=False)

    def __init__(self, data):
        super().__init__(data)
        self.fields["kind"].choices = [("", _("All kinds")), *Meeting.Kind.choices]

    def clean_month(self):
        month = self.cleaned_data["month"].strip()
        if not month:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{2})", month)
        if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 9998:  # 9999-12 ends in year 10000
            raise forms.ValidationError(_("Give a month as YYYY-MM."))
        year, number = int(match[1]), int(match[2])
        zone = timezone.get_current_timezone()
        start = datetime.datetime(year, number, 1, tzinfo=zone)
        end = datetime.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
        return start, end

    def filters(self):
        self.is_valid()
        ignored = [str(self.fields[name].label) for name in self.errors]
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return {
            "customer": data.get("customer"), "kind": data.get("kind") or "",
            "month": data.get("month"), "open_only": bool(data.get("open")),
        }, ignored


class AttendanceForm(forms.Form):
    """Who of the confirmed listeners came. Until attendance is marked, everyone starts ticked."""

    attended = forms.MultipleChoiceField(
        label=_("Attended"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Tick only people who had a seat at this meeting.")},
    )

    def __init__(self, data=None, *, seats, marked):
        ticked = [str(s.pk) for s in seats if not marked or s.attendance == s.Attendance.ATTENDED]
        super().__init__(data, initial={"attended": ticked})
        self.seats = seats
        self.fields["attended"].choices = [(str(s.pk), s.user.name) for s in seats]

    def rows(self):
        """(seat, checkbox) pairs, so the template can show each person's team beside the box."""
        boxes = {str(box.data["value"]): box for box in self["attended"]}
        return [(seat, boxes[str(seat.pk)]) for seat in self.seats]


class DebriefForm(forms.ModelForm):
    class Meta:
        model = Debrief
        fields = ["goals_and_needs", "surprises", "do_differently"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}
        help_texts = {
            "goals_and_needs": _("What are they trying to achieve? What do they need from us?"),
            "do_differently": _("One or two concrete things your team could change."),
        }
