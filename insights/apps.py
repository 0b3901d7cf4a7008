from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self):
        from portal.lib.panels import register_panel

        from . import panels, selectors

        register_panel(key="next-hosted-meeting", template="insights/panels/next_hosted.html",
                       context=selectors.next_hosted_panel, order=35)
        register_panel(key="open-seats", template="insights/panels/open_seats.html",
                       context=panels.open_seats_panel, order=40)
        register_panel(key="followed-customers", template="insights/panels/followed.html",
                       context=panels.followed_panel, order=90)
