"""The listener brief gathers, on one printable page, what other apps know about one customer.

Like the customer page's sections (customers/sections.py), each app registers its part in its
AppConfig.ready(), so `customers/` never imports them, and a page at any level (the meeting page,
the reminder the day before) can show every part without importing the apps that provide them:
meetings may not import insights, yet the brief shows the customer's pulse figures.

A part's `context(customer, user)` runs a fixed number of queries and returns None (nothing worth
showing) or a dict with any of
    "items":   [{"title", "url" (a path, or ""), "text" (short), "meta" ([short texts: a date, a name])}]
    "figures": [{"label", "value"}]
    "note":    a short line under them
Every text is short already: the brief must fit one printed page and an email, so parts cap what
they give (few rows, trimmed texts) rather than the template.
"""

from collections.abc import Callable
from dataclasses import dataclass

_PARTS: dict[str, "BriefPart"] = {}


@dataclass(frozen=True)
class BriefPart:
    key: str
    title: str
    context: Callable  # (customer, user) -> dict | None
    order: int = 100


def register_brief_part(*, key, title, context, order=100):
    _PARTS[key] = BriefPart(key=key, title=title, context=context, order=order)


def brief_parts_for(customer, user):
    """[(part, context), …] in brief order, leaving out the parts with nothing to show."""
    found = []
    for part in sorted(_PARTS.values(), key=lambda p: (p.order, p.key)):
        context = part.context(customer, user)
        if context:
            # Every key present: a template asking a dict for a missing "items" would get dict.items.
            found.append((part, {"items": [], "figures": [], "note": "", **context}))
    return found
