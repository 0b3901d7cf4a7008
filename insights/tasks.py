"""The monthly pulse email and the shared scorecard figures. Thin tasks: ids in, the services and
selectors do the work; PulseDelivery rows make each email go out once however often a task runs (Redis
may deliver a task twice), and a lock per scorecard entry has it counted once."""

import datetime

from celery import shared_task
from django.utils import timezone

from portal.lib.deliveries import BATCH_TASK_RETRY

from . import selectors, services
from .models import PulseIssue

BATCH = 30
RETRY = BATCH_TASK_RETRY


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_pulse_task(issue_id):
    """Fan a published pulse out to everyone in batches of ~30 people."""
    issue = PulseIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        return 0
    ids = services.pulse_plan(issue)
    for i in range(0, len(ids), BATCH):
        send_pulse_batch_task.delay(issue.pk, ids[i : i + BATCH])
    return len(ids)


@shared_task(bind=True, **RETRY)
def send_pulse_batch_task(self, issue_id, delivery_ids):
    """One batch. Running it twice sends each person one email."""
    final = self.request.retries >= self.max_retries
    return services.pulse_send_batch(issue_id, delivery_ids, final_attempt=final)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def resume_pulses_task():
    """Every hour (beat): finish any pulse published in the last 40 days whose emails are not all out
    (a worker died, the mail server was down for longer than the retries)."""
    since = timezone.now() - datetime.timedelta(days=40)
    for issue_id in PulseIssue.objects.filter(published_at__gte=since).values_list("pk", flat=True):
        send_pulse_task.delay(issue_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_scorecards_task():
    """Every LIFELINE_SCORECARD_MAX_AGE / 2 (beat): count again the scorecard figures people asked for
    in the last hour before they are due, so no request waits for a count. Returns how many it wrote."""
    return selectors.refresh_shared_scorecards()
