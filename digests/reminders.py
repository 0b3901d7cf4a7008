"""The scheduled reminders digests sends, each its own email and its own preference.

A reminder's provider module (lazily imported, like the digest sections) has:
    <candidates>(now) -> [(user_id, object_id)]   one query
    <load>(user, object_id, now) -> {"context": {...}, "attachments": [...]} | None (no longer due)
The delivery period is "<prefix>-<object_id>", so each object reminds each person once.
"""

import importlib
from dataclasses import dataclass

from django.apps import apps

from .models import Kind


@dataclass(frozen=True)
class Reminder:
    kind: str
    template: str
    provider: str
    candidates: str
    load: str
    prefix: str

    def module(self):
        return importlib.import_module(self.provider)

    def period(self, object_id):
        return f"{self.prefix}-{object_id}"

    def object_id(self, period):
        return int(period.rsplit("-", 1)[1])


REMINDERS = {
    Kind.MEETING_TOMORROW: Reminder(
        Kind.MEETING_TOMORROW,
        "digests-meeting-tomorrow",
        "meetings.digest",
        "meetings_tomorrow",
        "load_meeting_tomorrow",
        "meeting",
    ),
    Kind.DEBRIEF_DUE: Reminder(
        Kind.DEBRIEF_DUE,
        "digests-debrief-due",
        "meetings.digest",
        "debriefs_due",
        "load_debrief_due",
        "seat",
    ),
    Kind.REVIEW_DUE: Reminder(
        Kind.REVIEW_DUE,
        "digests-review-due",
        "decisions.digest",
        "reviews_due",
        "load_review_due",
        "request",
    ),
    Kind.IMPACT_CHECK_DUE: Reminder(
        Kind.IMPACT_CHECK_DUE,
        "digests-impact-check-due",
        "decisions.digest",
        "impact_checks_due",
        "load_impact_check_due",
        "check",
    ),
}


def active_reminders():
    return [r for r in REMINDERS.values() if apps.is_installed(r.provider.split(".")[0])]
