"""Weekly digest throughput: how many digests per second we compose and hand to the email backend.

    DEBUG=1 .venv/bin/python bench/digest_bench.py --users 10000

Uses its own throwaway database next to DATABASE_URL's (PostgreSQL: lifeline_digestbench; SQLite:
/tmp/lifeline_digestbench.sqlite3), fills it with bulk_create (people in five languages and many
time zones, a realistic week of stories, reactions, review requests, meetings and seats), then
reports, with Django's locmem email backend:

  pipeline  digest_send_batch() over batches of 30: claim, compose, render, send, mark sent
  compose   compose_batch() alone
  floor     rendering the same templates from a precomputed context and sending (no queries)

Target: the pipeline runs at least half the floor's rate.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "lifeline_digestbench"


def use_bench_database():
    """Point DATABASE_URL at the bench database (created on PostgreSQL when missing)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        import psycopg2

        admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
        admin.close()
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    else:
        os.environ["DATABASE_URL"] = f"sqlite:////tmp/{BENCH_DB}.sqlite3"
    return os.environ["DATABASE_URL"]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing in memory
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LOGGING_CONFIG = None


def build_world(n_users, now):
    from django.core.management import call_command
    from django.db import transaction

    from customers.models import Customer, Follow
    from decisions.models import Decision, ReviewRequest
    from meetings.models import Meeting, Seat
    from portal.models import Team, User
    from stories.models import Reaction, Story

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(0)
    languages = ["en"] * 6 + ["ar", "he", "fa", "vi"]
    zones = [
        "UTC",
        "America/Chicago",
        "America/New_York",
        "Europe/London",
        "Europe/Berlin",
        "Asia/Dubai",
        "Asia/Jerusalem",
        "Asia/Tehran",
        "Asia/Ho_Chi_Minh",
        "Africa/Lagos",
    ]
    with transaction.atomic():
        teams = Team.objects.bulk_create(
            [
                Team(
                    name=f"Team {i:02d}",
                    slug=f"team-{i:02d}",
                    kind="customer_facing" if i < 4 else "back_office",
                )
                for i in range(24)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    name=f"Person {i:05d}",
                    email=f"p{i:05d}@bench.example",
                    password="!",
                    team=teams[i % len(teams)],
                    role="leader" if i % 20 == 0 else ("host" if i % len(teams) < 4 else "staff"),
                    language=rng.choice(languages),
                    time_zone=rng.choice(zones),
                )
                for i in range(n_users)
            ],
            batch_size=2000,
        )
        hosts = [u for u in users if u.role == "host"]
        customers = Customer.objects.bulk_create(
            [
                Customer(name=f"Customer {i:04d}", slug=f"customer-{i:04d}", industry="Wholesale")
                for i in range(500)
            ]
        )
        Follow.objects.bulk_create(
            [Follow(user=u, customer=c) for u in users for c in rng.sample(customers, 5)],
            batch_size=5000,
        )
        # A week of stories: ~25 a day, each for one or two teams, with reactions.
        stories = Story.objects.bulk_create(
            [
                Story(
                    customer=rng.choice(customers),
                    author=rng.choice(hosts),
                    title=f"What customer {i} taught us",
                    slug=f"story-{i}",
                    body="Their crew **counts** on us.",
                    body_html="<p>Their crew <strong>counts</strong> on us.</p>",
                    status="published",
                    published_at=now - datetime.timedelta(minutes=rng.randint(10, 7 * 24 * 60)),
                )
                for i in range(180)
            ]
        )
        Story.teams.through.objects.bulk_create(
            [Story.teams.through(story_id=s.pk, team_id=t.pk) for s in stories for t in rng.sample(teams, 2)]
        )
        Reaction.objects.bulk_create(
            [
                Reaction(story=rng.choice(stories), user=u, kind="moved")
                for u in rng.sample(users, min(3000, len(users)))
            ],
            ignore_conflicts=True,
        )
        # Decisions in review, each asking its team's members and a few others.
        leaders = [u for u in users if u.role == "leader"]
        decisions = Decision.objects.bulk_create(
            [
                Decision(
                    title=f"Decision {i}",
                    team=teams[i % len(teams)],
                    owner=rng.choice(leaders),
                    context="Why.",
                    proposal="What.",
                    proposal_html="<p>What.</p>",
                    decide_by=(now + datetime.timedelta(days=14)).date(),
                    status="in_review",
                )
                for i in range(40)
            ]
        )
        by_team = {}
        for u in users:
            by_team.setdefault(u.team_id, []).append(u)
        requests = []
        for d in decisions:
            for u in rng.sample(by_team[d.team_id], 8):
                requests.append(
                    ReviewRequest(
                        decision=d,
                        reviewer=u,
                        via_team_id=d.team_id,
                        due_date=(now + datetime.timedelta(days=rng.randint(-2, 10))).date(),
                    )
                )
            for u in rng.sample(users, 5):
                requests.append(
                    ReviewRequest(decision=d, reviewer=u, due_date=(now + datetime.timedelta(days=7)).date())
                )
        ReviewRequest.objects.bulk_create(requests, ignore_conflicts=True)
        # Meetings: 60 in the next three weeks with open seats, 40 in the last month.
        meetings = []
        for i in range(100):
            start = now + datetime.timedelta(hours=rng.randint(-30 * 24, 21 * 24))
            start = start.replace(minute=0, second=0, microsecond=0)
            meetings.append(
                Meeting(
                    customer=rng.choice(customers),
                    host=rng.choice(hosts),
                    title=f"Annual review {i}",
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=1),
                    signup_closes_at=start - datetime.timedelta(hours=12),
                    seats=4,
                )
            )
        meetings = Meeting.objects.bulk_create(meetings)
        Seat.objects.bulk_create(
            [
                Seat(meeting=m, user=u, status="confirmed")
                for m in meetings
                for u in rng.sample(users, rng.randint(1, 3))
            ],
            ignore_conflicts=True,
        )
    return [u.pk for u in users]


