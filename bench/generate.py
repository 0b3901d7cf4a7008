"""Fill PostgreSQL with a company at real size, for `make bench`.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/lifeline_bench \
        .venv/bin/python bench/generate.py --stories 100000 --seed 0

Drops and re-creates the database named in DATABASE_URL (it must not be a database you care
about: the name has to start with "lifeline_bench"), migrates it, then loads with COPY:

  10,000 people in 50 teams (fixed), 2,000 customers (fixed), and per 100,000 stories:
  1,000,000 reads, 200,000 reactions, 50,000 comments, 20,000 decisions with 60,000 impact
  reviews, 5,000 meetings with seats and waitlists, 50,000 customer notes (one in five routed),
  20,000 touches, 30,000 complaints (late deliveries rising this month) and 300 improvement ideas
  with their members and pilots. Smaller --stories scale those down.

Fixed landmarks the bench visits (the same at every size): bench@example.com (a leader, password
BENCH_PASSWORD) and bench-admin@example.com (an admin); the busy customer "Busy Harbour Logistics"
(2% of the stories); story 1 with 50 comments; decision 1 with 60 impact reviews; the "storm"
meeting with 10 seats and nobody signed up, and 200 people storm-000..199@example.com for it.
"""

import argparse
import datetime
import io
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

BENCH_PASSWORD = "bench-password-0"
USERS, TEAMS, CUSTOMERS = 10_000, 50, 2_000
STORM_USERS = 200
BUSY_SHARE = 0.02
STORY_COMMENTS = 50
DECISION_REVIEWS = 60

SNIPPETS = {
    "en": [
        "The night shift at the **warehouse** had been losing pallets for months. After we moved their "
        "scanning to our handhelds, the losses stopped within a week.",
        "Their finance team closes the month in *three days* now instead of nine. The controller told us "
        "she finally gets to see her kids on the last Friday of the month.",
        "- Fewer returns\n- Faster invoices\n- A support line that answers in one ring",
        "> We nearly left you last spring. Your team came on site and fixed it in an afternoon.",
        "Onboarding took two weeks. The harbour crane operators now plan their shifts on a tablet.",
    ],
    "ar": [
        "كان فريق **المستودع** يفقد البضائع كل شهر. بعد أن نقلنا المسح إلى أجهزتنا، توقفت الخسائر خلال أسبوع.",
        "يغلق فريق المالية الشهر الآن في *ثلاثة أيام* بدلاً من تسعة.",
        "- مرتجعات أقل\n- فواتير أسرع\n- دعم يجيب فوراً",
    ],
    "he": [
        "משמרת הלילה ב**מחסן** איבדה משטחים במשך חודשים. אחרי המעבר למכשירים שלנו ההפסדים נעצרו.",
        "צוות הכספים סוגר עכשיו את החודש ב*שלושה ימים* במקום תשעה.",
    ],
    "fa": [
        "شیفت شب **انبار** ماه‌ها پالت گم می‌کرد. بعد از انتقال اسکن به دستگاه‌های ما، زیان‌ها در یک هفته متوقف شد.",
        "تیم مالی اکنون ماه را در *سه روز* به جای نه روز می‌بندد.",
    ],
    "vi": [
        "Ca đêm ở **kho hàng** đã mất pallet suốt nhiều tháng. Sau khi chuyển sang thiết bị của chúng tôi, "
        "thất thoát dừng lại trong một tuần.",
        "Đội tài chính giờ khoá sổ tháng trong *ba ngày* thay vì chín ngày.",
    ],
}
TITLE_WORDS = [
    "warehouse", "invoices", "harbour", "night shift", "returns", "onboarding", "support line", "tablets",
    "cold chain", "payroll", "kitchen", "clinic", "school", "farm", "bakery", "fleet", "pharmacy", "hotel",
]
LANGS = ["en", "en", "en", "ar", "he", "fa", "vi"]


def database_url():
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not url.startswith("postgres") or not name.startswith("lifeline_bench"):
        sys.exit("Set DATABASE_URL=postgres://.../lifeline_bench[...]: the database is dropped and re-created.")
    return parts, name


def recreate_database(parts, name):
    import psycopg2

    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


