"""Search-as-you-type pickers for choices that can run to thousands (customers, people).

A picker is a plain `<select>` (so the form works without JavaScript) that lists only what is
chosen, plus an htmx search box above it. Typing asks the field's autocomplete URL for matches;
choosing one adds it to the `<select>` (static/js/lifeline.js). Without JavaScript the search box
is submitted with the form: the page comes back with the matches as options, and a search that
matches exactly one choice picks it.

So a page never renders every customer or every person: the cost of a form is the same with 20
customers or 20,000.

The search box is the control people see and use (the `<select>` stays hidden until it lists
something), so the field's label points at it, and it carries what the form says about the field:
required, invalid, and which help and error texts describe it. The `<select>` keeps them too and is
named by the field's label, for when it shows what was chosen.
"""

from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .forms import ModelMultipleChoiceField

SEARCH_LIMIT = 20


class SearchSelect(forms.Select):
    """For a ModelChoiceField (or ModelMultipleChoiceField, through SearchSelectMultiple).

    Subclasses name `search_url` (a URL name that answers `?q=`), `search_fields` (the lookups a
    search matches, OR-ed) and the texts of the search box.
    """

    template_name = "django/forms/widgets/picker.html"
    search_url = None
    search_fields = ("name__icontains",)
    search_label = ""
    search_placeholder = ""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.search = ""
        self.known = {}  # key -> object the field already fetched while validating (PickerChoiceField)
        self.found = {}  # limit -> what the search matched, asked once per form

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.search, copy.known, copy.found = "", {}, {}
        return copy

    def remember(self, objects):
        field = self._field()
        self.known.update((str(field.prepare_value(obj)), obj) for obj in objects)

    # -- reading the form -------------------------------------------------------------------------

    def value_from_datadict(self, data, files, name):
        search = (data.get(f"{name}_search") or "").replace("\x00", "").strip()[:100]
        if search != self.search:
            self.search, self.found = search, {}
        value = super().value_from_datadict(data, files, name)
        if self.search and not value_chosen(value):
            matches = list(self._matches(limit=2))
            if len(matches) == 1:  # no script: "ken" + Filter picks Ken's Plumbing Supply
                key = self._field().prepare_value(matches[0])
                return [str(key)] if self.allow_multiple_selected else str(key)
        return value

    # -- rendering --------------------------------------------------------------------------------

    def id_for_label(self, id_):
        """The field's <label> names the search box: the <select> is hidden while it lists nothing."""
        return f"{id_}_search" if id_ else id_

    def _field(self):
        return self.choices.field

    def _key(self):
        return self._field().to_field_name or "pk"

    def _valid_keys(self, values):
        meta = self._field().queryset.model._meta
        model_field = meta.pk if self._key() == "pk" else meta.get_field(self._key())
        keys = []
        for value in values:
            try:
                key = model_field.to_python(value)
            except ValidationError:
                continue
            if isinstance(key, str) and "\x00" in key:  # PostgreSQL text cannot hold a NUL (it raises)
                continue
            if not isinstance(key, int) or -(2**63) <= key < 2**63:  # wider ids exist nowhere (SQLite raises)
                keys.append(key)
        return keys

    def matches(self):
        """What the search box's text matches, as the list shows them (asked once per form)."""
        return self._matches()

    def _matches(self, *, limit=SEARCH_LIMIT):
        if limit not in self.found:
            condition = Q()
            for lookup in self.search_fields:
                condition |= Q(**{lookup: self.search})
            self.found[limit] = list(self._field().queryset.filter(condition)[:limit])
        return self.found[limit]

    def optgroups(self, name, value, attrs=None):
        field = self._field()
        wanted = [str(v) for v in value if v not in (None, "")]
        chosen = [self.known[v] for v in wanted if v in self.known]
        keys = self._valid_keys(v for v in wanted if v not in self.known)
        if keys:
            chosen += list(field.queryset.filter(**{f"{self._key()}__in": keys}))
        found = [obj for obj in self._matches() if obj not in chosen] if self.search else []
        options = []
        if field.empty_label is not None and not self.allow_multiple_selected:
            options.append(("", field.empty_label))
        options += [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in chosen + found]
        selected = {str(v) for v in value}
        return [
            (None, [self.create_option(name, key, label, str(key) in selected, index)], index)
            for index, (key, label) in enumerate(options)
        ]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        listed = sum(1 for _name, group, _index in context["widget"]["optgroups"] for option in group if option["value"])
        if self.allow_multiple_selected:  # as tall as what it lists (it grows as the search adds more)
            context["widget"]["attrs"].setdefault("size", max(2, min(listed, 8)))
        attrs = context["widget"]["attrs"]
        id_ = str(attrs.get("id", ""))
        label = self._field().label
        if label and "aria-label" not in attrs:  # named when it shows what was chosen (the <label> names the search)
            attrs["aria-label"] = str(label)
        search_attrs = {key: attrs[key] for key in ("aria-invalid", "aria-describedby") if key in attrs}
        if self.is_required:  # not `required`: the search is emptied once a choice is made
            search_attrs["aria-required"] = "true"
        context["widget"].update(
            picker_field=name,
            search=self.search,
            search_attrs=search_attrs,
            search_href=f"{reverse(self.search_url)}?field={quote(id_, safe='/')}&key={quote(self._key(), safe='/')}",
            search_label=self.search_label,
            search_placeholder=self.search_placeholder,
            searched_nothing=bool(self.search) and not listed,
            # A filter's search that matched several while none is chosen (a form that saves says so as
            # its error: PickFromSearchMixin): the matches are in the list, one to choose.
            searched_several=bool(self.search) and listed > 1 and not value_chosen(value)
            and not getattr(self._field(), "search_must_pick", True),
            search_isolated=format_html("<bdi>{}</bdi>", self.search),  # in a sentence, either direction
        )
        return context


