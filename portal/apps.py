from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("People and teams")

    def ready(self):
        from . import checks, signals  # noqa: F401
