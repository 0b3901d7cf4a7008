"""Email messages, rendered from named template triples in the recipient's language.

templates/emails/<name>-subject.txt, <name>-body.txt and <name>-body.html.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str


def build_email(name, *, to, context, attachments=(), headers=None, language=None, time_zone=None):
    """An EmailMultiAlternatives ready to send; `to` is a User (their language and zone apply) or an address."""
    recipient = getattr(to, "email", to)
    language = language or getattr(to, "language", None) or settings.LANGUAGE_CODE
    time_zone = time_zone or getattr(to, "time_zone", None)
    context = {"site_url": settings.SITE_URL, "recipient": to, **context}
    with translation.override(language), timezone.override(time_zone or timezone.get_default_timezone()):
        context["LANGUAGE_CODE"] = language
        context["LANGUAGE_BIDI"] = translation.get_language_bidi()
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        body = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], headers=headers or {})
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def message_id(key):
    """`<key@the site's domain>` (from SITE_URL). An email sent again for the same row (a retry, or a
    resend after a worker died between the mail server accepting it and the row being marked) carries
    the same Message-ID, so mail systems treat the copies as one message."""
    return f"<{key}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


def send_email(name, **kwargs):
    """Render and send one email; returns the number sent (0 or 1)."""
    return build_email(name, **kwargs).send()
