"""The weekly digest's employee-pulse section: a reminder for everyone who has not answered the open
pulse yet. Called by digests (digests/sections.py): `prepare` runs one query for a batch when no pulse
is open, two when one is; `pick_pulse` chooses one person's part in Python."""

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from .models import Invitation
from .selectors import current_survey
from .tokens import answer_url


def prepare(users, since_by_user, now):
    survey = current_survey(now)
    if survey is None:
        return {"survey": None}
    invitations = {
        invitation.user_id: invitation
        for invitation in Invitation.objects.filter(survey=survey, user__in=[u.pk for u in users]).only(
            "pk", "survey_id", "user_id", "answered_on")
    }
    return {"survey": survey, "invitations": invitations, "mine_url": settings.SITE_URL + reverse("survey:mine")}


def pick_pulse(data, user, since, now):
    """The open pulse, when `user` has not answered it: its own link (no sign-in needed) or, for someone
    invited only since, the page on the site."""
    survey = data.get("survey")
    if survey is None:
        return None
    invitation = data["invitations"].get(user.pk)
    if invitation is not None and invitation.answered_on is not None:
        return None
    return {
        "items": [{
            "title": survey.title_shown,
            "url": answer_url(invitation) if invitation is not None else data["mine_url"],
            "customer": "",
            "when": None,
            "detail": _("Anonymous, per team. Open until %(date)s.")
            % {"date": formats.date_format(survey.last_day, "SHORT_DATE_FORMAT")},
            "tag": _("The employee pulse for %(quarter)s") % {"quarter": survey.label},
        }],
        "more": 0,
    }
