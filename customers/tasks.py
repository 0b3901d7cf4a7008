"""Thin tasks: ids in, the services do the work."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def customer_import_task(upload_id):
    """Import one uploaded CRM export. Running it twice imports once."""
    result = services.customer_import_run(upload_id=upload_id)
    return None if result is None else {"created": result.created, "updated": result.updated}


@shared_task
def resume_imports_task():
    """Every few minutes: start again the imports whose worker was lost."""
    return services.customer_imports_resume()
