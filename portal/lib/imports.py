"""Running a CSV import upload (portal.models.ImportUpload): the customers' CRM export and the
complaint records share it. A Celery task checks and saves the file (all or nothing), recording the
counts as it goes so the upload's page can show the progress; a beat task starts again the uploads
whose worker was lost. Each app keeps a thin task and a service that call these with its model and
importer."""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def import_start(model, *, by, file_name, content, task):
    """Keep the upload and queue its import (after commit); the upload's page follows it from there."""
    upload = model.objects.create(file_name=file_name.replace("\x00", "")[:255], content=content, uploaded_by=by)
    transaction.on_commit(lambda: task.delay(upload.pk))
    return upload


def _claimable(model, now):
    """Queued, or checking/saving with no progress for STALE_AFTER: its worker was lost."""
    Status = model.Status
    stale = Q(status__in=[Status.CHECKING, Status.SAVING], progress_at__lt=now - model.STALE_AFTER)
    return Q(status=Status.QUEUED) | stale


def import_run(model, *, upload_id, importer, counts):
    """Check and save a queued upload (all or nothing) with `importer(raw, progress=, saving=)`, then
    keep `counts(result)` (a dict of the model's count fields) on it. Only a queued upload starts (or
    one whose worker was lost), so a task delivered twice imports once. The row report reads in the
    uploader's language."""
    Status = model.Status
    now = timezone.now()
    if not model.objects.filter(_claimable(model, now), pk=upload_id).update(status=Status.CHECKING, progress_at=now):
        return None
    upload = model.objects.select_related("uploaded_by").get(pk=upload_id)
    rows = model.objects.filter(pk=upload_id)

    def progress(checked, problems, status=Status.CHECKING):
        rows.update(status=status, rows_checked=checked, problems_found=problems, progress_at=timezone.now())

    language = upload.uploaded_by.language if upload.uploaded_by else None
    try:
        with translation.override(language):
            result = importer(bytes(upload.content), progress=progress, saving=lambda *n: progress(*n, Status.SAVING))
    except Exception:
        logger.exception("%s %s stopped", model._meta.label, upload_id)
        with translation.override(language):
            problem = {"line": 0, "message": _("the import stopped unexpectedly; nothing was imported. Try again.")}
        rows.update(status=Status.FAILED, problems=[problem], problems_found=1, finished_at=timezone.now())
        return None
    rows.update(
        status=Status.DONE if result.ok else Status.FAILED,
        problems=[{"line": error.line, "message": str(error.message)} for error in result.errors],
        problems_found=len(result.errors), finished_at=timezone.now(), **counts(result),
    )
    return result


def imports_resume(model, *, task):
    """Queue again the uploads whose worker was lost mid-import (killed, redeployed) and those still
    waiting long after upload (their message was lost): nothing of theirs was saved, and `import_run`
    claims them anew. Returns how many were queued."""
    now = timezone.now()
    long_queued = Q(status=model.Status.QUEUED, uploaded_at__lt=now - model.STALE_AFTER)
    stalled = list(
        model.objects.filter(_claimable(model, now))
        .filter(long_queued | ~Q(status=model.Status.QUEUED))
        .values_list("pk", flat=True)
    )
    for upload_id in stalled:
        task.delay(upload_id)
    return len(stalled)
