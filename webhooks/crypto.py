"""Webhook addresses are secrets (whoever has one can post to the channel), so they are kept encrypted
at rest with Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`, and only ever decrypted to post.

Keys come from LIFELINE_WEBHOOK_KEYS: comma-separated Fernet keys, the first encrypts and every one
decrypts, so a key is rotated by putting a new one first and running `manage.py rotate_webhook_keys`.
Without it, the key is derived from SECRET_KEY (HKDF-SHA256, as Django derives its signing keys).
Keys derived from SECRET_KEY and from each of SECRET_KEY_FALLBACKS always decrypt too (after the
configured ones), so SECRET_KEY is rotated the Django way (the old one into SECRET_KEY_FALLBACKS, then
`rotate_webhook_keys`), and setting LIFELINE_WEBHOOK_KEYS later moves the stored addresses over to it.

Why not an encrypted-field package: django-fernet-fields is unmaintained (no release since 2019 and
none for current Django), and the field wrappers that followed it hide the rotation and the
"cannot decrypt" case this app must show an admin; the few lines here use the library directly."""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate"]


def derived_key(secret):
    """A Fernet key derived from SECRET_KEY, used when LIFELINE_WEBHOOK_KEYS is not set."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"lifeline webhook addresses").derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw).decode()


@functools.lru_cache(maxsize=4)
def _fernet(keys, secrets):
    try:
        return MultiFernet([Fernet(key.strip()) for key in (*keys, *map(derived_key, secrets))])
    except ValueError as error:
        raise ImproperlyConfigured(
            "LIFELINE_WEBHOOK_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated; "
            "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        ) from error


def fernet():
    return _fernet(tuple(settings.LIFELINE_WEBHOOK_KEYS), (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def encrypt(text):
    return fernet().encrypt(text.encode()).decode()


def decrypt(token):
    """The text, or InvalidToken when no configured key opens it (the keys changed)."""
    return fernet().decrypt(token.encode()).decode()


def rotate(token):
    """The same text encrypted with the first key."""
    return fernet().rotate(token.encode()).decode()
