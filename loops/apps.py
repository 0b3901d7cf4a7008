from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoopsConfig(AppConfig):
    """The shared customer timeline's notes (service ↔ sales), routed to whoever should answer, and the
    3-2-1 contact rhythm of customer-facing owners. Sits beside stories, decisions and meetings: it
    knows portal and customers only."""

    name = "loops"
    verbose_name = _("Customer notes and contact rhythm")

    def ready(self):
        from customers.sections import register_section
        from customers.timeline import register_timeline_source
        from portal.lib.panels import register_panel

        from . import selectors
        from .models import Note

        register_section(
            key="timeline", title=_("Timeline"), template="loops/customer_section.html",
            context=selectors.section_context, order=5,
        )
        register_timeline_source(key="notes", label=_("Notes"), fetch=selectors.timeline_notes, order=50,
                                 kinds=Note.Kind.choices)
        register_timeline_source(key="touches", label=_("Touches"), fetch=selectors.timeline_touches, order=60)
        register_panel(key="routed-notes", template="loops/panels/routed_notes.html",
                       context=selectors.routed_notes_panel, order=15)
        register_panel(key="rhythm", template="loops/panels/rhythm.html", context=selectors.rhythm_panel, order=16)
