"""Signed one-click unsubscribe tokens (RFC 8058). A token names one person, one kind of email
and the preferences version it was issued under; nothing else is trusted."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Kind

SALT = "digests.unsubscribe"


def make_token(user, kind, version):
    return signing.dumps([user.pk, str(Kind(kind)), int(version)], salt=SALT)


def read_token(token):
    """(user_id, kind, version), or None for anything tampered with or malformed."""
    try:
        user_id, kind, version = signing.loads(token, salt=SALT)
        return int(user_id), Kind(kind), int(version)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def unsubscribe_url(user, kind, version):
    return settings.SITE_URL + reverse(
        "digests:unsubscribe", kwargs={"token": make_token(user, kind, version)}
    )


def unsubscribe_headers(url):
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
