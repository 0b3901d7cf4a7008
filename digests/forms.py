from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import TIME_ZONE_CHOICES

from .models import KIND_FIELDS, WEEKDAYS, Kind
from .sections import section_choices

HOURS = [(h, f"{h:02d}:00") for h in range(24)]
REMINDER_FIELDS = [
    (Kind.MEETING_TOMORROW, _("A customer meeting of mine is tomorrow (with its calendar file)")),
    (Kind.DEBRIEF_DUE, _("I still owe my team a debrief")),
    (Kind.REVIEW_DUE, _("An impact review asked of me is due soon")),
    (Kind.REVIEW_REQUESTED, _("Someone asks for my impact review")),
    (Kind.WAITLIST_PROMOTED, _("A seat frees up for me on a waitlist (it is held for me for a while)")),
    (Kind.IMPACT_CHECK_DUE, _("It is time to record what a decision I decided or reviewed did for customers")),
    (Kind.NOTE_ROUTED, _("A customer note is routed to me or my team")),
]
REMINDER_HELP = {
    Kind.NOTE_ROUTED: _("Without the email, the note still waits on your home page and in your weekly digest."),
}


class NotificationPreferencesForm(forms.Form):
    """A plain form (not a ModelForm) so the service sees the row as it was before the change."""

    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=TIME_ZONE_CHOICES,
        required=False,  # left out (an older form, a script): the time zone stays as it is
        help_text=_("Times on every page, and the hour your emails come, follow it."),
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )
    digest_enabled = forms.BooleanField(label=_("Send me the weekly digest"), required=False)
    digest_weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=WEEKDAYS,
        coerce=int,
        error_messages={"invalid_choice": _("Choose a day of the week (0 is Monday, 6 is Sunday).")},
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Hour"),
        choices=HOURS,
        coerce=int,
        help_text=_("In your own time zone."),
        error_messages={"invalid_choice": _("Choose an hour from 0 to 23.")},
    )
    pulse = forms.BooleanField(
        label=_("Send me the monthly customer pulse"),
        required=False,
        help_text=_("Products returned, customers credited, legal threats and customers saved, once a month."),
    )
    employee_pulse = forms.BooleanField(
        label=_("Invite me to the quarterly employee pulse"),
        required=False,
        help_text=_("An email with your own link when a pulse opens. Without it you can still answer from your "
                    "home page and the weekly digest's reminder."),
    )
    sections = forms.MultipleChoiceField(
        label=_("What the digest shows"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("%(value)s is not a section of the digest.")},
    )

    def __init__(self, *args, prefs, user, **kwargs):
        initial = {"time_zone": user.time_zone}
        initial |= {name: getattr(prefs, name) for name in ("digest_enabled", "digest_weekday", "digest_hour", "pulse",
                                                              "employee_pulse")}
        initial |= {KIND_FIELDS[kind]: getattr(prefs, KIND_FIELDS[kind]) for kind, _label in REMINDER_FIELDS}
        self.prefs = prefs
        choices = section_choices(user)
        initial["sections"] = [key for key, _label in choices if prefs.wants_section(key)]
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["sections"].choices = choices
        for kind, label in REMINDER_FIELDS:
            self.fields[KIND_FIELDS[kind]] = forms.BooleanField(
                label=label, required=False, help_text=REMINDER_HELP.get(kind, ""))

    def reminder_fields(self):
        return [self[KIND_FIELDS[kind]] for kind, _label in REMINDER_FIELDS]

    def changes(self):
        """Cleaned data in the model's terms (the time zone is the person's, not the preferences')."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("sections", "time_zone")}
        included = set(self.cleaned_data["sections"])
        offered = [key for key, _label in self.fields["sections"].choices]
        # What the person is not offered (not theirs now, perhaps again after a move) stays as it was.
        data["muted_sections"] = [key for key in offered if key not in included] + [
            key for key in self.prefs.muted_sections if key not in offered]
        return data
