"""Two people editing the same thing: the second save must not silently undo the first.

A form carries a fingerprint of the fields it edits, as they were when it was drawn (`seen_field`); the
service compares it with the row it has locked (`check_unchanged`) and refuses the save when they differ,
and the form comes back with the person's own text in it (`redraw`), ready to be saved again over the
other. Written here because the libraries for this (django-concurrency, django-optimistic-lock) keep a
version column that every save bumps, and a story's, decision's or idea's row is saved for other reasons
than an edit (published, a review arriving): each would be a false alarm.
"""

import hashlib
import json

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def fingerprint(obj, fields):
    """A short digest of `obj`'s `fields` as they are now; a many-to-many field (themes, customers) by the
    ids it holds, in any order (one query each, unless they are prefetched)."""
    return hashlib.sha256(json.dumps([_value(obj, name) for name in fields]).encode()).hexdigest()[:32]


def _value(obj, name):
    if not obj._meta.get_field(name).many_to_many:
        return str(getattr(obj, name))
    if name in getattr(obj, "_prefetched_objects_cache", {}):
        return sorted(related.pk for related in getattr(obj, name).all())
    return sorted(getattr(obj, name).values_list("pk", flat=True))


def seen_field():
    """The hidden field that carries the fingerprint of what the form was drawn from."""
    return forms.CharField(widget=forms.HiddenInput, required=False)


class EditConflict(ValidationError):
    """A save refused because someone else saved since; `current` is the fingerprint saved now."""

    def __init__(self, message, current):
        super().__init__({NON_FIELD_ERRORS: [ValidationError(message, code="conflict")]})
        self.current = current


def check_unchanged(current, fields, seen, message):
    """Raise EditConflict when `current` (the locked row) no longer matches the fingerprint `seen` the
    form was drawn with. An empty `seen` (a script, an older page) skips the check."""
    now = fingerprint(current, fields)
    if seen and seen != now:
        raise EditConflict(message, now)


def redraw(form, error):
    """After a save refused by `error`: when it was a conflict, the form is drawn as of what is saved now,
    so that saving it again (after comparing) keeps this person's version."""
    if isinstance(error, EditConflict):
        form.data = form.data.copy()
        form.data[form.add_prefix("seen")] = error.current