def rate(count, seconds):
    return count / seconds if seconds else float("inf")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=30)
    args = parser.parse_args()

    url = use_bench_database()
    setup_django()
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from digests.compose import compose_batch
    from digests.models import Delivery
    from digests.preferences import preferences_by_user
    from digests.services import digest_context, digest_send_batch
    from digests.tokens import unsubscribe_headers
    from portal.lib.emails import build_email
    from portal.models import User

    now = timezone.now()
    started = time.perf_counter()
    ids = build_world(args.users, now)
    print(
        f"database: {connection.vendor} ({url.rsplit('/', 1)[-1]}); {len(ids)} people; "
        f"world built in {time.perf_counter() - started:.1f}s"
    )
    batches = [ids[i : i + args.batch] for i in range(0, len(ids), args.batch)]

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have after a real week
    # Warm up (templates compiled, URL resolvers and catalogues loaded for every language), untimed.
    warm = compose_batch(list(User.objects.filter(pk__in=batches[0])), now=now)
    warm_prefs = preferences_by_user(list(warm))
    for digest in warm.values():
        if not digest.is_empty:
            context, link = digest_context(digest, warm_prefs[digest.user.pk])
            build_email("digests-weekly", to=digest.user, context=context, headers=unsubscribe_headers(link))

    # Queries for one batch (they do not grow with the batch).
    with CaptureQueriesContext(connection) as captured:
        compose_batch(list(User.objects.filter(pk__in=batches[0])), now=now)
    print(f"compose: {len(captured)} queries per batch of {len(batches[0])}")

    # 1. The pipeline: what the Celery batch task does.
    # The outbox is emptied after every batch in both measurements: a real backend keeps nothing.
    Delivery.objects.all().delete()
    sent = 0
    started = time.perf_counter()
    for batch in batches:
        mail.outbox = []
        digest_send_batch(batch, now=now)
        sent += len(mail.outbox)
    pipeline_s = time.perf_counter() - started
    skipped = Delivery.objects.filter(status="skipped").count()
    print(
        f"pipeline: {sent} digests sent ({skipped} with nothing to say) in {pipeline_s:.2f}s "
        f"= {rate(sent, pipeline_s):.0f} emails/s ({rate(len(ids), pipeline_s):.0f} people/s)"
    )

    # 2. Composition alone, over the same window (forget the digests just sent).
    Delivery.objects.all().delete()
    started = time.perf_counter()
    digests = {}
    for batch in batches:
        digests.update(compose_batch(list(User.objects.filter(pk__in=batch)), now=now))
    compose_s = time.perf_counter() - started
    print(
        f"compose: {len(digests)} people in {compose_s:.2f}s = {rate(len(digests), compose_s):.0f} people/s"
    )

    # 3. The floor: the same templates rendered from precomputed contexts, handed to the backend.
    prefs = preferences_by_user(list(digests))
    contexts = []
    for digest in digests.values():
        if not digest.is_empty:
            context, link = digest_context(digest, prefs[digest.user.pk])
            contexts.append((digest.user, context, unsubscribe_headers(link)))
    started = time.perf_counter()
    for start in range(0, len(contexts), args.batch):
        mail.outbox = []
        for user, context, headers in contexts[start : start + args.batch]:
            build_email("digests-weekly", to=user, context=context, headers=headers).send()
    floor_s = time.perf_counter() - started
    floor = rate(len(contexts), floor_s)
    pipeline = rate(sent, pipeline_s)
    print(f"floor: {len(contexts)} emails rendered and sent in {floor_s:.2f}s = {floor:.0f} emails/s")
    print(f"pipeline / floor = {pipeline / floor:.2f} (target ≥ 0.50)")


if __name__ == "__main__":
    main()
