"""`manage.py check --deploy`: what will not happen in production without Redis."""

from django.conf import settings
from django.core.checks import Warning, register

LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@register(deploy=True)
def background_work(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    warnings = []
    if not settings.REDIS_URL:
        warnings.append(Warning(
            "No broker (REDIS_URL is not set): emails go out in-process and nothing runs on a schedule, so weekly "
            "digests and reminders will not be sent and debriefs not asked for; emails that failed are sent again "
            "only if cron runs `manage.py retry_tasks`.",
            hint="Set REDIS_URL and run a Celery worker and beat beside the web server (docker-compose.yml).",
            id="lifeline.W001",
        ))
    if settings.CACHES["default"]["BACKEND"] in LOCAL_CACHES:
        warnings.append(Warning(
            "No shared cache (neither CACHE_URL nor REDIS_URL is set): each worker keeps its own, so each counts "
            "the scorecard's figures itself and two workers may show figures counted up to "
            f"{settings.LIFELINE_SCORECARD_MAX_AGE} seconds apart.",
            hint="Set CACHE_URL (or REDIS_URL) to a Redis server.",
            id="lifeline.W002",
        ))
    return warnings


@register(deploy=True)
def company_sign_in(app_configs, **kwargs):
    """Company sign-in (portal/oidc.py) over plain HTTP would send codes and tokens in the clear."""
    issuer = settings.OIDC_ISSUER
    if settings.DEBUG or not issuer or issuer.startswith("https://"):
        return []
    return [Warning(
        f"OIDC_ISSUER ({issuer}) is not an https:// address: sign-in codes and tokens would travel unencrypted.",
        hint="Use the provider's https:// issuer URL.",
        id="lifeline.W003",
    )]
