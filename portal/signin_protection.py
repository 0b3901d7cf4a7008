"""django-axes's app under a name the admin shows in every language (INSTALLED_APPS names this class).

In a module of its own: a second AppConfig in portal/apps.py would leave Django unable to pick the
portal's own, and PortalConfig.ready() (checks, signals) would never run."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SignInProtectionConfig(AxesAppConfig):
    """django-axes, whose own name ("Axes") no catalog translates."""

    verbose_name = _("Sign-in protection")
