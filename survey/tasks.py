"""Inviting everyone to an opened pulse. Thin tasks: ids in, the services do the work; each Invitation
is claimed before its email goes, so a task Redis delivers twice sends each person one email."""

from celery import shared_task
from django.utils import timezone

from portal.lib.deliveries import BATCH_TASK_RETRY

from . import services
from .models import Survey

BATCH = 30
RETRY = BATCH_TASK_RETRY


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_invitations_task(survey_id):
    """Fan an opened pulse out to everyone in batches of ~30 people."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return 0
    ids = services.invitation_plan(survey)
    for i in range(0, len(ids), BATCH):
        send_invitations_batch_task.delay(survey.pk, ids[i : i + BATCH])
    return len(ids)


@shared_task(bind=True, **RETRY)
def send_invitations_batch_task(self, survey_id, invitation_ids):
    """One batch. Running it twice sends each person one email."""
    final = self.request.retries >= self.max_retries
    return services.invitation_send_batch(survey_id, invitation_ids, final_attempt=final)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def resume_invitations_task():
    """Every hour (beat): finish inviting to every open pulse (a worker died, the mail server was down for
    longer than the retries, someone joined the company since it opened)."""
    open_ids = Survey.objects.filter(status=Survey.Status.OPEN, closes_at__gt=timezone.now()).values_list("pk", flat=True)
    for survey_id in open_ids:
        send_invitations_task.delay(survey_id)
