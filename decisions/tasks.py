"""Email caused by decisions. Thin tasks: ids in, rows loaded, idempotent by compare-and-swap."""

from celery import shared_task
from django.utils import timezone

from portal.lib.emails import send_email
from portal.lib.notifications import subscription
from portal.lib.tasks import EmailTask

from .models import ReviewRequest


@shared_task(base=EmailTask)
def send_review_request_task(request_id):
    """Email one reviewer that their review is wanted. Running it twice sends one email.

    Its update()s write only `emailed_at`, which no page shows."""
    claimed = ReviewRequest.objects.filter(pk=request_id, emailed_at=None).update(emailed_at=timezone.now())
    if not claimed:
        return 0
    request = ReviewRequest.objects.select_related("decision__team", "decision__owner", "reviewer", "via_team").get(
        pk=request_id
    )
    if not request.reviewer.is_active or not request.reviewer.email:
        return 0
    wanted = subscription(request.reviewer, "review_requested")
    if wanted is None:
        return 0  # they turned these emails off; the request still waits on their home page
    try:
        return send_email(
            "decisions-review-requested",
            to=request.reviewer,
            headers=wanted.headers,
            context={"request": request, "decision": request.decision, **wanted.context()},
        )
    except Exception:
        # Release the claim so the retry can send it.
        ReviewRequest.objects.filter(pk=request_id).update(emailed_at=None)
        raise
