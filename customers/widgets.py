from django.utils.translation import gettext_lazy as _

from portal.lib.pickers import SearchSelect, SearchSelectMultiple


class CustomerPicker(SearchSelect):
    """One customer: a <select> of the chosen one, with a search box that finds others by name
    (portal/lib/pickers.py). Works without JavaScript."""

    search_url = "customers:autocomplete"
    search_fields = ("name__icontains",)
    search_label = _("Find a customer by name")
    search_placeholder = _("Type to find a customer…")


class CustomerMultiPicker(SearchSelectMultiple):
    search_url = "customers:autocomplete"
    search_fields = ("name__icontains",)
    search_label = _("Find a customer by name")
    search_placeholder = _("Type to find a customer…")
