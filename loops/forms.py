import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.timeline import sources
from portal.lib.conflicts import fingerprint, seen_field
from portal.lib.dates import DateField

from .models import Note, Touch


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Note.Kind.choices, initial=Note.Kind.CALL)
    text = forms.CharField(
        label=_("What happened"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a short note.")},
        help_text=_("A few sentences: what they said, what they need."),
    )
    contact = forms.TypedChoiceField(label=_("Contact"), required=False, coerce=int, empty_value=None)
    link = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https",
                          help_text=_("A ticket, an email thread, a CRM record."))
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Note.Visibility.choices, initial=Note.Visibility.EVERYONE)
    audience = forms.TypedMultipleChoiceField(label=_("Teams who may read it"), required=False, coerce=int,
                                              help_text=_("Only when it is shown to chosen teams."))
    route = forms.ChoiceField(label=_("Route it"), required=False, choices=Note.Route.choices, initial="")
    route_team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None,
                                        help_text=_("When it is for a customer-facing team."))

    def __init__(self, *args, contacts=(), teams=(), all_teams=(), may_route_to_owner=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.contacts = {c.pk: c for c in contacts}
        self.teams = {t.pk: t for t in teams}
        self.all_teams = {t.pk: t for t in all_teams}
        self.fields["contact"].choices = [("", _("No one in particular"))] + [(c.pk, c.name) for c in contacts]
        self.fields["audience"].choices = [(t.pk, t.name) for t in all_teams]
        self.fields["route_team"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]
        if not may_route_to_owner:
            self.fields["route"].choices = [c for c in Note.Route.choices if c[0] != Note.Route.OWNER]

    def clean(self):
        data = super().clean()
        if data.get("contact") is not None:
            data["contact"] = self.contacts.get(data["contact"])
        data["audience"] = [self.all_teams[pk] for pk in data.get("audience") or () if pk in self.all_teams]
        if data.get("visibility") == Note.Visibility.TEAMS and not data["audience"]:
            self.add_error("audience", _("Choose the teams who may read it."))
        team = self.teams.get(data.get("route_team")) if data.get("route_team") else None
        data["route_team"] = team
        if data.get("route") == Note.Route.TEAM and team is None:
            self.add_error("route_team", _("Choose a customer-facing team to route the note to."))
        return data


class NoteEditForm(NoteForm):
    """Correcting a note: everything but its routing (its recipients were told when it was added)."""

    seen = seen_field()  # portal.lib.conflicts

    def __init__(self, *args, note, **kwargs):
        kwargs.setdefault("initial", {
            "kind": note.kind, "text": note.text, "contact": note.contact_id, "link": note.link,
            "visibility": note.visibility, "audience": [team.pk for team in note.audience.all()],
            "seen": fingerprint(note, Note.EDITED_FIELDS),
        })
        super().__init__(*args, **kwargs)
        del self.fields["route"], self.fields["route_team"]


class RespondForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    acknowledge = forms.BooleanField(required=False)


class TimelineFilterForm(forms.Form):
    """Filters of the timeline; anything not understood is ignored (a bad link shows everything)."""

    kind = forms.ChoiceField(label=_("Show"), required=False)
    since = DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Everything"))]
        for source in sources():
            choices.append((source.key, source.label))
            choices += [(f"{source.key}:{value}", f"— {label}") for value, label in source.kinds]
        self.fields["kind"].choices = choices

    def filters(self):
        """{source, kinds, since, until} from the valid fields only."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        kind = data.get("kind") or ""
        source, _sep, sub = kind.partition(":")
        zone = timezone.get_current_timezone()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            since, until = until, since
        return {
            "source": source or None,
            "kinds": {sub} if sub else None,
            "since": datetime.datetime.combine(since, datetime.time.min, tzinfo=zone) if since else None,
            "until": datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone) if until else None,
        }


class TouchForm(forms.Form):
    kind = forms.ChoiceField(choices=Touch.Kind.choices)
    contact = forms.IntegerField(required=False)