class Loader:
    """COPY rows into a model's table. Missing columns get the field's default, so the loader
    follows the models rather than a hand-kept column list."""

    def __init__(self, connection, now):
        self.connection = connection
        self.now = now

    @staticmethod
    def _cell(value):
        if value is None:
            return "\\N"
        if value is True:
            return "t"
        if value is False:
            return "f"
        if isinstance(value, (datetime.datetime, datetime.date)):
            return value.isoformat()
        if isinstance(value, (list, dict)):
            import json

            value = json.dumps(value)
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    def columns(self, model, names):
        fields, extra = [], []
        given = set(names)
        for field in model._meta.concrete_fields:
            if field.name in given or field.attname in given:
                continue
            if field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                extra.append((field.column, self.now))
            elif field.has_default() and field.unique:  # e.g. User.feed_token: a fresh value per row
                extra.append((field.column, field.get_default))
            elif field.has_default():
                extra.append((field.column, field.get_default()))
            elif field.null:
                extra.append((field.column, None))
            elif field.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
                extra.append((field.column, ""))
            else:
                raise ValueError(f"{model.__name__}.{field.name} needs a value")
        for name in names:
            fields.append(model._meta.get_field(name).column)
        return fields, extra

    def copy(self, model, names, rows, chunk=100_000):
        cols, extra = self.columns(model, names)
        fixed = all(not callable(v) for _, v in extra)
        tail = "\t".join(self._cell(v) for _, v in extra) if fixed else None
        all_cols = cols + [c for c, _ in extra]
        sql = f'COPY "{model._meta.db_table}" ({", ".join(chr(34) + c + chr(34) for c in all_cols)}) FROM STDIN'
        buf, n, total = io.StringIO(), 0, 0
        raw = self.connection.connection
        with raw.cursor() as cur:
            for row in rows:
                line = "\t".join(self._cell(v) for v in row)
                row_tail = tail if fixed else "\t".join(self._cell(v() if callable(v) else v) for _, v in extra)
                buf.write(line + ("\t" + row_tail if extra else "") + "\n")
                n += 1
                if n >= chunk:
                    buf.seek(0)
                    cur.copy_expert(sql, buf)
                    total += n
                    buf, n = io.StringIO(), 0
            if n:
                buf.seek(0)
                cur.copy_expert(sql, buf)
                total += n
        return total


