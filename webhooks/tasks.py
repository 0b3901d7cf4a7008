"""Posting to Slack and Teams. Thin tasks: ids in, a service does the work.

Redis delivers at least once, so the Delivery rows are what makes each message go out once: running any
of these tasks twice posts once."""

from celery import Task, shared_task
from django.utils import timezone

from portal.lib.emails import send_email
from portal.lib.tasks import EmailTask, record_failure, run_after_commit
from portal.models import User

from . import services
from .models import Channel


class RecordedTask(Task):
    """An unexpected error (not an answer from the service: those are handled in the task) is recorded
    for portal.lib.tasks.retry_pending(), which runs the task again; what it was posting stays pending."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        record_failure(self.name, args, exc)


@shared_task(base=RecordedTask, acks_late=True, reject_on_worker_lost=True)
def announce_task(kind, pk):
    """A story, decision or meeting was announced: one delivery per channel that wants it, each posted
    by its own task."""
    ids = services.deliveries_plan(kind=kind, pk=pk)
    for delivery_id in ids:
        run_after_commit(post_task, delivery_id)
    return len(ids)


@shared_task(base=RecordedTask, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=services.MAX_RETRIES)
def post_task(self, delivery_id):
    """Post one message. A 429, 5xx or network error is tried again after the service's Retry-After (or
    with backoff), up to MAX_RETRIES times; then the delivery is marked failed."""
    final = self.request.retries >= self.max_retries
    outcome = services.delivery_post(delivery_id, retries=self.request.retries, final_attempt=final)
    if outcome.retry_in is None:
        return outcome.status
    if self.request.called_directly:
        # In-process (no Celery): never hold the person's request through retries. Recorded by
        # portal.lib.tasks and run again by retry_pending(), the delivery still pending.
        raise services.WebhookUnavailable(f"delivery {delivery_id}: retry in {outcome.retry_in} s")
    raise self.retry(countdown=outcome.retry_in)


@shared_task(base=EmailTask)
def channel_disabled_email_task(channel_id):
    """Tell the admins a channel was disabled after repeated refusals. Running it twice emails once."""
    now = timezone.now()
    claimed = Channel.objects.filter(pk=channel_id, enabled=False, disabled_notified_at=None).update(
        disabled_notified_at=now
    )
    if not claimed:
        return 0
    channel = Channel.objects.get(pk=channel_id)
    admins = User.objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("pk")
    try:
        return sum(send_email("webhooks-channel-disabled", to=admin, context={"channel": channel}) for admin in admins)
    except Exception:
        Channel.objects.filter(pk=channel_id, disabled_notified_at=now).update(disabled_notified_at=None)
        raise
