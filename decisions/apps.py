from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        from customers.brief import register_brief_part
        from customers.sections import register_section
        from portal.lib.panels import register_panel

        from . import selectors

        register_panel(
            key="decisions-awaiting-review",
            template="decisions/panels/awaiting_review.html",
            context=selectors.awaiting_review_panel,
            order=20,
        )
        register_panel(
            key="decisions-impact-checks",
            template="decisions/panels/impact_checks.html",
            context=selectors.checks_due_panel,
            order=21,
        )
        register_section(
            key="decisions",
            title=_("Decisions that name this customer"),
            template="decisions/customer_section.html",
            context=selectors.customer_section,
            order=30,
        )
        register_brief_part(
            key="decisions", title=_("Open decisions that name them"), context=selectors.brief_decisions, order=20
        )

        # The shared customer timeline (customers.timeline): one query per page.
        from customers.timeline import register_timeline_source

        register_timeline_source(key="decisions", label=_("Decisions"), fetch=selectors.timeline_entries, order=20)
