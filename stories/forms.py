import functools

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from customers.widgets import CustomerPicker
from portal.lib.conflicts import fingerprint, seen_field
from portal.lib.forms import ModelMultipleChoiceField
from portal.lib.pickers import PersonPicker, PickerChoiceField
from portal.models import Team, User

from . import search
from .models import BODY_MAX_CHARS, COMMENT_MAX_CHARS, Story, Theme

AS_THE_CUSTOMER_WISHES = ""


class StoryForm(forms.Form):
    customer = PickerChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name"),
        widget=CustomerPicker,
        help_text=_("The named customer this story is about."),
        error_messages={
            "required": _("Choose the customer this story is about."),
            "invalid_choice": _("That customer is no longer in the directory. Choose another one."),
        },
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the story a title.")}
    )
    body = forms.CharField(
        label=_("The story"),
        widget=forms.Textarea(
            attrs={
                "rows": 14,
                # Live preview: the server renders and sanitises exactly as on save.
                "data-hx-post": reverse_lazy("stories:preview"),
                "data-hx-trigger": "input changed delay:500ms",
                "data-hx-target": "#story-preview",
                "data-hx-swap": "outerHTML",
            }
        ),
        strip=False,
        validators=[MaxLengthValidator(BODY_MAX_CHARS)],
        help_text=_("Markdown: **bold**, *italic*, lists, links, > quotes. Who they are, what happened, in their words."),
        error_messages={"required": _("Write the story."), "max_length": _("The story is too long: at most %(limit_value)s characters (it has %(show_value)s).")},
    )
    bought = forms.CharField(
        label=_("What they bought"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    impact = forms.CharField(
        label=_("How it changed their business or life"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown."),
    )
    language = forms.ChoiceField(
        label=_("Written in"), choices=settings.LANGUAGES, required=False,
        help_text=_("Search matches the story's words the way this language forms them."),
        error_messages={"invalid_choice": _("Choose one of the portal's languages.")},
    )
    themes = ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown theme."), "invalid_pk_value": _("Unknown theme.")},
    )
    teams = ModelMultipleChoiceField(
        label=_("Teams it matters most to"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown team."), "invalid_pk_value": _("Unknown team.")},
    )

    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Story.Visibility.choices, initial=Story.Visibility.EVERYONE,
        widget=forms.RadioSelect, required=False,
        help_text=_("Leaders and admins read every story; so does its author."),
        error_messages={"required": _("Choose who may read the story."), "invalid_choice": _("Choose who may read the story.")},
    )
    audience = ModelMultipleChoiceField(
        label=_("Teams who may read it"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when it is for the teams chosen."),
        error_messages={"invalid_choice": _("Unknown team."), "invalid_pk_value": _("Unknown team.")},
    )
    naming = forms.ChoiceField(
        label=_("Naming the customer"),
        choices=[
            (AS_THE_CUSTOMER_WISHES, _("As the customer wishes: anonymised if they asked not to be named, else named inside the company")),
            *Story.Naming.choices,
        ],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose how the story names the customer.")},
    )
    anonymised_as = forms.CharField(
        label=_("The customer, anonymised"), required=False, max_length=200,
        help_text=_("Shown in place of the customer's name. Left empty, it is written from their profile: their industry, size and region."),
    )
    consent_method = forms.ChoiceField(
        label=_("How the customer agreed to be named"),
        choices=[("", _("Not recorded")), *Story.ConsentMethod.choices],
        required=False,
        help_text=_("Only when it is named with their consent. Your name and today's date are recorded with it."),
        error_messages={"invalid_choice": _("Choose how the customer agreed: by email, on a call or in their contract.")},
    )
    consent_note = forms.CharField(
        label=_("About their consent"), required=False, max_length=500,
        help_text=_("Optional: who agreed, and where the email or the contract is."),
    )

    seen = seen_field()  # portal.lib.conflicts

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # With no team set up yet, "Only the teams chosen" could not be filled in, so it is not offered
        # (a story already shown to teams keeps the choice, to say what it is).
        if self["visibility"].value() != Story.Visibility.TEAMS and not Team.objects.exists():
            self.fields["visibility"].choices = [
                choice for choice in Story.Visibility.choices if choice[0] != Story.Visibility.TEAMS
            ]

    # What the services take (stories.services.story_create / story_update), besides the language.
    SERVICE_FIELDS = (
        "customer", "title", "body", "bought", "impact", "themes", "teams", "visibility", "audience", "naming",
        "anonymised_as", "consent_method", "consent_note",
    )

    def clean_visibility(self):
        return self.cleaned_data["visibility"] or None  # None: the story's own (a new one: everyone)

    def clean_naming(self):
        return self.cleaned_data["naming"] or None  # None: as the customer wishes (the services decide)

    def clean(self):
        data = super().clean()
        if data.get("visibility") == Story.Visibility.TEAMS and not data.get("audience"):
            self.add_error("audience", _("Choose at least one team who may read the story."))
        if data.get("naming") == Story.Naming.CONSENTED and not data.get("consent_method"):
            self.add_error(
                "consent_method", _("Say how the customer agreed to be named: by email, on a call or in their contract.")
            )
        return data

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write the story."))
        return body

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    @classmethod
    def initial_for(cls, story):
        return {
            "seen": fingerprint(story, Story.EDITED_FIELDS),
            "customer": story.customer_id, "title": story.title, "body": story.body, "bought": story.bought,
            "impact": story.impact, "language": story.language, "themes": [t.pk for t in story.themes.all()],
            "teams": [t.pk for t in story.teams.all()],
            "visibility": story.visibility, "audience": [t.pk for t in story.audience.all()],
            "naming": story.naming, "anonymised_as": story.anonymised_as,
            "consent_method": story.consent_method, "consent_note": story.consent_note,
        }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[MaxLengthValidator(COMMENT_MAX_CHARS)],
        help_text=_("Markdown."),
        error_messages={"required": _("Write a comment first.")},
    )


class AuthorField(PickerChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _options(field):
    return [("", field.empty_label), *field.queryset.values_list("slug", "name")]


class FeedFilterForm(forms.Form):
    """The feed's query string. Values that are not understood are dropped, never a 500.

    Customer and author are pickers (portal/lib/pickers.py): the page lists only the chosen one, so
    it costs the same with 50 customers or 5,000."""

    q = forms.CharField(label=_("Search stories"), required=False, max_length=200)
    customer = PickerChoiceField(
        label=_("Customer"), required=False, to_field_name="slug", empty_label=_("All customers"),
        queryset=Customer.objects.only("id", "name", "slug").order_by("name"), widget=CustomerPicker, search_must_pick=False,
    )
    # Teams and themes are short lists: listing one costs a small query (and a chosen one another).
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, to_field_name="slug", empty_label=_("All teams"),
        queryset=Team.objects.only("id", "name", "slug").order_by("name"),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"), required=False, to_field_name="slug", empty_label=_("All themes"),
        queryset=Theme.objects.only("id", "name", "slug").order_by("name"),
    )
    author = AuthorField(
        label=_("Author"), required=False, empty_label=_("Anyone"),
        queryset=User.objects.only("id", "name").order_by("name", "pk"), widget=PersonPicker, search_must_pick=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The team and theme options as plain (slug, name) pairs, one small query each when the filter
        # bar is drawn (never for the htmx fragments): a ModelChoiceField would list them through a
        # server-side cursor on PostgreSQL and draw each through the widget templates;
        # stories/feed.html#select draws them in one loop. A chosen one is still looked up by slug.
        for name in ("team", "theme"):
            field = self.fields[name]
            field.choices = functools.partial(_options, field)

    def clean_q(self):
        """A search of nothing but syntax (a lone quote or dash) is ignored, not a search that finds nothing."""
        q = self.cleaned_data["q"]
        query = search.parse(q)
        if q.strip() and not query.groups and not query.without:
            raise forms.ValidationError(_("There is nothing to search for."), code="empty")
        return q

    def bar_key(self):
        """Everything the filter bar shows, for its fragment's key (stories/feed.html#filters): the team and
        theme options (the bar's two queries, each run once: the bar draws these same lists), what was
        asked for in each field, what was typed in the customer and author pickers' search boxes, and the
        names they show for their choice."""
        options = []
        for name in ("team", "theme"):
            field = self.fields[name]
            field.choices = _options(field)
            options.append(field.choices)
        data = getattr(self, "cleaned_data", None) or {}
        asked = [self[name].value() for name in self.fields]
        # What was typed in the pickers' search boxes: the bar shows it again, with what it matches (the
        # query the picker runs to list them, asked once: the widget keeps its answer).
        searched = [self._searched(self.fields[name]) for name in ("customer", "author")]
        chosen = [getattr(data.get(name), "name", None) for name in ("customer", "author")]
        return repr((options, asked, searched, chosen))

    @staticmethod
    def _searched(field):
        search = field.widget.search
        return (search, [field.label_from_instance(obj) for obj in field.widget.matches()]) if search else None

    def values(self):
        """{name: object or ""}, and the labels of filters that were ignored."""
        self.is_valid()
        ignored = [str(self.fields[name].label) for name in self.errors]
        data = self.cleaned_data
        values = {"q": (data.get("q") or "").strip()}
        for name in ("customer", "team", "theme", "author"):
            values[name] = data.get(name) or None
        return values, ignored
