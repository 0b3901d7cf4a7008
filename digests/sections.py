"""The digest's sections, in the order the email shows them.

Each feature app writes one module, `<app>/digest.py`, with two kinds of function:

    prepare(users, since_by_user, now) -> data
        Everything the batch of `users` needs, fetched once for the whole batch with a fixed
        number of queries (never one per user).
    pick_<section>(data, user, since, now) -> {"items": [...], "note": "", "more": 0} | None
        One person's part, in Python only (no queries). Runs with the person's language and
        time zone active, so translated text and dates come out in their own.

An item is a dict: {"title", "url" (absolute), "customer", "when" (aware datetime or None),
"detail" (short text), "tag" (short text, e.g. "Customer you follow")}, and optionally "quote": what a
person wrote, shown after the detail and isolated from the text around it (its own direction).

digests sits above the feature apps, so it may import them; it does so lazily, and leaves out
the sections of an app that is not installed.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from portal.permissions import can


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: str
    provider: str  # dotted module with prepare() and the pick function
    pick: str
    order: int = 100
    app: str = ""  # the Django app it needs; left out when that app is not installed
    # Whom it can ever show something to (user -> bool); the settings page offers it only to them.
    # None: everyone.
    audience: Callable | None = None

    def offered_to(self, user):
        return self.audience is None or self.audience(user)

    def module(self):
        return importlib.import_module(self.provider)

    def pick_function(self):
        return getattr(self.module(), self.pick)


SECTIONS = [
    DigestSection(
        "stories", _("New customer stories"), "stories.digest", "pick_stories", order=10, app="stories"
    ),
    DigestSection(
        "reviews",
        _("Decisions waiting on your review"),
        "decisions.digest",
        "pick_reviews",
        order=20,
        app="decisions",
    ),
    DigestSection(
        "seat_offers",
        _("A seat is held for you"),
        "meetings.digest",
        "pick_seat_offers",
        order=25,
        app="meetings",
    ),
    DigestSection(
        "routed_notes",
        _("Customer notes waiting on you"),
        "loops.digest",
        "pick_routed_notes",
        order=22,
        app="loops",
    ),
    DigestSection(
        "rhythm",
        _("Your contact rhythm this week"),
        "loops.digest",
        "pick_rhythm",
        order=65,
        app="loops",
        audience=lambda user: can(user, "rhythm.use"),
    ),
    DigestSection(
        "impact_checks",
        _("Did the impact we predicted happen?"),
        "decisions.digest",
        "pick_impact_checks",
        order=26,
        app="decisions",
    ),
    DigestSection(
        "employee_pulse",
        _("Answer this quarter's pulse"),
        "survey.digest",
        "pick_pulse",
        order=27,
        app="survey",
    ),
    DigestSection(
        "my_meetings",
        _("Your upcoming customer meetings"),
        "meetings.digest",
        "pick_my_meetings",
        order=30,
        app="meetings",
    ),
    DigestSection(
        "debriefs",
        _("Debriefs you owe your team"),
        "meetings.digest",
        "pick_debriefs",
        order=40,
        app="meetings",
    ),
    DigestSection(
        "open_seats",
        _("Customer meetings with open seats"),
        "meetings.digest",
        "pick_open_seats",
        order=50,
        app="meetings",
    ),
    DigestSection(
        "rising_complaints",
        _("Rising complaint patterns"),
        "improvements.digest",
        "pick_rising",
        order=55,
        app="improvements",
    ),
    DigestSection(
        "ideas_changed",
        _("Improvement ideas you joined"),
        "improvements.digest",
        "pick_ideas_changed",
        order=27,
        app="improvements",
    ),
    DigestSection(
        "quota",
        _("Your customer meetings this year"),
        "meetings.digest",
        "pick_quota",
        order=60,
        app="meetings",
        audience=lambda user: user.is_leader,
    ),
]


def active_sections():
    """The registered sections whose app is installed, in email order."""
    return sorted(
        (s for s in SECTIONS if not s.app or apps.is_installed(s.app)),
        key=lambda s: (s.order, s.key),
    )


def section_choices(user=None):
    """(key, title) of the sections, those `user` could ever get when given."""
    return [(s.key, s.title) for s in active_sections() if user is None or s.offered_to(user)]
