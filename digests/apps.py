from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = _("Digests and reminders")

    def ready(self):
        from portal.lib import notifications

        from .preferences import subscriptions, wants

        notifications.set_preference_check(wants)
        notifications.set_subscriptions(subscriptions)
