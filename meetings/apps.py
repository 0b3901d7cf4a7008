from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Customer meetings")

    def ready(self):
        from customers.brief import register_brief_part
        from customers.sections import register_section
        from portal.lib.panels import register_panel

        from . import selectors

        register_section(
            key="meetings", title=_("Customer meetings"), template="meetings/customer_section.html",
            context=selectors.customer_section_context, order=40,
        )
        register_panel(
            key="meetings-debriefs", template="meetings/home_panel.html",
            context=selectors.home_panel, order=30,
        )
        register_brief_part(
            key="surprises", title=_("What surprised us last time"), context=selectors.brief_surprises, order=30
        )

        # The shared customer timeline (customers.timeline): one query per page.
        from customers.timeline import register_timeline_source

        register_timeline_source(key="meetings", label=_("Meetings"), fetch=selectors.timeline_meetings, order=30)
        register_timeline_source(key="debriefs", label=_("Debriefs"), fetch=selectors.timeline_debriefs, order=35)
