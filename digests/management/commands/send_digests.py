from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digests import services
from digests.compose import compose_batch
from digests.selectors import digest_period, due_users
from portal.models import User


class Command(BaseCommand):
    help = (
        "Send the weekly digests that are due now (the same work the beat schedule does, in this process). "
        "--user sends one person's digest for this week now, due or not; --dry-run prints who would get "
        "what and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print who would get what; send nothing.")
        parser.add_argument(
            "--user", metavar="EMAIL", help="Only this person, whatever their chosen day and hour."
        )

    def handle(self, *args, dry_run=False, user=None, **options):
        now = timezone.now()
        if user:
            person = User.objects.filter(email__iexact=user).first()
            if person is None:
                raise CommandError(f"No one has the email address {user}.")
            ids = [person.pk]
        else:
            ids = due_users(now=now)
        if dry_run:
            self._dry_run(ids, now)
            return
        sent = skipped = failed = 0
        for start in range(0, len(ids), 30):
            result = services.digest_send_batch(ids[start : start + 30], now=now, final_attempt=False)
            sent, skipped, failed = (
                sent + len(result.sent),
                skipped + len(result.skipped),
                failed + len(result.failed),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{sent} digests sent, {skipped} with nothing to say, {failed} failed (will be retried)."
            )
        )

    def _dry_run(self, ids, now):
        users = list(User.objects.filter(pk__in=ids).order_by("email"))
        would = 0
        for start in range(0, len(users), 30):
            digests = compose_batch(users[start : start + 30], now=now)
            for person in users[start : start + 30]:
                digest = digests[person.pk]
                period = digest_period(person.time_zone, now)
                if digest.is_empty:
                    self.stdout.write(f"{person.email} ({period}): nothing to say, no email")
                    continue
                would += 1
                parts = ", ".join(f"{block.key} {len(block.items)}" for block in digest.blocks if block.items)
                self.stdout.write(
                    f"{person.email} ({period}, {person.language}, {person.time_zone}): {parts}"
                )
        self.stdout.write(
            self.style.WARNING(f"Dry run: {would} of {len(users)} people would get a digest; nothing sent.")
        )
