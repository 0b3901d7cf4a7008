"""Writes for Slack and Teams channels and the messages posted to them.

An announcement (portal.lib.announcements) enqueues `announce_task` after its write commits; that task
plans one Delivery row per channel that wants the item (unique per channel, kind and item) and each row
is posted by `post_task`, which claims it with a compare-and-swap first: running either task twice posts
once. 429, 408, 5xx and network errors are retried with backoff (the service's Retry-After when it sends
one); any other answer is a refusal, and a channel refused LIFELINE_WEBHOOK_FAILURE_LIMIT times in a row is
disabled and its admins emailed. Nothing here ever fails the write that announced."""

import datetime
import logging
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.lib.tasks import run_after_commit
from portal.permissions import require

from . import audience, crypto, messages
from .models import KIND_FIELDS, Channel, Delivery, Kind

log = logging.getLogger(__name__)

BACKOFF_FIRST = 30  # seconds before the first retry, doubled each time …
BACKOFF_MAX = 30 * 60  # … up to this
RETRY_AFTER_MAX = 60 * 60  # a Retry-After longer than this is cut to it
MAX_RETRIES = 5  # so at most six attempts
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class WebhookUnavailable(Exception):
    """The service did not take the message now (429, 5xx, network); raised to be tried again later."""


@dataclass(frozen=True)
class Outcome:
    status: str  # a Delivery.Status, or "taken" when another task had claimed the row
    retry_in: int | None = None  # seconds, when it should be tried again


# Announcements ----------------------------------------------------------------------------------


def on_announced(sender, *, kind, pk, **kwargs):
    """portal.lib.announcements' signal: plan the posts once the announcing write has committed."""
    from .tasks import announce_task

    run_after_commit(announce_task, kind, pk)


def deliveries_plan(*, kind, pk, now=None):
    """One pending Delivery per enabled channel whose filters the item passes and that may show it;
    returns the ids of this item's deliveries still pending (to post). Running it twice makes no more rows."""
    item = audience.load(kind, pk)
    if item is None:
        return []
    channels = Channel.objects.filter(enabled=True, **{KIND_FIELDS[Kind(kind)]: True}).prefetch_related(
        "customers", "themes", "teams"
    )
    wanted = [
        channel.pk for channel in channels
        if audience.matches(channel, kind, item) and audience.shown_in(channel=channel, kind=kind, item=item, now=now)
    ]
    if not wanted:
        return []
    Delivery.objects.bulk_create(
        [Delivery(channel_id=channel_id, kind=kind, object_id=pk) for channel_id in wanted], ignore_conflicts=True
    )
    return list(
        Delivery.objects.filter(kind=kind, object_id=pk, channel_id__in=wanted, status=Delivery.Status.PENDING)
        .order_by("pk").values_list("pk", flat=True)
    )


# Posting ----------------------------------------------------------------------------------------


def retry_delay(*, retries, retry_after=None, now=None):
    """Seconds to wait before trying again: the service's Retry-After when it sent one (seconds or an
    HTTP date), else 30 s doubled with each retry up to 30 minutes; at least 1 s, at most an hour."""
    wait = None
    value = (retry_after or "").strip()
    if value.isdigit():
        wait = int(value)
    elif value:
        try:
            wait = (parsedate_to_datetime(value) - (now or timezone.now())).total_seconds()
        except (TypeError, ValueError):
            wait = None
    if wait is None:
        wait = min(BACKOFF_FIRST * 2**retries, BACKOFF_MAX)
    return int(min(max(wait, 1), RETRY_AFTER_MAX))


def _post(url, body):
    return requests.post(
        url, json=body, timeout=settings.LIFELINE_WEBHOOK_TIMEOUT, allow_redirects=False,
        headers={"User-Agent": "Lifeline"},
    )


def _answer(response):
    text = " ".join((response.text or "").split())[:300]
    return f"{response.status_code} {response.reason or ''}: {text}".strip(": ")


def _finish(delivery, status, **fields):
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(status=status, **fields)
    return Outcome(status)


