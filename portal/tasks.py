from celery import shared_task

from .lib.tasks import retry_pending


@shared_task(acks_late=True, reject_on_worker_lost=True)
def retry_pending_tasks_task():
    """Every 15 minutes (beat): run again the emails that failed after their write committed."""
    return retry_pending()
