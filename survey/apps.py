from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "survey"
    verbose_name = _("Employee pulse")

    def ready(self):
        from digests.signals import emails_switched_on
        from portal.lib.panels import register_panel

        from . import selectors, services

        def invite_again(sender, *, user, fields, **kwargs):
            if "employee_pulse" in fields:
                services.invitations_switched_on(user=user)

        emails_switched_on.connect(invite_again, dispatch_uid="survey.invite_again", weak=False)

        # The viewer's own: is this quarter's pulse open, and have they answered it? One query.
        register_panel(key="employee-pulse", template="survey/panels/open_survey.html",
                       context=selectors.open_survey_panel, order=15)
