from django import forms
from django.core.exceptions import ValidationError


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, except that an id too large for the database is an unknown choice, not a 500.

    Django checks each id converts to an int, but SQLite raises OverflowError when an id wider than
    64 bits reaches the `pk__in` query (PostgreSQL compares it and finds nothing).
    """

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ", ".join(map(str, value))[:50]}
            ) from None
