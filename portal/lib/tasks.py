"""Work that follows a write (an email, mostly) never turns the committed write into an error.

`run_after_commit(task, *args)` runs the task once the transaction commits. With Celery (REDIS_URL) it
goes to the worker, which retries transient errors with backoff (`EmailTask`); without Celery it runs
in-process, once, so a mail server that is down does not hold the person's request through retries.
Whatever fails there (the email, or handing the task to the broker), and a task's last failure in the
worker, is recorded as a PendingTask; `retry_pending()` (beat every 15 minutes, or `manage.py
retry_tasks` from cron without Celery) runs each again until it succeeds, for RETRY_FOR. Tasks recorded
here are safe to run twice: each claims what it sends by compare-and-swap.
"""

import datetime
import logging
from smtplib import SMTPException

from celery import Task
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# How long a failed task is tried again; after that it stays in the admin ("Tasks to retry") for a person.
RETRY_FOR = datetime.timedelta(days=3)


class EmailTask(Task):
    """A task that sends email: a mail server that refuses or is unreachable (SMTPException and
    ConnectionError are OSErrors) is retried at 30 s, 60 s, … up to 30 minutes apart, five times;
    then the task is recorded for retry_pending()."""

    autoretry_for = (SMTPException, OSError)
    retry_backoff = 30
    retry_backoff_max = 30 * 60
    max_retries = 5

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        record_failure(self.name, args, exc)


def run_after_commit(task, *args):
    transaction.on_commit(lambda: _run_or_record(task, args))


def _run_or_record(task, args):
    try:
        if task.app.conf.task_always_eager:
            task(*args)
        else:
            task.delay(*args)
    except Exception as error:  # noqa: BLE001 - the write committed: record the rest, never fail the request
        log.exception("%s%r failed after its write committed; recorded to run again", task.name, tuple(args))
        record_failure(task.name, args, error)


def record_failure(name, args, error):
    from portal.models import PendingTask

    PendingTask.objects.create(task=name, args=list(args), last_error=repr(error)[:2000])


def retry_pending(*, now=None):
    """Run every recorded task again, in-process; returns (succeeded, still failing)."""
    from portal.models import PendingTask

    now = now or timezone.now()
    done = failed = 0
    for pending in PendingTask.objects.filter(created_at__gte=now - RETRY_FOR):
        claimed = PendingTask.objects.filter(pk=pending.pk, attempted_at=pending.attempted_at).update(
            attempted_at=now, attempts=F("attempts") + 1)
        if not claimed:
            continue  # another run has it
        try:
            import_string(pending.task)(*pending.args)
        except Exception as error:  # noqa: BLE001 - kept, with the error, for the next run and the admin
            log.warning("%s still fails: %r", pending, error)
            PendingTask.objects.filter(pk=pending.pk).update(last_error=repr(error)[:2000])
            failed += 1
        else:
            PendingTask.objects.filter(pk=pending.pk).delete()
            done += 1
    return done, failed
