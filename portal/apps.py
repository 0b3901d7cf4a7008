from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("People and teams")

    def ready(self):
        from . import checks, signals  # noqa: F401
        from .lib import fragments
        from .models import Team, User

        fragments.watch("people", User, unshown={"last_login"})
        fragments.watch("teams", Team)
