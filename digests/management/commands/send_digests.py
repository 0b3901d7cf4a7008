from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digests import services
from digests.compose import compose_batch
from digests.selectors import NOT_YET, digest_period, digest_standing, due_users
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
        sent, skipped, failed = [], [], []
        for start in range(0, len(ids), 30):
            result = services.digest_send_batch(ids[start : start + 30], now=now, final_attempt=False)
            sent += result.sent
            skipped += result.skipped
            failed += result.failed
        self._explain(ids if user else None, set(sent) | set(failed), skipped, now)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(sent)} digests sent, {len(skipped)} with nothing to say, {len(failed)} failed (will be retried)."
            )
        )

    def _explain(self, asked, handled, empty, now):
        """Say why each person who got nothing got nothing; when nobody was due, say why in numbers."""
        emails = dict(User.objects.filter(pk__in=list(empty) + list(asked or [])).values_list("id", "email"))
        for pk in empty:
            self.stdout.write(f"{emails[pk]}: nothing to say this week, no email")
        if asked is not None:  # --user: sent whether due or not, unless done already or switched off
            missed = [pk for pk in asked if pk not in handled and pk not in empty]
            for pk, reason in digest_standing(missed, now=now).items():
                self.stdout.write(f"{emails[pk]}: {reason}")
            return
        if not (handled or empty):
            self._nobody_due(now)

    def _nobody_due(self, now):
        """Why nobody is due now, in numbers."""
        reasons = digest_standing(User.objects.values_list("id", flat=True), now=now)
        counts = {}
        for reason in reasons.values():
            key = NOT_YET if reason.startswith(NOT_YET) else reason
            counts[key] = counts.get(key, 0) + 1
        summary = "; ".join(f"{count} {reason}" for reason, count in sorted(counts.items()))
        self.stdout.write(f"Nobody is due now ({summary or 'nobody here'}). `--user EMAIL` sends one now.")

    def _dry_run(self, ids, now):
        if not ids:
            self._nobody_due(now)
            self.stdout.write(self.style.WARNING("Dry run: nothing sent."))
            return
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
