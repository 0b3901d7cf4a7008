"""Evidence for an impact check that other apps know: the check form and the decision page show it
beside what happened. insights (above decisions) registers the customer pulse from its
AppConfig.ready(), as the customer page's sections are registered (customers/sections.py), so
decisions never imports it.

A provider's `context(check, customers)` returns a dict of plain, JSON-serialisable values (it is kept
on the check when the check is recorded: `ImpactCheck.evidence[key]`), or None when it has nothing to
say. It runs a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass

_PROVIDERS: dict[str, "Evidence"] = {}


@dataclass(frozen=True)
class Evidence:
    key: str
    template: str
    context: Callable  # (check, customers) -> dict | None
    present: Callable | None = None  # (kept context) -> what the template draws (translated labels, …)
    order: int = 100


def register_evidence(*, key, template, context, present=None, order=100):
    _PROVIDERS[key] = Evidence(key=key, template=template, context=context, present=present, order=order)


def _ordered():
    return sorted(_PROVIDERS.values(), key=lambda e: (e.order, e.key))


def gather(check, customers):
    """{key: context} from every provider with something to say, for the check of `customers`."""
    found = {}
    for provider in _ordered():
        context = provider.context(check, list(customers))
        if context is not None:
            found[provider.key] = context
    return found


def shown(evidence):
    """[(template, context)] for evidence gathered before (live or kept on a check); a provider no
    longer registered is left out."""
    return [
        (p.template, p.present(evidence[p.key]) if p.present else evidence[p.key])
        for p in _ordered()
        if p.key in (evidence or {})
    ]
