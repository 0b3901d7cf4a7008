from django.core.management.base import BaseCommand

from webhooks import crypto
from webhooks.models import Channel


class Command(BaseCommand):
    help = (
        "Encrypt every channel's webhook address again with the first key of LIFELINE_WEBHOOK_KEYS (after "
        "putting a new key first); names the channels whose address no configured key opens."
    )

    def handle(self, *args, **options):
        rotated, unreadable = 0, []
        for channel in Channel.objects.only("pk", "name", "url_encrypted"):
            try:
                token = crypto.rotate(channel.url_encrypted)
            except crypto.InvalidToken:
                unreadable.append(channel.name)
                continue
            Channel.objects.filter(pk=channel.pk).update(url_encrypted=token)
            rotated += 1
        self.stdout.write(f"Re-encrypted {rotated} webhook addresses.")
        for name in unreadable:
            self.stderr.write(f"Cannot decrypt the address of {name!r}: enter it again in the admin.")
