"""The customer page gathers what other apps know about one customer.

Each app registers a section in its AppConfig.ready(); this module never imports them.
A section's `context` function runs a fixed number of queries whatever the data size.
"""

from collections.abc import Callable
from dataclasses import dataclass

_SECTIONS: dict[str, "Section"] = {}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    context: Callable  # (customer, user) -> dict
    order: int = 100
    head: str = ""  # a template for the page's <head> (e.g. a feed's <link rel="alternate">), given the same context


def register_section(*, key, title, template, context, order=100, head=""):
    _SECTIONS[key] = Section(key=key, title=title, template=template, context=context, order=order, head=head)


def sections_for(customer, user):
    """[(section, context), …] in page order."""
    return [
        (section, {**section.context(customer, user), "customer": customer, "section": section})
        for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    ]
