"""Claim-then-send for the emails kept one row per person (insights' PulseDelivery, survey's Invitation):
each row has `status` (Status.PENDING, SENDING, SENT, SKIPPED, FAILED), `claimed_at`, `attempts`,
`last_error` and `sent_at`. A row is claimed by compare-and-swap before its email goes, so a batch that
Redis delivers twice, or that two workers run at once, sends each person one email; a claim older than
STALE_AFTER was lost with its worker and may be taken again.
"""

import datetime
import logging
import smtplib

from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

log = logging.getLogger(__name__)

# A mail server that refuses or is unreachable: worth trying again (the batch task retries).
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, OSError)
# A row 'sending' for longer than this belongs to a worker that died, and is sent again. It must
# outlast a living batch: 30 emails over one SMTP session take seconds, but a slow mail server may
# use up to EMAIL_TIMEOUT on every step, so minutes. A shorter window would have a planner take rows
# from a batch still working through them. The cost of the wait: a dead worker's row goes out at the
# first planning run after it (digests plan every 10 minutes, reminders every 15), so up to about half
# an hour late; the one it was sending when it died may go out twice, as the same message
# (Message-ID from the row, digests.services._send), which mail systems show once.
STALE_AFTER = datetime.timedelta(minutes=15)

# The Celery options of a batch task: transient errors retried at 30 s, 60 s, … up to 30 minutes apart.
BATCH_TASK_RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def still_to_send(queryset):
    """The rows of `queryset` nobody sent or is sending (a stale claim counts as not sending)."""
    status = queryset.model.Status
    stale = timezone.now() - STALE_AFTER
    return queryset.filter(Q(status=status.PENDING) | Q(status=status.SENDING, claimed_at__lt=stale))


def claim(model, pk):
    """Take row `pk` for sending; False when another run has it or it is done."""
    now = timezone.now()
    return still_to_send(model.objects.filter(pk=pk)).update(
        status=model.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1) == 1


def send_claimed(rows, compose, *, final_attempt=True):
    """Send each row's email once: claim it, then `compose(row)` gives the message, or None to mark the row
    skipped. A transient error leaves the row pending and raises, for the task to retry, unless this is
    the final attempt (then the row is failed); any other error fails that row only. Returns how many
    were sent."""
    sent = 0
    with get_connection() as connection:
        for row in rows:
            model = type(row)
            this = model.objects.filter(pk=row.pk)
            if not claim(model, row.pk):
                continue
            try:
                message = compose(row)
                if message is None:
                    this.update(status=model.Status.SKIPPED)
                    continue
                message.connection = connection
                message.send()
            except TRANSIENT_ERRORS as error:
                this.update(status=model.Status.FAILED if final_attempt else model.Status.PENDING,
                            last_error=repr(error)[:2000])
                if not final_attempt:
                    raise
                continue
            except Exception as error:  # noqa: BLE001 - one broken email must not hold up the others; admins see it
                log.exception("%s %s: the email failed", model._meta.label, row.pk)
                this.update(status=model.Status.FAILED, last_error=repr(error)[:2000])
                continue
            this.filter(status=model.Status.SENDING).update(status=model.Status.SENT, sent_at=timezone.now())
            sent += 1
    return sent
