"""System checks for the webhook keys (webhooks/crypto.py)."""

from django.core.checks import Error, register


@register()
def webhook_keys(app_configs, **kwargs):
    from . import crypto

    try:
        crypto.fernet()
    except Exception as error:  # noqa: BLE001 - reported as a check, not a crash at the first post
        return [Error(str(error), id="lifeline.E010")]
    return []
