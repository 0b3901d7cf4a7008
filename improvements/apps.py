from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementsConfig(AppConfig):
    name = "improvements"
    verbose_name = _("Complaint patterns and improvements")

    def ready(self):
        from customers.sections import register_section

        from . import selectors

        register_section(
            key="complaints",
            title=_("Complaints from the support desk"),
            template="improvements/customer_section.html",
            context=selectors.customer_section,
            order=60,
        )
