from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customer directory")

    def ready(self):
        from portal.lib import fragments

        from .models import Contact, Customer

        fragments.watch("customers", Customer, unshown={"last_activity_at"})  # activity: sorting only
        fragments.watch("customer-activity", Customer)  # the home page's follow lists, ordered by activity
        fragments.watch("contacts", Contact)  # the customer page's frame
