from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Slack and Teams")

    def ready(self):
        from portal.lib.announcements import announced

        from . import checks  # noqa: F401 - registers the system checks
        from .services import on_announced

        announced.connect(on_announced, dispatch_uid="webhooks.on_announced")
