from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Customer meetings")

    def ready(self):
        from customers.sections import register_section
        from portal.lib import fragments
        from portal.lib.panels import register_panel

        from . import cards
        from .models import Debrief, Meeting, Seat

        # Writes that show nowhere (a seat's `notified`, a meeting's `debriefs_requested_at`) are update()s: no bump.
        fragments.watch("meetings", Meeting)
        fragments.watch("seats", Seat)
        fragments.watch("debriefs", Debrief)

        register_section(
            key="meetings", title=_("Customer meetings"), template="meetings/customer_section.html",
            context=cards.customer_section, order=40,
        )
        register_panel(
            key="meetings-debriefs", template="meetings/home_panel.html",
            context=cards.home_panel, order=30,
        )