def unique_pairs(rng, count, a_max, b_max, a_fixed=()):
    """`count` distinct (a, b) pairs with 1 <= a <= a_max, 1 <= b <= b_max."""
    seen = set(a_fixed)
    target = min(count, a_max * b_max)
    while len(seen) < target:
        seen.add((rng.randint(1, a_max), rng.randint(1, b_max)))
    return sorted(seen)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    parts, name = database_url()
    started = time.monotonic()

    def step(label):
        print(f"[{time.monotonic() - started:6.1f}s] {label}", flush=True)

    recreate_database(parts, name)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    step("migrating")
    call_command("migrate", verbosity=0, interactive=False)

    from customers.models import Contact, Customer, Follow
    from decisions.models import Decision, DecisionEvent, ImpactReview, ReviewRequest
    from meetings.models import Meeting, Seat
    from portal.lib.markdown import plain_excerpt, render_markdown
    from portal.models import Team, User
    from improvements.models import Complaint, Idea, IdeaMember, Pilot
    from loops.models import Note, Rhythm, Touch
    from stories.models import Comment, Reaction, Read, Story, StoryEvent, Theme

    rng = random.Random(args.seed)
    now = timezone.now().replace(microsecond=0)
    n_stories = args.stories
    scale = n_stories / 100_000
    n_reads, n_reactions = int(1_000_000 * scale), int(200_000 * scale)
    n_comments = max(int(50_000 * scale), STORY_COMMENTS)
    n_decisions = max(int(20_000 * scale), 20)
    n_reviews = max(int(60_000 * scale), DECISION_REVIEWS)
    n_meetings = max(int(5_000 * scale), 20)
    load = Loader(connection, now)

    with transaction.atomic():
        step("teams, people, customers")
        Team.objects.bulk_create(
            Team(
                id=i, name=f"Team {i:02d}", slug=f"team-{i:02d}",
                kind=Team.Kind.CUSTOMER_FACING if i % 3 == 0 else Team.Kind.BACK_OFFICE,
            )
            for i in range(1, TEAMS + 1)
        )
        password = make_password(BENCH_PASSWORD)
        tzs = ["UTC", "Europe/London", "Asia/Riyadh", "Asia/Jerusalem", "Asia/Tehran", "Asia/Ho_Chi_Minh"]
        storm_ids = set(range(USERS - STORM_USERS + 1, USERS + 1))

        def users():
            for i in range(1, USERS + 1):
                if i == 1:
                    email, role, staff, name_ = "bench@example.com", "leader", False, "Bench Leader"
                elif i == 2:
                    email, role, staff, name_ = "bench-admin@example.com", "leader", True, "Bench Admin"
                elif i in storm_ids:
                    k = i - min(storm_ids)
                    email, role, staff, name_ = f"storm-{k:03d}@example.com", "staff", False, f"Storm {k:03d}"
                else:
                    r = rng.random()
                    role = "leader" if r < 0.08 else "host" if r < 0.23 else "staff"
                    email, staff, name_ = f"person{i:05d}@example.com", False, f"Person {i:05d}"
                yield (
                    i, password, staff, staff, name_, email, 1 + (i % TEAMS), role,
                    rng.choice(LANGS) if i > 2 else "en", rng.choice(tzs) if i > 2 else "UTC", True,
                    now - datetime.timedelta(days=rng.randint(30, 3000)),
                )

        load.copy(
            User,
            ["id", "password", "is_superuser", "is_staff", "name", "email", "team", "role", "language",
             "time_zone", "is_active", "date_joined"],
            users(),
        )
        hosts = [i for i in range(3, USERS - STORM_USERS) if i % 7 == 0]  # a stable set of meeting hosts
        active_people = list(range(1, USERS - STORM_USERS + 1))

        help_html = render_markdown("We run their **scanning** and their *invoicing*.\n\n- support\n- training")
        industries = ["Logistics", "Retail", "Health", "Education", "Food", "Finance", "Energy"]
        regions = ["North", "South", "East", "West", "Gulf", "Levant", "Mekong"]

        def customers():
            for i in range(1, CUSTOMERS + 1):
                name_ = "Busy Harbour Logistics" if i == 1 else f"Customer {i:04d} {rng.choice(industries)}"
                yield (
                    i, name_, f"customer-{i:04d}" if i > 1 else "busy-harbour-logistics", f"CRM-{i:05d}",
                    rng.choice(industries), rng.choice(regions), rng.choice(active_people),
                    "A family business that grew into a regional chain.", "They move goods and people.",
                    "Paper, phones and the night shift.", "We run their scanning.", help_html,
                    (now - datetime.timedelta(days=rng.randint(100, 4000))).date(), rng.choice(
                        ["active"] * 8 + ["at_risk", "former"]
                    ), now - datetime.timedelta(hours=rng.randint(0, 24 * 365)), now, now,
                )

        load.copy(
            Customer,
            ["id", "name", "slug", "external_id", "industry", "region", "account_owner", "who_they_are",
             "what_they_do", "daily_challenges", "how_we_help", "how_we_help_html", "customer_since", "status",
             "last_activity_at", "created_at", "updated_at"],
            customers(),
        )
        load.copy(
            Contact,
            ["customer", "name", "role", "is_key", "family", "occupation", "recreation", "dreams"],
            ((c, f"Contact {c}-{k}", "Operations lead", k == 0, "Two kids", "Engineer", "Sailing", "A bigger depot")
             for c in range(1, CUSTOMERS + 1) for k in range(2)),
        )
        follows = unique_pairs(rng, 20_000, USERS - STORM_USERS, CUSTOMERS)
        load.copy(Follow, ["user", "customer", "created_at"], ((u, c, now) for u, c in follows))
        Theme.objects.bulk_create(
            Theme(id=i, name=f"Theme {w}", slug=f"theme-{i}") for i, w in enumerate(TITLE_WORDS[:12], start=1)
        )

        step(f"rendering bodies, then {n_stories} stories")
        bodies = []
        for _ in range(300):
            lang = rng.choice(LANGS)
            paragraphs = [rng.choice(SNIPPETS[lang]) for _ in range(rng.randint(3, 8))]
            if lang != "en":
                paragraphs.append(rng.choice(SNIPPETS["en"]))  # mixed-language stories happen
            body = "## " + rng.choice(TITLE_WORDS).title() + "\n\n" + "\n\n".join(paragraphs)
            html = render_markdown(body)
            bodies.append((body, html, plain_excerpt(html), lang))
        impact = "Losses **stopped**; the night shift goes home on time."
        impact_html = render_markdown(impact)
        busy_count = max(int(n_stories * BUSY_SHARE), 10)
        span = 3 * 365 * 24 * 3600  # three years of stories

        def published_at(i):
            # Story ids grow with time; story 1 is the newest so it's on the feed's first page.
            return now - datetime.timedelta(seconds=int(span * (i - 1) / n_stories) + 60)

        def soon_after(at, days=30):
            """A moment in the `days` after `at` (reads, reactions, comments follow publication)."""
            return min(at + datetime.timedelta(seconds=rng.randint(0, days * 86400)), now)

        customer_of = [0] * (n_stories + 1)  # story id → its customer, for the reads (Read.customer)

        def story_customer(i):
            customer_of[i] = 1 if i % int(1 / BUSY_SHARE) == 0 or i == 1 else rng.randint(2, CUSTOMERS)
            return customer_of[i]

        def stories():
            for i in range(1, n_stories + 1):
                body, body_html, excerpt, lang = rng.choice(bodies)
                published = published_at(i)
                title = f"{rng.choice(TITLE_WORDS).capitalize()}: how {rng.choice(TITLE_WORDS)} changed at #{i}"
                yield (
                    i, story_customer(i), rng.choice(hosts), title, f"story-{i}", body, body_html, excerpt,
                    "Handhelds and a support plan", impact, impact_html, "published", published, published,
                    published, lang,
                )

        load.copy(
            Story,
            ["id", "customer", "author", "title", "slug", "body", "body_html", "excerpt", "bought", "impact", "impact_html",
             "status", "created_at", "updated_at", "published_at", "language"],
            stories(),
        )
        load.copy(
            Story.themes.through, ["story", "theme"],
            ((s, t) for s in range(1, n_stories + 1) for t in sorted({rng.randint(1, 12), rng.randint(1, 12)})),
        )
        load.copy(
            Story.teams.through, ["story", "team"],
            ((s, t) for s in range(1, n_stories + 1) for t in sorted({rng.randint(1, TEAMS)})),
        )
        load.copy(StoryEvent, ["story", "actor", "action", "at"],
                  ((s, 1, "published", now) for s in range(1, n_stories + 1)))

        step(f"{n_reads} reads, {n_reactions} reactions, {n_comments} comments")
        people = USERS - STORM_USERS
        load.copy(Read, ["story", "customer", "user", "read_at"],
                  ((s, customer_of[s], u, soon_after(published_at(s)))
                   for s, u in unique_pairs(rng, n_reads, n_stories, people)))
        kinds = list(Reaction.Kind.values)
        load.copy(
            Reaction, ["story", "user", "kind", "created_at"],
            ((s, u, rng.choice(kinds), soon_after(published_at(s)))
             for s, u in unique_pairs(rng, n_reactions, n_stories, people)),
        )
        comment_bodies = [(b, render_markdown(b)) for b in (
            "Thank you for writing this up.", "We saw the **same** at our depot.", "شكراً على المشاركة",
            "תודה ששיתפת", "ممنون از اشتراک", "Cảm ơn bạn đã chia sẻ",
        )]

        def comments():
            for k in range(n_comments):
                story = 1 if k < STORY_COMMENTS else rng.randint(2, n_stories)
                body, html = rng.choice(comment_bodies)
                at = now - datetime.timedelta(minutes=STORY_COMMENTS - k) if k < STORY_COMMENTS else soon_after(
                    published_at(story))
                yield story, rng.randint(1, people), body, html, at, at

        load.copy(Comment, ["story", "author", "body", "body_html", "created_at", "updated_at"], comments())

        step(f"{n_decisions} decisions, {n_reviews} impact reviews")
        proposal = "Move the **support line** to a new provider.\n\n- cheaper\n- longer hours"
        proposal_html = render_markdown(proposal)
        statuses = ["draft", "in_review", "in_review", "decided", "decided", "decided", "rejected", "withdrawn"]

        def decision_created(d):
            return now - datetime.timedelta(seconds=int(span * (d - 1) / n_decisions) + 60)

        def decisions():
            for i in range(1, n_decisions + 1):
                status = "in_review" if i == 1 else rng.choice(statuses)
                created = decision_created(i)
                yield (
                    i, f"Decision {i}: change the {rng.choice(TITLE_WORDS)}", 1 + i % TEAMS, rng.choice(active_people),
                    "The contract ends.", proposal, proposal_html, (created + datetime.timedelta(days=30)).date(),
                    status, created if status == "decided" else None, created, created,
                )

        load.copy(
            Decision,
            ["id", "title", "team", "owner", "context", "proposal", "proposal_html", "decide_by", "status",
             "decided_at", "created_at", "updated_at"],
            decisions(),
        )
        load.copy(
            Decision.customers.through, ["decision", "customer"],
            ((d, c) for d in range(1, n_decisions + 1)
             for c in sorted({1 if d % 10 == 0 else rng.randint(2, CUSTOMERS), rng.randint(2, CUSTOMERS)})),
        )
        review_pairs = {(1, u) for u in range(10, 10 + DECISION_REVIEWS)}
        review_pairs = unique_pairs(rng, n_reviews, n_decisions, people, a_fixed=review_pairs)
        answer = "It **helps** the night shift; a few customers will need a new phone number."
        answer_html = render_markdown(answer)
        directions = [("helps", ""), ("neutral", ""), ("unsure", ""), ("hurts", "low"), ("hurts", "medium"),
                      ("hurts", "high")]

        review_at = {pair: soon_after(decision_created(pair[0]), 14) for pair in review_pairs}

        def reviews():
            for k, (d, u) in enumerate(review_pairs, start=1):
                direction, severity = rng.choice(directions)
                at = review_at[(d, u)]
                yield k, d, u, answer, answer_html, direction, severity, rng.random() < 0.5, at, at

        load.copy(
            ImpactReview,
            ["id", "decision", "author", "answer", "answer_html", "direction", "severity", "affects_customers",
             "created_at", "updated_at"],
            reviews(),
        )
        load.copy(
            ImpactReview.customers.through, ["impactreview", "customer"],
            ((k, rng.randint(1, CUSTOMERS)) for k in range(1, len(review_pairs) + 1) if k % 3 == 0),
        )
        load.copy(
            ReviewRequest, ["decision", "reviewer", "due_date", "created_at", "reviewed_at"],
            ((d, u, (decision_created(d) + datetime.timedelta(days=14)).date(), decision_created(d), review_at[(d, u)])
             for d, u in review_pairs),
        )
        load.copy(DecisionEvent, ["decision", "actor", "at", "kind"],
                  ((d, 1, now, "created") for d in range(1, n_decisions + 1)))

        step(f"{n_meetings} meetings with seats and waitlists")
        kinds_m = list(Meeting.Kind.values)

        def meetings():
            for i in range(1, n_meetings + 1):
                # From a year ago to three months ahead; the last one is the storm meeting.
                starts = now + datetime.timedelta(hours=int(-365 * 24 + (455 * 24) * i / n_meetings) + 1)
                seats, title = rng.randint(2, 4), f"{rng.choice(kinds_m).replace('_', ' ').title()} #{i}"
                customer = 1 if i % 20 == 0 else rng.randint(2, CUSTOMERS)
                if i == n_meetings:
                    starts, seats, title = now + datetime.timedelta(days=30), 10, "Storm meeting"
                yield (
                    i, customer, rng.choice(hosts), rng.choice(kinds_m), title, starts,
                    starts + datetime.timedelta(hours=1), "Main office, room 4", "", seats,
                    starts - datetime.timedelta(days=1), "Your only job is to listen.", "scheduled", now, now,
                )

        load.copy(
            Meeting,
            ["id", "customer", "host", "kind", "title", "starts_at", "ends_at", "place", "video_url", "seats",
             "signup_closes_at", "briefing", "status", "created_at", "updated_at"],
            meetings(),
        )

        def seats():
            for m in range(1, n_meetings):
                takers = rng.sample(active_people, rng.randint(0, 7))
                for k, u in enumerate(takers):
                    status = "confirmed" if k < 3 else "waitlisted"
                    yield m, u, status, now + datetime.timedelta(seconds=k), now

        load.copy(Seat, ["meeting", "user", "status", "created_at", "updated_at"], seats())
        with connection.cursor() as cur:  # Meeting.seats_taken, as the seat services keep it
            cur.execute(
                f'UPDATE "{Meeting._meta.db_table}" m SET seats_taken = s.n FROM (SELECT meeting_id, count(*) AS n '
                f"FROM \"{Seat._meta.db_table}\" WHERE status = 'confirmed' GROUP BY meeting_id) s WHERE m.id = s.meeting_id"
            )

        step("customer notes, touches and rhythms; complaints and improvement ideas")
        owner_of = dict(Customer.objects.values_list("id", "account_owner_id"))
        facing = [t for t in range(1, TEAMS + 1) if t % 3 == 0]  # the customer-facing teams (above)
        n_notes, n_touches = max(int(50_000 * scale), 50), max(int(20_000 * scale), 20)
        note_kinds, touch_kinds = list(Note.Kind.values), list(Touch.Kind.values)

        def notes():
            # Two years of notes, one in five routed (to the account owner or a customer-facing team),
            # most of those answered or acknowledged within days; one in ten for leaders only.
            for i in range(1, n_notes + 1):
                customer = 1 if i % 25 == 0 else rng.randint(2, CUSTOMERS)
                at = now - datetime.timedelta(minutes=int(2 * 365 * 24 * 60 * (n_notes - i) / n_notes) + 5)
                route = route_user = route_team = responded_by = responded_at = None
                route, status, answer = "", "", ""
                if rng.random() < 0.2:
                    route = rng.choice(["owner", "team"])
                    route_user = owner_of[customer] if route == "owner" else None
                    route_team = rng.choice(facing) if route == "team" else None
                    status = "open" if rng.random() < 0.2 else rng.choice(["acknowledged", "answered"])
                    if status != "open":
                        responded_by = route_user or rng.choice(active_people)
                        responded_at = min(now, at + datetime.timedelta(hours=rng.randint(1, 24 * 9)))
                        answer = "Called them back; sorted." if status == "answered" else ""
                yield (
                    i, customer, rng.choice(active_people), rng.choice(note_kinds),
                    f"Note {i}: {rng.choice(TITLE_WORDS)} came up on the call, and the crew is waiting on it.",
                    "everyone" if rng.random() < 0.9 else "leaders", route, route_user, route_team, status, answer,
                    responded_by, responded_at, at,
                )

        load.copy(
            Note,
            ["id", "customer", "author", "kind", "text", "visibility", "route", "route_user", "route_team", "status",
             "answer", "responded_by", "responded_at", "at"],
            notes(),
        )
        load.copy(
            Touch, ["owner", "customer", "kind", "at"],
            ((owner_of[c], c, rng.choice(touch_kinds), now - datetime.timedelta(minutes=rng.randint(5, 180 * 24 * 60)))
             for c in (rng.randint(1, CUSTOMERS) for _ in range(n_touches))),
        )
        keepers = User.objects.filter(role="host", pk__in=set(owner_of.values())).order_by("pk").values_list("pk", flat=True)[:300]
        load.copy(Rhythm, ["user", "started_at"], ((u, now) for u in keepers))

        categories = ["Late delivery", "Invoice errors", "Damaged goods", "Wrong item", "Billing portal",
                      "Support wait", "Returns", "Packaging"]
        n_complaints = max(int(30_000 * scale), 60)
        month_days = (now.date() - now.date().replace(day=1)).days

        def complaints():
            # Two years of complaints; this month, late deliveries rise (the patterns page flags them).
            for i in range(1, n_complaints + 1):
                category, days_ago = rng.choice(categories), rng.randint(0, 2 * 365)
                if i % 30 == 0:
                    category, days_ago = "Late delivery", rng.randint(0, month_days)
                yield (
                    1 if i % 25 == 0 else rng.randint(2, CUSTOMERS), now.date() - datetime.timedelta(days=days_ago),
                    category, f"Complaint {i}: the order came in late and the crew stood idle.",
                    rng.choice([None, "40.00", "120.50"]),
                )

        load.copy(Complaint, ["customer", "date", "category", "text", "cost"], complaints())
        n_ideas = max(int(300 * scale), 10)
        problem_html = render_markdown("Crews **wait** when a delivery comes late.")
        proposal_html = render_markdown("Text the crew lead when the truck leaves the depot.")
        statuses = ["open"] * 5 + ["piloting"] * 2 + ["adopted", "dropped"]
        ideas = [(i, rng.choice(statuses), now - datetime.timedelta(days=rng.randint(1, 700))) for i in range(1, n_ideas + 1)]
        load.copy(
            Idea,
            ["id", "title", "category", "problem", "problem_html", "proposal", "proposal_html", "author", "status",
             "created_at", "closed_at"],
            ((i, f"Idea {i}: fewer {rng.choice(categories).lower()} complaints", rng.choice(categories),
              "Crews **wait** when a delivery comes late.", problem_html,
              "Text the crew lead when the truck leaves the depot.", proposal_html, rng.choice(active_people), status,
              created, created + datetime.timedelta(days=60) if status in ("adopted", "dropped") else None)
             for i, status, created in ideas),
        )
        load.copy(
            IdeaMember, ["idea", "user", "joined_by", "joined_at"],
            ((i, u, u, created) for i, _status, created in ideas for u in rng.sample(active_people, rng.randint(1, 6))),
        )
        load.copy(
            Pilot, ["idea", "owner", "starts_on", "ends_on", "measure"],
            ((i, rng.choice(active_people), created.date() + datetime.timedelta(days=7),
              created.date() + datetime.timedelta(days=50), "Late-delivery complaints per month")
             for i, status, created in ideas if status in ("piloting", "adopted")),
        )

        step("sequences")
        with connection.cursor() as cur:
            for model in (Team, User, Customer, Theme, Story, Decision, ImpactReview, Meeting, Note, Idea):
                table = model._meta.db_table
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )

    step("search vectors (the same expression as stories.search.vector_expression)")
    with connection.cursor() as cur:
        config = "('lifeline_' || s.language)::regconfig"  # the story's own (stories migration 0007)
        cur.execute(
            f"""
            UPDATE stories_story s SET search_vector =
                setweight(to_tsvector({config}, COALESCE(s.title, '')), 'A')
                || setweight(to_tsvector({config}, CONCAT(c.name, ' ', u.name)), 'B')
                || setweight(to_tsvector({config}, COALESCE(s.body, '')), 'C')
                || setweight(to_tsvector({config}, CONCAT(s.bought, ' ', s.impact)), 'D')
            FROM customers_customer c, portal_user u WHERE c.id = s.customer_id AND u.id = s.author_id
            """
        )
    step("story counters (kept by the services in use: the same counts, from the loaded rows)")
    with connection.cursor() as cur:
        for column, table in (("reaction_count", "stories_reaction"), ("comment_count", "stories_comment"),
                              ("read_count", "stories_read")):
            cur.execute(
                f"UPDATE stories_story s SET {column} = n.n"  # noqa: S608 (names from this list)
                f" FROM (SELECT story_id, count(*) AS n FROM {table} GROUP BY story_id) n WHERE n.story_id = s.id"
            )
    step("vacuum analyze")
    connection.connection.autocommit = True
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    step(f"done: {n_stories} stories, {n_reads} reads, {n_reactions} reactions, {n_comments} comments, "
         f"{n_decisions} decisions, {len(review_pairs)} reviews, {n_meetings} meetings")
    print(f"busy customer: busy-harbour-logistics ({busy_count} stories); storm meeting: {n_meetings}")


if __name__ == "__main__":
    main()
