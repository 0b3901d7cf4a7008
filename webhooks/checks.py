"""System checks for the webhook keys (webhooks/crypto.py)."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def webhook_keys(app_configs, **kwargs):
    from . import crypto

    try:
        crypto.fernet()
    except Exception as error:  # noqa: BLE001 - reported as a check, not a crash at the first post
        return [Error(str(error), id="lifeline.E010")]
    return []


@register(deploy=True)
def webhook_keys_deploy(app_configs, **kwargs):
    if settings.DEBUG or settings.LIFELINE_WEBHOOK_KEYS:
        return []
    return [Warning(
        "LIFELINE_WEBHOOK_KEYS is not set: Slack and Teams webhook addresses are encrypted with a key derived "
        "from SECRET_KEY, so changing SECRET_KEY makes them unreadable (each channel then fails and is disabled).",
        hint="Set LIFELINE_WEBHOOK_KEYS to a Fernet key of its own (see the README), then run "
        "`manage.py rotate_webhook_keys`.",
        id="lifeline.W010",
    )]
