"""Two people editing the same thing: the second save must not silently undo the first.

A form carries a fingerprint of the fields it edits, as they were when it was drawn; the service
compares it with the row it has locked and refuses the save when they differ, and the form comes back
with the person's own text in it. Written here because the libraries for this (django-concurrency,
django-optimistic-lock) keep a version column that every save bumps, and a story's or a decision's row
is saved for other reasons than an edit (published, a review arriving): each would be a false alarm.
"""

import hashlib
import json

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def fingerprint(obj, fields):
    """A short digest of `obj`'s `fields` as they are now."""
    values = [str(getattr(obj, name)) for name in fields]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:32]


def check_unchanged(current, fields, seen, message):
    """Raise ValidationError (non-field, code "conflict") when `current` no longer matches the fingerprint
    `seen` the form was drawn with. An empty `seen` (a script, an older page) skips the check."""
    if seen and seen != fingerprint(current, fields):
        raise ValidationError({NON_FIELD_ERRORS: [ValidationError(message, code="conflict")]})
