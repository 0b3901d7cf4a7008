"""What insights/panels.py still imports from here while it draws its open-seats rows in Python.
Nothing in meetings uses it: meetings' rows and cards are templates (templates/meetings/list.html
#card, templates/meetings/includes/row.html). Delete this module with insights/panels.py."""

from django.utils.translation import ngettext

from portal.lib.urls import pk_url

from .selectors import seat_statuses

__all__ = ["detail_url", "seat_statuses", "seats_left"]


def detail_url():
    """The meeting page's address for any pk: `detail_url() % pk`."""
    return pk_url("meetings:detail")


def seats_left(left):
    """"3 seats left", in the active language (plain text)."""
    return ngettext("%(counter)s seat left", "%(counter)s seats left", left) % {"counter": left}
