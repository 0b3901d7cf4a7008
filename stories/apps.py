from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = _("Customer stories")

    def ready(self):
        from django.db.models.signals import post_save

        from customers.brief import register_brief_part
        from customers.models import Customer
        from customers.sections import register_section
        from customers.signals import customers_renamed
        from portal.lib.panels import register_panel
        from portal.models import User

        from . import selectors, services

        def section_context(customer, user):
            """The customer's newest published stories (one query); each row's markup is kept in a
            fragment (stories/customer_section.html), its counts and "Write a story" are per request."""
            stories, has_more = selectors.customer_stories(customer=customer, user=user)
            return {"stories": stories, "has_more": has_more}

        register_section(
            key="stories", title=_("Stories"), template="stories/customer_section.html", context=section_context, order=10,
            head="stories/customer_head.html",
        )

        def related_context(customer, user):
            """Stories about other customers like this one's (one query, stories.related)."""
            return {"stories": selectors.stories_like_customers(customer=customer, user=user)}

        register_section(
            key="related_stories", title=_("Stories like theirs"), template="stories/related.html#section",
            context=related_context, order=11,
        )

        register_brief_part(key="stories", title=_("Latest stories about them"), context=selectors.brief_stories, order=10)

        def panel_context(user):
            """The person's story of the day, picked on every request (one query, stories.selectors)."""
            story = selectors.story_of_the_day(user)
            return {"story": story} if story is not None else None

        register_panel(key="story_of_the_day", template="stories/home_panel.html", context=panel_context, order=10)

        def customer_saved(sender, instance, created, update_fields=None, **kwargs):
            # Renames reach the stories' search vectors (customer name is weight B).
            if not created and (update_fields is None or "name" in update_fields):
                services.stories_reindex_customers(customer_ids=[instance.pk])

        post_save.connect(customer_saved, sender=Customer, dispatch_uid="stories_customer_renamed")

        def author_saved(sender, instance, created, update_fields=None, **kwargs):
            # And an author's name (weight B too).
            if not created and (update_fields is None or "name" in update_fields):
                services.stories_reindex_author(author=instance)

        post_save.connect(author_saved, sender=User, dispatch_uid="stories_author_renamed")

        def customers_imported(sender, customer_ids, **kwargs):
            services.stories_reindex_customers(customer_ids=customer_ids)

        customers_renamed.connect(customers_imported, dispatch_uid="stories_customers_renamed")

        # The shared customer timeline (customers.timeline): one query per page.
        from customers.timeline import register_timeline_source

        register_timeline_source(key="stories", label=_("Stories"), fetch=selectors.timeline_entries, order=10)
