"""The key in an invitation's link: signed (Django's signing), naming one invitation of one survey.
It opens the answer page without signing in while the survey is open and the invitation unanswered;
answering uses it up, and the survey closing ends it. A tampered key opens nothing."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "survey.answer"


def answer_token(invitation):
    return signing.dumps([invitation.pk, invitation.survey_id], salt=SALT)


def read_answer_token(token):
    """(invitation id, survey id), or None for anything tampered with or malformed."""
    try:
        invitation_id, survey_id = signing.loads(token, salt=SALT)
        return int(invitation_id), int(survey_id)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def answer_url(invitation):
    return settings.SITE_URL + reverse("survey:answer", kwargs={"token": answer_token(invitation)})
