"""Writes for digests: preferences, unsubscribing, and sending digests and reminders.

Sending is idempotent and lossless. Each email has one Delivery row per (person, kind, period).
A sender claims rows with a compare-and-swap (pending → sending; a digest batch claims its rows in
one UPDATE) and marks each row sent right after its email went out. A duplicated or retried task
finds the rows claimed or sent and does nothing; a row left 'sending' by a worker that died is
reclaimed once its claim is older than Delivery.STALE_AFTER.
"""

import contextlib
import datetime
import functools
import logging
import smtplib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.lib.emails import build_email, message_id
from portal.models import User
from portal.permissions import require

from .compose import compose_batch
from .models import KIND_FIELDS, Delivery, Kind, NotificationPreferences
from .preferences import preferences_by_user
from .reminders import REMINDERS, active_reminders
from .selectors import digest_period, due_users
from .signals import emails_switched_on
from .tokens import read_token, unsubscribe_headers, unsubscribe_url

log = logging.getLogger(__name__)

# Worth another try: the mail server hung up, timed out or refused for now.
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, OSError)
# A reminder still pending after this long (every retry failed to even start) is given up.
REMINDER_RETRY_WINDOW = datetime.timedelta(days=2)


# Preferences ----------------------------------------------------------------------------------


@transaction.atomic
def preferences_update(*, by, prefs, data, time_zone=None):
    """Save `by`'s own preferences from cleaned form data, and their time zone when given. Switching
    any kind back on bumps the version, so unsubscribe links issued before stop working, and tells the
    apps that send it (signals.emails_switched_on), inside the transaction."""
    require(by, "preferences.edit", prefs, message=gettext("People change only their own notification preferences."))
    if time_zone and time_zone != by.time_zone:
        by.time_zone = time_zone
        by.save(update_fields=["time_zone"])
    switched_on = {name for name in KIND_FIELDS.values() if data.get(name) and not getattr(prefs, name)}
    for name, value in data.items():
        setattr(prefs, name, value)
    if switched_on:
        prefs.version = F("version") + 1
    prefs.save()
    prefs.refresh_from_db()
    if switched_on:
        emails_switched_on.send(sender=type(prefs), user=by, fields=switched_on)
    return prefs


UNSUBSCRIBED, ALREADY, STALE, INVALID = "unsubscribed", "already", "stale", "invalid"


@transaction.atomic
def preferences_unsubscribe(*, token):
    """Turn off the one kind of email a signed token names. Returns UNSUBSCRIBED, ALREADY (posting
    again changes nothing), STALE (issued before the person switched it back on: nothing changes)
    or INVALID (tampered or unknown: nothing changes)."""
    parsed = read_token(token)
    if parsed is None:
        return INVALID
    user_id, kind, version = parsed
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return INVALID
    prefs, _created = NotificationPreferences.objects.select_for_update().get_or_create(user=user)
    if version != prefs.version:
        return STALE
    name = KIND_FIELDS[kind]
    if not getattr(prefs, name):
        return ALREADY
    setattr(prefs, name, False)
    prefs.save(update_fields=[name, "updated_at"])
    return UNSUBSCRIBED


# Deliveries -----------------------------------------------------------------------------------


def _claimable(now):
    """Pending, or claimed by someone who has not finished within the stale window (a dead worker)."""
    stale = Q(claimed_at__lt=now - Delivery.STALE_AFTER) | Q(claimed_at=None)
    return Q(status=Delivery.Status.PENDING) | Q(stale, status=Delivery.Status.SENDING)


def delivery_claim(delivery_id):
    """pending (or stale sending) → sending. True when this caller won the row."""
    now = timezone.now()
    return (
        Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, claim=uuid.uuid4().hex
        )
        == 1
    )


def delivery_claim_many(delivery_ids):
    """The batch form of delivery_claim: one UPDATE stamps the claimable rows with a fresh claim
    token, one SELECT reads back which of them this caller won."""
    now = timezone.now()
    token = uuid.uuid4().hex
    delivery_ids = list(delivery_ids)
    Delivery.objects.filter(_claimable(now), pk__in=delivery_ids).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, claim=token
    )
    won = Delivery.objects.filter(pk__in=delivery_ids, claim=token, status=Delivery.Status.SENDING)
    return set(won.values_list("pk", flat=True))