def delivery_post(delivery_id, *, retries=0, final_attempt=False, now=None):
    """Post one delivery, once. Returns an Outcome; retry_in is set when it should be tried again."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return Outcome("taken")
    delivery = Delivery.objects.select_related("channel").get(pk=delivery_id)
    channel = delivery.channel
    try:
        if delivery.kind == Kind.TEST:
            item, shown = None, audience.Shown(customer="")
        else:
            if not channel.enabled:
                return _finish(delivery, Delivery.Status.SKIPPED, last_error=_("The channel is disabled."))
            item = audience.load(delivery.kind, delivery.object_id)
            with translation.override(channel.language):  # a list of customers reads in the channel's language
                shown = audience.shown_in(channel=channel, kind=delivery.kind, item=item, now=now)
            if shown is None:
                return _finish(
                    delivery, Delivery.Status.SKIPPED,
                    last_error=_("No longer to be posted: unpublished, changed, closed or deleted since."),
                )
        try:
            url = channel.webhook_url()
        except crypto.InvalidToken:
            return _refused(delivery, now, code=None, error=_(
                "The webhook address cannot be decrypted: the keys in LIFELINE_WEBHOOK_KEYS (or SECRET_KEY) "
                "changed. Enter the address again."
            ))
        body = messages.payload(channel, messages.build(channel=channel, kind=delivery.kind, item=item, shown=shown))
    except Exception:
        # Nothing was posted: give the row back so a retry can post it.
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(status=Delivery.Status.PENDING)
        raise
    try:
        response = _post(url, body)
    except requests.RequestException as error:
        return _unavailable(delivery, now, retries=retries, final_attempt=final_attempt, code=None,
                            error=f"{type(error).__name__}: {error}"[:500])
    code = response.status_code
    if 200 <= code < 300:
        if delivery.kind != Kind.TEST:
            Channel.objects.filter(pk=channel.pk, failures__gt=0).update(failures=0)
        return _finish(delivery, Delivery.Status.SENT, sent_at=timezone.now(), response_code=code, last_error="",
                       next_attempt_at=None)
    if code in (408, 429) or code >= 500:
        return _unavailable(delivery, now, retries=retries, final_attempt=final_attempt, code=code,
                            error=_answer(response), retry_after=response.headers.get("Retry-After"))
    return _refused(delivery, now, code=code, error=_answer(response))


def _unavailable(delivery, now, *, retries, final_attempt, code, error, retry_after=None):
    """Not taken now (429, 408, 5xx, network): pending again, to be retried; failed after the last try."""
    if final_attempt:
        return _finish(delivery, Delivery.Status.FAILED, response_code=code, last_error=error, next_attempt_at=None)
    wait = retry_delay(retries=retries, retry_after=retry_after, now=now)
    _finish(delivery, Delivery.Status.PENDING, response_code=code, last_error=error,
            next_attempt_at=now + datetime.timedelta(seconds=wait))
    return Outcome(Delivery.Status.PENDING, retry_in=wait)


def _refused(delivery, now, *, code, error):
    """Refused for good (a 4xx but 408 and 429, a redirect, an address that cannot be read): failed, and
    one more refusal in a row for the channel (test messages aside), which disables it at the limit."""
    outcome = _finish(delivery, Delivery.Status.FAILED, response_code=code, last_error=error, next_attempt_at=None)
    if delivery.kind != Kind.TEST:
        Channel.objects.filter(pk=delivery.channel_id).update(failures=F("failures") + 1)
        failures = Channel.objects.filter(pk=delivery.channel_id).values_list("failures", flat=True).first() or 0
        if failures >= settings.LIFELINE_WEBHOOK_FAILURE_LIMIT:
            reason = _("%(count)s messages in a row were refused; the last answer was: %(answer)s") % {
                "count": failures, "answer": error,
            }
            channel_disable(channel_id=delivery.channel_id, reason=reason, now=now)
    return outcome


def channel_disable(*, channel_id, reason, now=None):
    """Disable a channel that keeps refusing, once, and tell the admins (after commit)."""
    from .tasks import channel_disabled_email_task

    now = now or timezone.now()
    with transaction.atomic():
        changed = Channel.objects.filter(pk=channel_id, enabled=True).update(
            enabled=False, disabled_at=now, disabled_reason=reason, disabled_notified_at=None
        )
        if changed:
            log.warning("Channel %s disabled: %s", channel_id, reason)
            run_after_commit(channel_disabled_email_task, channel_id)
    return bool(changed)


# What admins do (the Django admin calls these) --------------------------------------------------


def validate_webhook_url(url):
    """An https address (plain http only to this machine, for trying it locally)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url or "")
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        parts = None
    if parts and not any(c.isspace() or ord(c) < 32 for c in url):
        if parts.scheme == "https" and parts.hostname:
            return
        if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
            return
    raise ValidationError(
        _("Paste the channel's incoming-webhook address; it starts with https://."), code="insecure"
    )


@transaction.atomic
def channel_save(*, by, channel, webhook_url=None):
    """Create or change a channel; `webhook_url` None keeps the address it has."""
    require(by, "webhook.manage")
    if webhook_url:
        validate_webhook_url(webhook_url)
        channel.set_webhook_url(webhook_url)
    elif not channel.url_encrypted:
        raise ValidationError({"webhook_url": _("Paste the channel's incoming-webhook address.")})
    if channel.pk is None:
        channel.created_by = by
        channel.save()
        return channel
    # The record (refusals in a row, why it was disabled) is the workers' to write, unless the admin
    # switches the channel back on, which starts it afresh.
    fields = ["name", "service", "url_encrypted", "url_hint", "language", "enabled", *KIND_FIELDS.values(), "updated_at"]
    if channel.enabled and channel.disabled_at:
        channel.failures, channel.disabled_at, channel.disabled_reason, channel.disabled_notified_at = 0, None, "", None
        fields += ["failures", "disabled_at", "disabled_reason", "disabled_notified_at"]
    channel.save(update_fields=fields)
    return channel


@transaction.atomic
def channel_enable(*, by, channel):
    """Enable a disabled channel again, with its count of refusals back to zero."""
    require(by, "webhook.manage")
    Channel.objects.filter(pk=channel.pk).update(
        enabled=True, failures=0, disabled_at=None, disabled_reason="", disabled_notified_at=None
    )


@transaction.atomic
def channel_send_test(*, by, channel):
    """Post a test message to the channel (disabled or not: it is how an admin checks a new address)."""
    from .tasks import post_task

    require(by, "webhook.manage")
    delivery = Delivery.objects.create(channel=channel, kind=Kind.TEST, requested_by=by)
    run_after_commit(post_task, delivery.pk)
    return delivery


@transaction.atomic
def deliveries_retry(*, by, deliveries):
    """Post again the failed and stuck messages among `deliveries` (a stuck one may already be in the
    channel: see Delivery.STALE_AFTER). Returns how many."""
    from .tasks import post_task

    require(by, "webhook.manage")
    now = timezone.now()
    ids = [d.pk for d in deliveries if d.status == Delivery.Status.FAILED or d.is_stuck(now)]
    Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.PENDING, claimed_at=None, next_attempt_at=None)
    for pk in ids:
        run_after_commit(post_task, pk)
    return len(ids)
