"""Email caused by routed notes. Thin tasks: ids in, rows loaded, idempotent by compare-and-swap."""

from celery import shared_task
from django.utils import timezone

from portal.lib.emails import send_email
from portal.lib.notifications import subscription
from portal.lib.tasks import EmailTask

from .models import NoteNotice


@shared_task(base=EmailTask)
def send_note_routed_task(notice_id):
    """Email one person that a note waits on them (or their team). Running it twice sends one email.
    The email never names a customer who asked not to be named, nor the note's contact: it travels
    outside Lifeline; the link leads to the note, behind the sign-in. Someone who turned these emails off
    gets none (the note still waits on their home page and in their digest); the email carries the link
    that turns off just this kind."""
    claimed = NoteNotice.objects.filter(pk=notice_id, emailed_at=None).update(emailed_at=timezone.now())
    if not claimed:
        return 0
    notice = NoteNotice.objects.select_related("note__customer", "note__author", "note__route_team", "user").get(pk=notice_id)
    note = notice.note
    if not notice.user.is_active or not notice.user.email or note.status != "open":
        return 0
    try:
        wanted = subscription(notice.user, "note_routed")
        if wanted is None:
            return 0  # they turned these emails off; claimed all the same, so no retry sends it
        return send_email("loops-note-routed", to=notice.user, headers=wanted.headers,
                          context={"note": note, "customer": note.customer, **wanted.context()})
    except Exception:
        NoteNotice.objects.filter(pk=notice_id).update(emailed_at=None)  # the retry sends it
        raise
