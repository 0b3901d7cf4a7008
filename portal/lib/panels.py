"""Panels on the home page. Each app registers its own in AppConfig.ready(), so the home
view knows no app's models; a panel's `context` runs a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass

_PANELS: dict[str, "Panel"] = {}


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable  # (user) -> dict, or None to leave the panel out
    order: int = 100


def register_panel(*, key, template, context, order=100):
    _PANELS[key] = Panel(key=key, template=template, context=context, order=order)


def panels_for(user):
    result = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(user)
        if context is not None:
            result.append({"key": panel.key, "template": panel.template, **context})
    return result
