from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementsConfig(AppConfig):
    name = "improvements"
    verbose_name = _("Complaint patterns and improvements")
