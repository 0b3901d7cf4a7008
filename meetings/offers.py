"""The signed key in a seat offer's link. Signed (Django's signing, a TimestampSigner) rather than stored:
it names one offer of one seat and grants nothing by itself, since the offer page also needs the person
the seat is offered to, signed in; a tampered or older link opens nothing."""

import datetime

from django.core import signing
from django.urls import reverse

SALT = "meetings.offer"
MAX_AGE = datetime.timedelta(days=31)  # no offer is held that long


def offer_token(seat):
    """The seat and this offer's deadline, so the link of an earlier offer to the same person opens nothing."""
    return signing.dumps([seat.pk, int(seat.offer_expires_at.timestamp())], salt=SALT)


def read_offer_token(token):
    """(seat id, deadline as a Unix time), or None for anything tampered with, malformed or too old."""
    try:
        seat_id, deadline = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        return int(seat_id), int(deadline)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def offer_path(seat):
    """The offer page of a seat that is offered now ("" for any other seat)."""
    if seat.status != "offered" or seat.offer_expires_at is None:
        return ""
    return reverse("meetings:offer", kwargs={"token": offer_token(seat)})
