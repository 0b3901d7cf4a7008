from django.core.management.base import BaseCommand

from portal.lib.tasks import retry_pending


class Command(BaseCommand):
    help = ("Run again the emails that failed after their write committed (portal.lib.tasks). Beat does "
            "this every 15 minutes; without Celery, run it from cron.")

    def handle(self, *args, **options):
        done, failed = retry_pending()
        self.stdout.write(f"{done} sent, {failed} still failing.")
