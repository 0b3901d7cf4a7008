from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("People and teams")

    def ready(self):
        from . import checks, signals  # noqa: F401


class SignInProtectionConfig(AxesAppConfig):
    """django-axes under a name the admin can show in every language: its own is "Axes", untranslated."""

    verbose_name = _("Sign-in protection")
