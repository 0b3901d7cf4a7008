from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self):
        from customers.brief import register_brief_part
        from decisions.evidence import register_evidence
        from portal.lib.panels import register_panel

        from . import selectors

        # Each is the viewer's own, read on every request (one query each) and drawn by its template.
        register_panel(key="next-hosted-meeting", template="insights/panels/next_hosted.html",
                       context=selectors.next_hosted_panel, order=35)
        register_panel(key="open-seats", template="insights/panels/open_seats.html",
                       context=selectors.open_seats_panel, order=40)
        register_panel(key="followed-customers", template="insights/panels/followed.html",
                       context=selectors.followed_panel, order=90)
        # An impact check shows the pulse of the decision's customers before and after it was decided.
        register_evidence(key="pulse", template="insights/evidence/check_pulse.html",
                          context=selectors.check_pulse, present=selectors.check_pulse_present)
        register_brief_part(key="pulse", title=_("Their pulse figures"), context=selectors.brief_pulse, order=40)

        # The shared customer timeline (customers.timeline): one query per page.
        from customers.timeline import register_timeline_source

        register_timeline_source(key="pulse", label=_("Pulse figures"), fetch=selectors.timeline_entries, order=40)
