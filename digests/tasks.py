"""Scheduled email: the weekly digest and the reminders. Thin tasks: ids in, a service does the work.

Redis delivers at least once (a task past the visibility timeout, or one whose worker died, runs
again), so the Delivery rows are what makes each email go out once; acks_late and
reject_on_worker_lost make sure a crashed worker's batch is picked up again."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services

RETRY = {
    "autoretry_for": services.TRANSIENT_ERRORS,
    "retry_backoff": 30,  # 30 s, 60 s, 120 s, … (with jitter)
    "retry_backoff_max": 30 * 60,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def _when(now_iso):
    return datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def plan_digests_task(now_iso=None):
    """Every few minutes (beat): fan the people whose send time has come out in batches of ~30."""
    now = _when(now_iso)
    batches = services.digest_plan(now=now)
    for ids in batches:
        send_digest_batch_task.delay(ids, now.isoformat())
    return sum(len(ids) for ids in batches)


@shared_task(bind=True, **RETRY)
def send_digest_batch_task(self, user_ids, now_iso=None):
    """One batch of digests. Running it twice sends each person one digest."""
    final = self.request.retries >= self.max_retries
    result = services.digest_send_batch(user_ids, now=_when(now_iso), final_attempt=final)
    if result.errors and not final:
        raise result.errors[0]  # autoretry: the people already sent are skipped next time
    return len(result.sent)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def plan_reminders_task(now_iso=None):
    """Every few minutes (beat): record the reminders due now and send each in its own task."""
    ids = services.reminder_plan(now=_when(now_iso))
    for delivery_id in ids:
        send_reminder_task.delay(delivery_id)
    return len(ids)


@shared_task(bind=True, **RETRY)
def send_reminder_task(self, delivery_id):
    """One reminder. Running it twice sends it once."""
    final = self.request.retries >= self.max_retries
    return services.reminder_send(delivery_id, final_attempt=final)