def delivery_finish(delivery_id, status, error=""):
    fields = {"status": status}
    if error:
        fields["last_error"] = error[:2000]  # a success keeps the earlier attempt's error for admins
    if status == Delivery.Status.SENT:
        fields["sent_at"] = timezone.now()
    if fields.keys() == {"status", "sent_at"}:
        # The hot path (once per email sent): the same UPDATE without building a queryset.
        with db_connection.cursor() as cursor:
            sent_at = db_connection.ops.adapt_datetimefield_value(fields["sent_at"])
            cursor.execute(MARK_SENT_SQL, [status, sent_at, delivery_id, Delivery.Status.SENDING])
        return
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(**fields)


MARK_SENT_SQL = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s WHERE id = %s AND status = %s"
)


@contextlib.contextmanager
def relaxed_commits():
    """On PostgreSQL, while a batch marks its rows sent one by one, commits need not wait for the
    disk (synchronous_commit off for this session, reset after). A database crash could then forget
    the last fraction of a second of marks: that can only ever cause a second copy of an email,
    never a lost one, and it spares every email a disk flush."""
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _deliveries(pairs, kind):
    """The Delivery rows for [(user_id, period)], created pending where missing. Two queries."""
    Delivery.objects.bulk_create(
        [Delivery(user_id=uid, kind=kind, period=period) for uid, period in pairs], ignore_conflicts=True
    )
    wanted = set(pairs)
    rows = Delivery.objects.filter(
        kind=kind, user_id__in={uid for uid, _p in pairs}, period__in={p for _u, p in pairs}
    )
    return {(d.user_id, d.period): d for d in rows if (d.user_id, d.period) in wanted}


@dataclass
class BatchResult:
    sent: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    errors: list = field(default_factory=list)


# Digests --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _path(name):
    return reverse(name)


def digest_context(digest, prefs):
    user = digest.user
    link = unsubscribe_url(user, Kind.DIGEST, prefs.version)
    return {
        "digest": digest,
        "blocks": digest.blocks,
        "unsubscribe_url": link,
        "settings_url": settings.SITE_URL + _path("digests:settings"),
        "preview_url": settings.SITE_URL + _path("digests:preview"),
    }, link


def digest_email(digest, prefs):
    context, link = digest_context(digest, prefs)
    return build_email("digests-weekly", to=digest.user, context=context, headers=unsubscribe_headers(link))


def digest_send_batch(user_ids, *, now=None, final_attempt=True, connection=None):
    """Send this week's digest to each of `user_ids` who has not had it.

    The batch's rows are claimed together (one compare-and-swap), composed with a fixed number of
    queries, and each row is marked sent right after its email goes out. If the task dies, the
    rows it never got to are given back at once; only the one in flight waits for the stale window.
    A transient mail error puts that person's row back to pending (failed on the last attempt) and
    the batch goes on; the caller retries with the errors in `result.errors`."""
    now = now or timezone.now()
    result = BatchResult()
    # With their teams: sections ask permissions that look at the team (the contact rhythm's).
    users = list(
        User.objects.filter(pk__in=list(user_ids), is_active=True).exclude(email="").select_related("team").order_by("id")
    )
    prefs = preferences_by_user([u.pk for u in users])
    users = [u for u in users if prefs[u.pk].digest_enabled]
    if not users:
        return result
    periods = {u.pk: digest_period(u.time_zone, now) for u in users}
    deliveries = _deliveries(list(periods.items()), Kind.DIGEST)
    claimed = delivery_claim_many([d.pk for d in deliveries.values()])
    # The others are done already, or someone else is sending them right now.
    users = [u for u in users if deliveries[(u.pk, periods[u.pk])].pk in claimed]
    if not users:
        return result
    digests = compose_batch(users, now=now, prefs=prefs)
    attempted = set()
    try:
        # One SMTP session for the whole batch.
        with relaxed_commits(), connection or get_connection() as connection:
            for user in users:
                delivery = deliveries[(user.pk, periods[user.pk])]
                digest = digests[user.pk]
                if digest.is_empty:
                    result.skipped.append(user.pk)
                    continue
                attempted.add(delivery.pk)
                build = functools.partial(digest_email, digest, prefs[user.pk])
                _send(build, delivery, connection, final_attempt, result, user.pk)
    finally:
        empty = [deliveries[(uid, periods[uid])].pk for uid in result.skipped]
        Delivery.objects.filter(pk__in=empty, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.SKIPPED
        )
        untouched = claimed - attempted - set(empty)
        if untouched:  # the batch stopped early: give these back for the retry
            Delivery.objects.filter(pk__in=untouched, status=Delivery.Status.SENDING).update(
                status=Delivery.Status.PENDING, claimed_at=None
            )
    return result


