from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        from customers.sections import register_section
        from portal.lib import fragments
        from portal.lib.panels import register_panel

        from . import pages, selectors
        from .models import Decision, DecisionEvent, ImpactReview, ReviewRequest

        # Everything the decision pages' shared fragments show (decisions/pages.py). Writes that
        # bypass these signals (bulk_create, update()) bump "decisions" themselves (services.py).
        fragments.watch(
            "decisions", Decision, Decision.customers.through, ImpactReview, ImpactReview.customers.through,
            ReviewRequest, DecisionEvent,
            unshown={"emailed_at"},  # a review request's email going out changes no page
        )

        register_panel(
            key="decisions-awaiting-review",
            template="decisions/panels/awaiting_review.html",
            context=selectors.awaiting_review_panel,
            order=20,
        )
        register_section(
            key="decisions",
            title=_("Decisions that name this customer"),
            template="decisions/customer_section.html",
            context=pages.customer_section,
            order=30,
        )
