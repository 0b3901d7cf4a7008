from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

# The main navigation; an entry whose app is not installed is left out. An entry is the current one on
# the pages under its address, and under the addresses of the apps that belong to it (the name of one of
# their URLs): a customer's timeline, its notes and the contact rhythm are the customers' pages.
NAV = [
    ("home", _("Home"), ()),
    ("stories:feed", _("Stories"), ()),
    ("decisions:log", _("Decisions"), ()),
    ("meetings:list", _("Meetings"), ()),
    ("customers:directory", _("Customers"), ("loops:rhythm",)),
    ("insights:scorecard", _("Insights"), ()),
    ("improvements:patterns", _("Improvements"), ()),
]


def _prefixes(names):
    """The addresses the apps of these URLs share ("/loops/" for loops:rhythm at /loops/rhythm/)."""
    for name in names:
        try:
            path = reverse(name)
        except NoReverseMatch:  # the app is not installed
            continue
        yield path[: path.index("/", 1) + 1]


def _nav_items(request):
    items = []
    for name, label, belongs in NAV:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        prefixes = [url, *_prefixes(belongs)]
        current = request.path == url if url == "/" else request.path.startswith(tuple(prefixes))
        items.append({"url": url, "label": label, "current": current})
    return items


def portal(request):
    return {
        "AVAILABLE_LANGUAGES": settings.LANGUAGES,
        "nav_items": SimpleLazyObject(lambda: _nav_items(request)),
    }