def value_chosen(value):
    """Whether a picker's value (one key, or a list of them) names anything."""
    return any(v not in (None, "") for v in (value if isinstance(value, (list, tuple)) else [value]))


class SearchSelectMultiple(SearchSelect, forms.SelectMultiple):
    allow_multiple_selected = True


class PickFromSearchMixin:
    """Without JavaScript, a search that matched several choices (or none) while nothing is chosen
    is an error on a form that saves: "choose one of the matches", with the matches offered and the
    search text kept. A filter form (`search_must_pick=False`) just offers the matches."""

    default_error_messages = {
        "pick": _("Choose one of the matches for “%(search)s” below, or search again."),
    }

    def __init__(self, *args, search_must_pick=True, **kwargs):
        self.search_must_pick = search_must_pick
        super().__init__(*args, **kwargs)

    def clean(self, value):
        search = getattr(self.widget, "search", "")
        if self.search_must_pick and search and value in self.empty_values:
            raise ValidationError(self.error_messages["pick"], code="pick", params={"search": search})
        return super().clean(value)


class PickerChoiceField(PickFromSearchMixin, forms.ModelChoiceField):
    """A ModelChoiceField that hands the object it validated to its picker, so rendering the form
    again does not fetch it a second time."""

    def to_python(self, value):
        try:
            obj = super().to_python(value)
        except OverflowError:  # an id wider than 64 bits: SQLite raises where PostgreSQL finds nothing
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
        if obj is not None and hasattr(self.widget, "remember"):
            self.widget.remember([obj])
        return obj


class PickerMultipleChoiceField(PickFromSearchMixin, ModelMultipleChoiceField):
    def _check_values(self, value):
        objects = super()._check_values(value)
        if hasattr(self.widget, "remember"):
            self.widget.remember(objects)
        return objects


class PersonPicker(SearchSelect):
    """One colleague, found by name or email (portal.views.people_autocomplete)."""

    search_url = "people_autocomplete"
    search_fields = ("name__icontains", "email__istartswith")
    search_label = _("Find a person by name or email")
    search_placeholder = _("Type a name…")


class PeoplePicker(SearchSelectMultiple):
    search_url = "people_autocomplete"
    search_fields = ("name__icontains", "email__istartswith")
    search_label = _("Find a person by name or email")
    search_placeholder = _("Type a name…")