def _send(build, delivery, connection, final_attempt, result, user_id):
    """Build and send one claimed delivery's email, then mark the row. Transient errors give the
    row back (pending) for the retry, or fail it on the last attempt; anything else fails it."""
    try:
        message = build()
        message.extra_headers["Message-ID"] = message_id(f"{delivery.kind}-{delivery.pk}")
        message.connection = connection
        message.send()
    except TRANSIENT_ERRORS as error:
        status = Delivery.Status.FAILED if final_attempt else Delivery.Status.PENDING
        Delivery.objects.filter(pk=delivery.pk).update(status=status, last_error=repr(error)[:2000])
        log.warning("digests: %s for %s failed (%s): %r", delivery.kind, user_id, status, error)
        result.errors.append(error)
        result.failed.append(user_id)
        return False
    except Exception as error:  # a bug in one email must not hold up the others; the admin sees it
        log.exception("digests: %s for %s failed permanently", delivery.kind, user_id)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, last_error=repr(error)[:2000]
        )
        result.failed.append(user_id)
        return False
    delivery_finish(delivery.pk, Delivery.Status.SENT)
    result.sent.append(user_id)
    return True


def digest_plan(*, now=None, batch_size=30):
    """Batches of ids of people whose digest is due now."""
    ids = due_users(now=now)
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


# Reminders ------------------------------------------------------------------------------------


def reminder_plan(*, now=None):
    """Create pending deliveries for every reminder due now that its person wants; return the ids
    of deliveries to send (new, still pending, or stale). A fixed number of queries."""
    now = now or timezone.now()
    reminders = active_reminders()
    candidates = []
    for reminder in reminders:
        found = getattr(reminder.module(), reminder.candidates)(now)
        candidates += [(reminder, uid, oid) for uid, oid in found]
    user_ids = {uid for _r, uid, _o in candidates}
    active = set(User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True))
    prefs = preferences_by_user(active)
    wanted = [
        Delivery(user_id=uid, kind=r.kind, period=r.period(oid))
        for r, uid, oid in candidates
        if uid in active and prefs[uid].wants(r.kind)
    ]
    Delivery.objects.bulk_create(wanted, ignore_conflicts=True)
    to_send = Delivery.objects.filter(
        _claimable(timezone.now()),
        kind__in=[r.kind for r in reminders],
        created_at__gte=now - REMINDER_RETRY_WINDOW,
    )
    return list(to_send.values_list("pk", flat=True).order_by("pk"))


def reminder_send(delivery_id, *, now=None, final_attempt=True, connection=None):
    """Send one reminder once. Returns "sent", "skipped" (no longer due or not wanted) or None
    (already handled by someone else). Raises the transient error unless it was the last attempt."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("user").filter(pk=delivery_id).first()
    if delivery is None or delivery.kind not in REMINDERS or not delivery_claim(delivery.pk):
        return None
    reminder, user = REMINDERS[delivery.kind], delivery.user
    prefs = preferences_by_user([user.pk])[user.pk]
    loaded = None
    if user.is_active and user.email and prefs.wants(delivery.kind):
        loaded = getattr(reminder.module(), reminder.load)(user, reminder.object_id(delivery.period), now)
    if loaded is None:
        delivery_finish(delivery.pk, Delivery.Status.SKIPPED)
        return "skipped"
    link = unsubscribe_url(user, delivery.kind, prefs.version)
    context = {
        **loaded["context"],
        "unsubscribe_url": link,
        "settings_url": settings.SITE_URL + reverse("digests:settings"),
    }

    def build():
        return build_email(
            reminder.template,
            to=user,
            context=context,
            attachments=loaded.get("attachments", ()),
            headers=unsubscribe_headers(link),
        )

    result = BatchResult()
    if _send(build, delivery, connection or get_connection(), final_attempt, result, user.pk):
        return "sent"
    if result.errors and not final_attempt:
        raise result.errors[0]
    return "failed"
