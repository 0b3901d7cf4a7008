import random

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from customers import demo as customers_demo
from decisions import demo as decisions_demo
from digests import demo as digests_demo
from improvements import demo as improvements_demo
from insights import demo as insights_demo
from loops import demo as loops_demo
from meetings import demo as meetings_demo
from portal import demo as portal_demo
from portal.models import User
from stories import demo as stories_demo
from survey import demo as survey_demo
from webhooks import demo as webhooks_demo


class Command(BaseCommand):
    help = "Fill the database with a believable demo company. Safe to run again: it updates, never duplicates."

    def handle(self, *args, **options):
        random.seed(0)
        teams, people = portal_demo.seed_people()
        customers = customers_demo.seed(people=people)
        ctx = {"teams": teams, "people": people, "customers": customers}
        for seed in self.app_seeds():
            seed(**ctx)
        everyone = User.objects.filter(is_active=True).count()  # the apps' seeds add colleagues (pulse teams of 5)
        self.stdout.write(self.style.SUCCESS(f"Demo company ready: {everyone} people, {len(customers)} customers."))
        self.stdout.write(f"Sign in at {settings.SITE_URL}/ as any of them, for instance (password: {portal_demo.DEMO_PASSWORD}):")
        for key, (name, email, *_rest) in portal_demo.PEOPLE.items():
            self.stdout.write(f"  {email:32} {name} ({key.replace('_', ' ')})")
        grace = people["finance_leader"]
        self.stdout.write(
            f"{grace.name}'s private story feed, for a feed reader (each person's is on /stories/subscribe/):\n"
            f"  {settings.SITE_URL}{reverse('stories:reader_feed', kwargs={'token': grace.feed_token})}"
        )

    def app_seeds(self):
        """Each feature app's demo seed, in dependency order."""
        return [
            stories_demo.seed,
            decisions_demo.seed,
            meetings_demo.seed,
            survey_demo.seed,
            loops_demo.seed,
            digests_demo.seed,
            insights_demo.seed,
            webhooks_demo.seed,
            improvements_demo.seed,
        ]
