"""Thin tasks: ids in, the services do the work."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def complaint_import_task(upload_id):
    """Import one uploaded file of complaints. Running it twice imports once."""
    result = services.complaint_import_run(upload_id=upload_id)
    return None if result is None else {"created": result.created, "skipped": result.skipped}


@shared_task
def resume_imports_task():
    """Every few minutes: start again the complaint imports whose worker was lost."""
    return services.complaint_imports_resume()
