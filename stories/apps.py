from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = _("Customer stories")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from django.utils import timezone
        from django.template.loader import render_to_string

        from customers.models import Customer, Follow
        from customers.sections import register_section
        from customers.signals import customers_renamed
        from portal.lib import fragments
        from portal.lib.panels import register_panel

        from . import selectors, services
        from .models import Comment, Reaction, Read, Story, StoryEvent, Theme

        fragments.watch("stories", Story, Story.themes.through, Story.teams.through, Reaction, Comment, Read, StoryEvent)
        fragments.watch("themes", Theme)
        fragments.watch("story-rows", Story, Story.teams.through)  # the stories themselves, not their reads

        def follow_changed(sender, instance, **kwargs):
            fragments.bump(services.reader_topic(instance.user_id))

        post_save.connect(follow_changed, sender=Follow, dispatch_uid="stories_reader_follow_saved")
        post_delete.connect(follow_changed, sender=Follow, dispatch_uid="stories_reader_follow_deleted")

        def section_context(customer, user):
            """The customer's newest stories, the same for everyone (published ones only): kept as a
            fragment until a story, the customer or an author changes. "Write a story" is per person
            (the template)."""

            def render():
                stories, has_more = selectors.customer_stories(customer=customer, user=user)
                html = render_to_string(
                    "stories/customer_section.html#list",
                    {"ctx": {"stories": stories, "has_more": has_more, "customer": customer}},
                )
                return {"stories": stories, "has_more": has_more, "html": html}

            shared = fragments.cached(
                "stories-customer-section", topics=("stories", "customers", "people"), parts=[customer.pk], render=render
            )
            return {"stories": shared["stories"], "has_more": shared["has_more"], "html": shared["html"]}

        register_section(
            key="stories", title=_("Stories"), template="stories/customer_section.html", context=section_context, order=10
        )

        def panel_context(user):
            # The person's pick, kept for the day until they read a story, follow or unfollow a customer,
            # or a story is published, changed or withdrawn (reads and reactions by others change nothing
            # the panel shows).
            (story,) = fragments.cached(
                "story-of-the-day", topics=("story-rows", "customers", "people", services.reader_topic(user.pk)),
                parts=(user.pk, timezone.localdate()), render=lambda: (selectors.story_of_the_day(user),),
                per_person=True,
            )
            return {"story": story} if story is not None else None

        register_panel(key="story_of_the_day", template="stories/home_panel.html", context=panel_context, order=10)

        def customer_saved(sender, instance, created, update_fields=None, **kwargs):
            # Renames reach the stories' search vectors (customer name is weight B).
            if not created and (update_fields is None or "name" in update_fields):
                services.stories_reindex_customer(customer=instance)

        post_save.connect(customer_saved, sender=Customer, dispatch_uid="stories_customer_renamed")

        def customers_imported(sender, customer_ids, **kwargs):
            services.stories_reindex_customers(customer_ids=customer_ids)

        customers_renamed.connect(customers_imported, dispatch_uid="stories_customers_renamed")
