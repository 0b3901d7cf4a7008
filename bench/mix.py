"""The benchmark of record: many signed-in people using the portal at once, as they really do.

    .venv/bin/python bench/mix.py --stories 1000 --duration 15          # a quick look while developing
    .venv/bin/python bench/mix.py --stories 100000 --one-url             # what `make bench-mix` runs

One gunicorn as in production (bench/run.py: 3 sync workers, DEBUG off, the cache in Redis, the beat
task beside it), serving `bench.wsgi` (the portal's application, plus a response header counting the
fragment caches' hits). Before the timed part, a separate process picks `--people` people from the
data and signs each in with `force_login` (sessions in the database: the password hasher is never in
the timed part), and reads ids and slugs of stories, customers, meetings, decisions, teams and themes.

`--clients` threads then run a closed loop (each sends its next request when the last one answered),
each as its own few people. Every request is drawn by `choose` from WEIGHTS: the feed and story pages
most, then home, customer pages and their timelines, search, meetings and decisions, complaint patterns
and improvement ideas, the scorecard rarely, and about 5% writes through the real forms with the CSRF
token (reactions, comments, meeting sign-up and leave, a new story), sent as htmx sends them. Story
pages are visited as a reader, so a first visit records the read.

Each repeat, in this order, on the same server:
1. stop gunicorn, empty its Redis database, start it again (every worker's memory empty too), then the
   mix at once for `--cold` seconds: "right after the cache is emptied";
2. the mix, untimed, for `--warmup` seconds;
3. in turn, in `--slices` (3) slices each: the floor (/bench/floor/, every client asking for it,
   `--floor` seconds in all), each peer alone (/bench/peer/stories/, then /bench/peer/stories/<pk>/: a
   plain ListView and DetailView of the feed's and the story page's content, portal/floor.py; as long as
   the floor, half each) and the mix, warm (`--duration` seconds in all). A peer's throughput alone is
   what a mix of nothing but that plain view would reach: the ceiling for pages of its weight.
Every ratio compares with the floor of the same repeat, interleaved with it, with the same clients.
The report gives the median of the repeats; the raw figures of every repeat are in the .json.

`--one-url` then runs bench/run.py at the same size (the one-URL wrk table) and puts its table second.
Writes bench/results/<date>-mix-<stories>[-<tag>].md and .json.
"""

import argparse
import datetime
import http.client
import json
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as onebench  # noqa: E402  (bench/run.py: server env, gunicorn, beat, machine)

ROOT = onebench.ROOT
HOST = onebench.HOST
MIX_CACHE_DBS = {1000: 7, 100000: 8}  # Redis databases of the mix's gunicorn (run.py keeps 13 and 14)

# label -> weight (percent of requests). Writes are the "write: …" ones, 5% in all.
WEIGHTS = {
    "story": 29,
    "feed": 14,
    "feed, filtered": 11,
    "home": 11,
    "customer": 7,
    "customer timeline": 3,  # what a customer page asks for by htmx, and the "Older" pages after it
    "search": 6,
    "meetings": 3,
    "meeting": 2.5,
    "decisions": 3,
    "decision": 2.5,
    "complaint patterns": 1,
    "improvement ideas": 1,
    "scorecard": 1,
    "write: reaction": 2,
    "write: comment": 1.2,
    "write: sign-up/leave": 1.3,
    "write: new story": 0.5,
}
SEARCH_TERMS = [
    "warehouse", "invoices", "harbour", "night shift", "returns", "onboarding", "payroll", "cold chain",
    "kitchen", "clinic", "pallets", "tablet", "support line", "finance month", "\"night shift\"", "crane -school",
    "المستودع", "מחסן", "kho hàng",
    # Searches that find nothing or little, as real ones often do (a typo, a word no story uses).
    "warehose", "zebras", "refunded",
]
COMMENTS = ["Thank you for writing this up.", "We saw the same at our site.", "Sharing this with my team.",
            "شكراً للمشاركة", "Cảm ơn bạn đã chia sẻ"]
REACTIONS = ["moved", "changes_work", "great_news", "worth_sharing"]


@dataclass
class Request:
    label: str
    method: str
    path: str
    data: dict | None = None
    htmx_target: str | None = None
    expect: tuple = (200,)


@dataclass
class Person:
    pk: int
    cookie: str
    may_write: bool
    csrf: str = ""
    cookies: dict = field(default_factory=dict)
    seats: set = field(default_factory=set)  # meetings this person signed up for during the run


def is_write(label):
    return label.startswith("write:")


def pick_story(rng, data):
    """Half the story visits go to the newest stories (what the feed and home show), half anywhere."""
    pool = data["recent_stories"] if rng.random() < 0.5 else data["stories"]
    return rng.choice(pool)


def choose(rng, data, person):
    """The next request `person` makes: a label drawn from WEIGHTS, then its page or form from the data."""
    label = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    if label == "write: new story" and not person.may_write:
        label = "write: reaction"  # only writers have the form; keep the share of writes
    if label == "story":
        pk, slug = pick_story(rng, data)
        return Request(label, "GET", f"/stories/{pk}/{slug}/")
    if label == "feed":
        return Request(label, "GET", "/stories/")
    if label == "feed, filtered":
        kind = rng.choice(["team", "theme", "customer", "team+theme"])
        query = {}
        if "team" in kind:
            query["team"] = rng.choice(data["teams"])
        if "theme" in kind:
            query["theme"] = rng.choice(data["themes"])
        if kind == "customer":
            query["customer"] = rng.choice(data["customers"])
        return Request(label, "GET", "/stories/?" + urlencode(query))
    if label == "search":
        query = {"q": rng.choice(SEARCH_TERMS)}
        if rng.random() < 0.2:
            query["team"] = rng.choice(data["teams"])
        return Request(label, "GET", "/stories/?" + urlencode(query))
    if label == "home":
        return Request(label, "GET", "/")
    if label == "customer":
        slug = data["busy_customer"] if rng.random() < 0.1 else rng.choice(data["customers"])
        return Request(label, "GET", f"/customers/{slug}/")
    if label == "customer timeline":
        slug = data["busy_customer"] if rng.random() < 0.1 else rng.choice(data["customers"])
        return Request(label, "GET", f"/loops/customers/{slug}/timeline/", htmx_target="timeline")
    if label == "complaint patterns":
        if rng.random() < 0.7:
            return Request(label, "GET", "/improvements/")
        today = datetime.date.today()
        back = rng.randint(1, 11)
        month = (today.year * 12 + today.month - 1) - back
        return Request(label, "GET", f"/improvements/?month={month // 12}-{month % 12 + 1:02d}")
    if label == "improvement ideas":
        return Request(label, "GET", "/improvements/ideas/")
    if label == "meetings":
        return Request(label, "GET", "/meetings/")
    if label == "meeting":
        return Request(label, "GET", f"/meetings/{rng.choice(data['meetings'])}/")
    if label == "decisions":
        return Request(label, "GET", "/decisions/")
    if label == "decision":
        return Request(label, "GET", f"/decisions/{rng.choice(data['decisions'])}/")
    if label == "scorecard":
        return Request(label, "GET", "/insights/")
    if label == "write: reaction":
        pk, _ = pick_story(rng, data)
        return Request(label, "POST", f"/stories/{pk}/react/", {"kind": rng.choice(REACTIONS)}, "reactions")
    if label == "write: comment":
        pk, _ = pick_story(rng, data)
        return Request(label, "POST", f"/stories/{pk}/comments/", {"body": rng.choice(COMMENTS)}, "comments")
    if label == "write: sign-up/leave":
        if person.seats and rng.random() < 0.5:
            meeting = rng.choice(sorted(person.seats))
            return Request(label, "POST", f"/meetings/{meeting}/leave/", {}, "seat-panel")
        return Request(label, "POST", f"/meetings/{rng.choice(data['open_meetings'])}/signup/", {}, "seat-panel")
    if label == "write: new story":
        form = {
            "customer": rng.choice(data["customer_ids"]), "title": f"Bench story {rng.randrange(10**9)}",
            "body": "The night shift at the **warehouse** stopped losing pallets within a week.",
            "bought": "Handhelds", "impact": "", "themes": rng.choice(data["theme_ids"]),
            "teams": rng.choice(data["team_ids"]), "action": "publish",
        }
        return Request(label, "POST", "/stories/new/", form, None, expect=(302,))
    raise AssertionError(label)


# -- set-up: people, sessions and the data the mix draws from (one process, before the timed part) --

SETUP_CODE = r"""
import json, random, sys, django
django.setup()
from django.test import Client
from django.utils import timezone
from customers.models import Customer
from decisions.models import Decision
from meetings.models import Meeting
from portal.models import Team, User
from portal.permissions import can
from stories.models import Story, Theme

count, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
users = list(User.objects.filter(is_active=True).exclude(email__startswith="storm-").order_by("pk").values_list("pk", flat=True))
chosen = set(rng.sample(users, count - 2)) | set(User.objects.filter(email__in=["bench@example.com", "bench-admin@example.com"]).values_list("pk", flat=True))
people = []
for user in User.objects.filter(pk__in=chosen).order_by("pk"):
    client = Client()
    client.force_login(user)
    people.append({"pk": user.pk, "cookie": client.cookies["sessionid"].value, "may_write": can(user, "story.write")})
published = Story.objects.filter(status="published")
ids = list(published.order_by("pk").values_list("pk", flat=True))
sample = sorted(rng.sample(ids, min(len(ids), 5000)))
now = timezone.now()
open_meetings = Meeting.objects.filter(status="scheduled", signup_closes_at__gt=now).exclude(title="Storm meeting")
data = {
    "stories": list(published.filter(pk__in=sample).values_list("pk", "slug")),
    "recent_stories": list(published.order_by("-published_at", "-pk").values_list("pk", "slug")[:200]),
    "customers": list(Customer.objects.order_by("pk").values_list("slug", flat=True)),
    "customer_ids": list(Customer.objects.order_by("pk").values_list("pk", flat=True)),
    "busy_customer": "busy-harbour-logistics",
    "teams": list(Team.objects.order_by("pk").values_list("slug", flat=True)),
    "team_ids": list(Team.objects.order_by("pk").values_list("pk", flat=True)),
    "themes": list(Theme.objects.order_by("pk").values_list("slug", flat=True)),
    "theme_ids": list(Theme.objects.order_by("pk").values_list("pk", flat=True)),
    "meetings": sorted(rng.sample(list(Meeting.objects.values_list("pk", flat=True)), min(Meeting.objects.count(), 1000))),
    "open_meetings": list(open_meetings.order_by("pk").values_list("pk", flat=True)[:500]),
    "decisions": sorted(rng.sample(list(Decision.objects.values_list("pk", flat=True)), min(Decision.objects.count(), 2000))),
}
print("MIXJSON " + json.dumps({"people": people, "data": data}))
"""


def setup(env, people, seed):
    out = subprocess.run([onebench.PY, "-c", SETUP_CODE, str(people), str(seed)], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    match = re.search(r"MIXJSON (.*)", out.stdout)
    if not match:
        raise SystemExit(f"mix setup failed:\n{out.stderr[-3000:]}")
    found = json.loads(match.group(1))
    return [Person(**p) for p in found["people"]], found["data"]


# -- the clients -------------------------------------------------------------------------------------


class Client:
    """One closed-loop client: a keep-alive connection (re-opened when gunicorn closes it) and its people."""

    def __init__(self, port, people):
        self.port, self.people = port, people
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)

    def send(self, person, method, path, body=None, headers=None, compressed=True):
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in {"sessionid": person.cookie, **person.cookies}.items())
        if compressed:
            headers["Accept-Encoding"] = "gzip, br"
        if body is not None:
            body = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed a kept connection: once more on a new one
                if attempt == 2:
                    raise
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                key, value = key.strip(), rest.split(";", 1)[0]
                if key == "sessionid":
                    person.cookie = value or person.cookie
                else:
                    person.cookies[key] = value
        return response, payload

    def prepare(self, person):
        """The CSRF cookie and a form token, as a browser has them after its first page (untimed)."""
        response, html = self.send(person, "GET", "/stories/", compressed=False)
        if response.status != 200:
            raise SystemExit(f"person {person.pk}: /stories/ answered {response.status} (not signed in?)")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        person.csrf = match.group(1).decode() if match else person.cookies.get("csrftoken", "")

    def one(self, person, request):
        headers = {}
        data = request.data
        if request.method == "POST":
            data = {**(data or {}), "csrfmiddlewaretoken": person.csrf}
            headers["X-CSRFToken"] = person.csrf
            headers["Referer"] = f"http://{HOST}:{self.port}/"
        if request.htmx_target:  # as htmx sends it: the writes' forms and the timeline's region
            headers.update({"HX-Request": "true", "HX-Target": request.htmx_target})
        started = time.perf_counter()
        try:
            response, _ = self.send(person, request.method, request.path, data, headers)
        except OSError:
            return time.perf_counter() - started, 0, "", ""
        elapsed = time.perf_counter() - started
        return elapsed, response.status, response.getheader("X-Bench-Cache", ""), response.getheader("X-Bench-Time", "")


def after(person, request, status):
    """What a successful write changes in the person's own state."""
    if status in request.expect and request.label == "write: sign-up/leave":
        meeting = int(request.path.split("/")[2])
        if request.path.endswith("/signup/"):
            person.seats.add(meeting)
        else:
            person.seats.discard(meeting)


def run_phase(clients, draw, seconds, seed):
    """Every client in a closed loop for `seconds`: [(label, seconds, status, expected, cache header,
    (worker wall ms, worker CPU ms))], and the phase's length in seconds."""
    results, lock = [], threading.Lock()
    deadline = time.monotonic() + seconds
    start_line = threading.Barrier(len(clients) + 1)

    def loop(index, client):
        rng = random.Random(seed * 1000 + index)
        mine = []
        start_line.wait()
        while time.monotonic() < deadline:
            person = rng.choice(client.people)
            request = draw(rng, person)
            elapsed, status, cache, spent = client.one(person, request)
            after(person, request, status)
            mine.append((request.label, elapsed, status, status in request.expect, cache, worker_time(spent)))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=loop, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    start_line.wait()
    t0 = time.monotonic()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - t0


def percentile(values, q):
    values = sorted(values)
    if not values:
        return 0.0
    k = (len(values) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def worker_time(header):
    """(wall ms, CPU ms) from X-Bench-Time, or (None, None)."""
    parts = dict(part.partition("=")[::2] for part in header.split(",") if "=" in part)
    try:
        return float(parts["wall"]), float(parts["cpu"])
    except (KeyError, ValueError):
        return None, None


def cache_counts(headers):
    """{"template": [hits, lookups], "shared": […]} summed over X-Bench-Cache headers."""
    total = {}
    for header in headers:
        for part in filter(None, header.split(",")):
            if "=" not in part:
                continue
            kind, _, counts = part.partition("=")
            hits, _, lookups = counts.partition("/")
            seen = total.setdefault(kind, [0, 0])
            seen[0] += int(hits)
            seen[1] += int(lookups)
    return total


def on_a_miss(results):
    """Per label, the requests that found none of their fragments in the cache (and looked for some):
    what the page costs on a miss, in the worker."""
    out = {}
    for label in sorted({r[0] for r in results}):
        rows = [r for r in results if r[0] == label and r[5][0] is not None]
        missed = [r for r in rows if (c := cache_counts([r[4]])) and sum(v[1] for v in c.values())
                  and not sum(v[0] for v in c.values())]
        if missed:
            out[label] = {"requests": len(missed), "worker_p50": percentile([r[5][0] for r in missed], 50),
                          "cpu_mean": statistics.fmean(r[5][1] for r in missed)}
    return out


def summarise(results, seconds, clients):
    """Per label and overall: requests, rps, p50/p95/mean ms, errors, cache counts."""

    def stats(rows):
        ms = [r[1] * 1000 for r in rows]
        wall = [r[5][0] for r in rows if r[5][0] is not None]
        cpu = [r[5][1] for r in rows if r[5][1] is not None]
        return {
            "requests": len(rows), "rps": len(rows) / seconds, "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "worker_p50": percentile(wall, 50), "worker_p95": percentile(wall, 95),
            "cpu_mean": statistics.fmean(cpu) if cpu else 0.0,
            "errors": sum(1 for r in rows if not r[3]),
            "statuses": {str(s): sum(1 for r in rows if r[2] == s) for s in sorted({r[2] for r in rows})},
            "cache": cache_counts(r[4] for r in rows),
        }

    labels = sorted({r[0] for r in results})
    return {"overall": stats(results), "pages": {label: stats([r for r in results if r[0] == label]) for label in labels},
            "seconds": seconds}


# -- the run -----------------------------------------------------------------------------------------


class Server:
    def __init__(self, stories, port, workers):
        self.stories, self.port, self.workers = stories, port, workers
        self.db_url = f"{onebench.DB_BASE}/{onebench.DB_NAMES[stories]}"
        self.env = onebench.server_env(self.db_url, port)
        self.env["CACHE_URL"] = f"{onebench.REDIS_BASE}/{MIX_CACHE_DBS[stories]}"
        self.proc = self.beat = None

    def flush(self):
        import redis

        redis.Redis.from_url(self.env["CACHE_URL"]).flushdb()

    def start(self):
        with socket.socket() as probe:  # someone else's server on the port would answer the health check
            if probe.connect_ex((HOST, self.port)) == 0:
                raise SystemExit(f"port {self.port} is taken: --port another")
        self.proc = onebench.start_gunicorn(self.db_url, self.port, self.workers, app="bench.wsgi", env=self.env)
        if self.beat is None:
            self.beat = onebench.start_beat(self.db_url, self.port, env=self.env)

    def restart_empty(self):
        """Every worker's memory and the Redis cache empty, as after a deploy with a flushed cache."""
        if self.proc is not None:
            onebench.stop(self.proc)
        self.flush()
        self.start()

    def stop(self):
        for proc in (self.proc, self.beat):
            if proc is not None:
                onebench.stop(proc)


def mix_draw(data):
    return lambda rng, person: choose(rng, data, person)


def floor_draw(rng, person):
    return Request("floor", "GET", "/bench/floor/")


def peer_list_draw(rng, person):
    return Request("peer: ListView (feed)", "GET", f"/bench/peer/stories/?page={rng.randint(1, 3)}")


def peer_detail_draw(data):
    def draw(rng, person):
        pk, _ = pick_story(rng, data)
        return Request("peer: DetailView (story)", "GET", f"/bench/peer/stories/{pk}/")

    return draw


# Each peer runs alone, in slices of its own, so that its throughput is its own and not the other's: a mix
# of nothing but plain DetailViews is the ceiling a page of that weight can reach against the floor.
PEERS = (("peer_list", "peer: ListView (feed)"), ("peer_detail", "peer: DetailView (story)"))


def run(args):
    server = Server(args.stories, args.port, args.workers)
    people, data = setup(server.env, args.people, args.seed)
    repeats = []
    try:
        server.restart_empty()
        groups = [people[i :: args.clients] for i in range(args.clients)]
        clients = [Client(args.port, group) for group in groups]
        for client in clients:
            for person in client.people:
                client.prepare(person)
        n = args.clients
        for repeat in range(args.repeats):
            seed = args.seed + repeat
            server.restart_empty()
            print(f"repeat {repeat + 1}: cold mix {args.cold}s", flush=True)
            cold_rows, cold_seconds = run_phase(clients, mix_draw(data), args.cold, seed * 10 + 1)
            cold = summarise(cold_rows, cold_seconds, n)
            print(f"  warm-up {args.warmup}s", flush=True)
            run_phase(clients, mix_draw(data), args.warmup, seed * 10 + 2)
            # The floor, each peer and the warm mix in turn, in `--slices` short slices each, so that
            # all of them sample the same moments of a machine whose load moves by the second.
            print(f"  floor, ListView alone, DetailView alone, warm mix: {args.slices} × ({args.floor / args.slices:.0f} s, "
                  f"{args.floor / args.slices / 2:.0f} s, {args.floor / args.slices / 2:.0f} s, "
                  f"{args.duration / args.slices:.0f} s)", flush=True)
            schedule = (("floor", floor_draw, args.floor), ("peer_list", peer_list_draw, args.floor / 2),
                        ("peer_detail", peer_detail_draw(data), args.floor / 2), ("warm", mix_draw(data), args.duration))
            phases = {phase: ([], 0.0) for phase, _, _ in schedule}
            for part in range(args.slices):
                for offset, (phase, draw, seconds) in enumerate(schedule):
                    rows, spent = run_phase(clients, draw, seconds / args.slices, seed * 100 + part * 10 + offset)
                    phases[phase] = (phases[phase][0] + rows, phases[phase][1] + spent)
            summaries = {phase: summarise(*phases[phase], n) for phase in phases}
            warm_rows = phases["warm"][0]
            misses = on_a_miss(cold_rows + warm_rows)
            repeats.append({**summaries, "cold": cold, "misses": misses})
            floor, warm = summaries["floor"], summaries["warm"]
            print(f"  floor {floor['overall']['rps']:.1f} rps, warm mix {warm['overall']['rps']:.1f} rps "
                  f"(×{warm['overall']['rps'] / floor['overall']['rps']:.2f}), cold {cold['overall']['rps']:.1f} rps, "
                  f"errors {warm['overall']['errors']} / {cold['overall']['errors']}", flush=True)
        rss = onebench.worker_rss_mb(server.proc)
    finally:
        server.stop()
    return {"repeats": repeats, "rss_mb": rss, "people": len(people), "clients": args.clients,
            "writers": sum(p.may_write for p in people)}


# -- the report --------------------------------------------------------------------------------------


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def hit_rate(cache, kind):
    hits, lookups = cache.get(kind, (0, 0))
    return f"{100 * hits / lookups:.0f}% of {lookups}" if lookups else "-"


def ratios(result, phase, label):
    """Median over the repeats of each figure and of its ratio to that repeat's floor."""
    rows = []
    for r in result["repeats"]:
        page = r[phase]["overall"] if label is None else r[phase]["pages"].get(label)
        if page is None or not page["requests"]:
            continue
        floor = r["floor"]["overall"]
        rows.append({
            "requests": page["requests"], "rps": page["rps"], "p50": page["p50"], "p95": page["p95"],
            "worker_p50": page["worker_p50"], "cpu_mean": page["cpu_mean"], "errors": page["errors"],
            "x_rps": page["rps"] / floor["rps"], "x_p50": page["p50"] / floor["p50"], "x_p95": page["p95"] / floor["p95"],
            "x_worker_p50": page["worker_p50"] / floor["worker_p50"] if floor["worker_p50"] else 0.0,
            "x_cpu": page["cpu_mean"] / floor["cpu_mean"] if floor["cpu_mean"] else 0.0, "cache": page["cache"],
        })
    if not rows:
        return None
    out = {k: med([row[k] for row in rows]) for k in rows[0] if k != "cache"}
    out["errors"] = sum(row["errors"] for row in rows)
    out["requests"] = sum(row["requests"] for row in rows)
    cache = {}
    for row in rows:
        for kind, (hits, lookups) in row["cache"].items():
            seen = cache.setdefault(kind, [0, 0])
            seen[0] += hits
            seen[1] += lookups
    out["cache"] = cache
    return out


def row(label, p, rps=None):
    rps = f"{p['rps']:.1f} | ×{p['x_rps']:.2f}" if rps else f"{p['rps']:.1f} | "
    return (f"| {label} | {p['requests']} | {rps} | {p['p50']:.1f} | {p['x_p50']:.2f} | {p['p95']:.1f} | "
            f"{p['x_p95']:.2f} | {p['worker_p50']:.1f} | {p['x_worker_p50']:.2f} | {p['cpu_mean']:.1f} | {p['x_cpu']:.2f} | "
            f"{p['errors']} | {hit_rate(p['cache'], 'template')} | {hit_rate(p['cache'], 'shared')} |")


HEADER = [
    "| page | requests | rps | ×floor | p50 ms | ×floor | p95 ms | ×floor | worker ms p50 | ×floor | worker CPU ms | ×floor "
    "| errors | template fragments hit | shared fragments hit |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def mix_table(result, phase):
    labels = sorted({label for r in result["repeats"] for label in r[phase]["pages"]},
                    key=lambda label: (is_write(label), -WEIGHTS.get(label, 0), label))
    lines = [*HEADER, row("**all (mix)**", ratios(result, phase, None), rps=True)]
    lines += [row(label, ratios(result, phase, label)) for label in labels]
    return "\n".join(lines)


def peer_table(result):
    lines = [*HEADER, row("floor (/bench/floor/)", ratios(result, "floor", None), rps=True)]
    for phase, label in PEERS:
        p = ratios(result, phase, label)
        if p:
            lines.append(row(f"{label}, alone", p, rps=True))
    return "\n".join(lines)


def versus_peers(result):
    """The feed, search and story page against their plain peers, in the worker's time per request (which
    the queue in front of the workers does not blur): on a miss (requests of the cold and the warm mix
    that found none of their fragments), and over all requests of the cold and of the warm mix."""
    out = []
    for page, peer in (("feed", "peer: ListView (feed)"), ("feed, filtered", "peer: ListView (feed)"),
                       ("search", "peer: ListView (feed)"), ("story", "peer: DetailView (story)")):
        plain = ratios(result, {label: phase for phase, label in PEERS}[peer], peer)
        if not plain or not plain["worker_p50"] or not plain["cpu_mean"]:
            continue
        missed = [r["misses"][page] for r in result["repeats"] if page in r.get("misses", {})]
        figures = []
        if missed:
            wall, cpu = med([m["worker_p50"] for m in missed]), med([m["cpu_mean"] for m in missed])
            figures.append(f"on a miss ({sum(m['requests'] for m in missed)} requests) {wall:.1f} ms, CPU {cpu:.1f} ms "
                           f"(×{wall / plain['worker_p50']:.2f}, ×{cpu / plain['cpu_mean']:.2f})")
        for phase in ("cold", "warm"):
            mine = ratios(result, phase, page)
            if mine:
                figures.append(f"{phase} mix {mine['worker_p50']:.1f} ms, CPU {mine['cpu_mean']:.1f} ms "
                               f"(×{mine['worker_p50'] / plain['worker_p50']:.2f}, ×{mine['cpu_mean'] / plain['cpu_mean']:.2f})")
        out.append(f"**{page}** against the {peer} ({plain['worker_p50']:.1f} ms, CPU {plain['cpu_mean']:.1f} ms): "
                   + "; ".join(figures))
    return out


def report(result, info, args, one_url):
    lines = [f"# Lifeline realistic mix, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
             f"{args.stories:,} stories" + (f" ({args.tag})" if args.tag else ""), ""]
    lines.append(
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM; commit {info['commit']}; Python "
        f"{info['python']}. gunicorn {args.workers} sync workers, DEBUG off, cache in Redis, the beat task beside "
        f"it (bench/run.py). {result['people']} signed-in people ({result['writers']} may write stories), "
        f"{args.clients} closed-loop clients in one Python process on the same machine, keep-alive where gunicorn "
        f"allows it, asking for gzip/br. {args.repeats} repeats; each: gunicorn restarted and its Redis database "
        f"emptied, the cold mix {args.cold} s, {args.warmup} s untimed, then {args.slices} times in turn the floor "
        f"{args.floor / args.slices:.0f} s, each plain peer alone {args.floor / args.slices / 2:.0f} s and the warm mix "
        f"{args.duration / args.slices:.0f} s. Every figure is the median of the repeats (counts are "
        f"totals); ratios are to the floor of the same repeat."
    )
    if args.note:
        lines += ["", args.note]
    lines += ["", "## Warm mix", "", mix_table(result, "warm"), "",
              "## Right after the cache is emptied (workers restarted, Redis flushed)", "", mix_table(result, "cold"), "",
              "## The floor and the plain peers (same clients, same repeat)", "", peer_table(result), "",
              "Worker time per request (p50 wall, mean CPU) and its ratio to the peer's:", ""]
    lines += [f"- {line}" for line in versus_peers(result)]
    lines += [
        "",
        "How to read it: the **all** row's rps is the mix's throughput, its ratio to the floor's throughput "
        "with the same clients; a page's rps is its share of it. p50/p95 are as the clients saw them: in a "
        "closed loop they are mostly the queue in front of the 3 workers, so in a mix every page's latency "
        "follows the mix's. What a page itself costs is the worker's time (X-Bench-Time from bench/wsgi.py: "
        "from the worker taking the request to the response's headers, wall p50 and mean CPU), as a ratio to "
        "the floor's worker time. Errors: any status other than the expected one (200 for pages, 200 for "
        "htmx writes, 302 for a new story) or a socket error. Fragment hit rates are hits / lookups summed over "
        "the repeats, from the X-Bench-Cache header of bench/wsgi.py: 'template' counts Django's template "
        "fragment cache ({% cache %}/{% fragment %}, the per-worker template_fragments cache), 'shared' "
        "portal.lib.fragments' cached/cached_many (hit = nothing rendered).",
        f"Workers' RSS at the end: {result['rss_mb']} MB.",
    ]
    if one_url:
        lines += ["", "## One URL at a time (bench/run.py, wrk)", "", one_url]
    return "\n".join(lines) + "\n"


def one_url_table(args):
    """bench/run.py at this size (no storm); its table and notes, without its title."""
    subprocess.run([onebench.PY, "bench/run.py", "--sizes", str(args.stories), "--no-storm", "--port", str(args.port + 10),
                    "--tag", args.tag], cwd=ROOT, check=True)
    path = (ROOT / "bench" / "results"
            / (f"{datetime.date.today():%Y-%m-%d}-{args.stories}" + (f"-{args.tag}" if args.tag else "") + ".md"))
    return path.read_text().split("\n", 2)[2].strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=100000, choices=sorted(onebench.DB_NAMES))
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--duration", type=float, default=30, help="seconds of warm mix per repeat")
    parser.add_argument("--cold", type=float, default=15, help="seconds of mix right after the cache is emptied")
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument("--floor", type=float, default=12, help="seconds of the floor, and of the peers, per repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slices", type=int, default=3, help="the floor, peers and warm mix alternate in this many slices")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one-url", action="store_true", help="then bench/run.py at this size: the second table")
    parser.add_argument("--one-url-from", type=Path, help="put this bench/run.py report second instead of running it")
    parser.add_argument("--tag", default="", help="added to the file name, e.g. 'before'")
    parser.add_argument("--note", default="", help="a sentence for the report (e.g. that the machine was shared)")
    args = parser.parse_args()
    if args.people < args.clients:
        raise SystemExit("--people must be at least --clients")
    env = onebench.server_env(f"{onebench.DB_BASE}/{onebench.DB_NAMES[args.stories]}", args.port)
    subprocess.run([onebench.PY, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    # data generated before the latest migrations: bring its schema up to date
    subprocess.run([onebench.PY, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    if args.one_url and not shutil.which("wrk"):
        raise SystemExit("--one-url needs wrk: apt-get install wrk")
    info = onebench.machine()
    result = run(args)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    name = f"{datetime.date.today():%Y-%m-%d}-mix-{args.stories}" + (f"-{args.tag}" if args.tag else "")
    (results_dir / f"{name}.json").write_text(json.dumps({"machine": info, "args": vars(args), "result": result},
                                                         indent=1, default=str))
    (results_dir / f"{name}.md").write_text(report(result, info, args, ""))  # kept if the one-URL run fails
    if args.one_url_from:
        one_url = args.one_url_from.read_text().split("\n", 2)[2].strip() + f"\n\n(From `{args.one_url_from}`.)"
    else:
        one_url = one_url_table(args) if args.one_url else ""
    text = report(result, info, args, one_url)
    (results_dir / f"{name}.md").write_text(text)
    print("\n" + text + f"\nwritten bench/results/{name}.md")


if __name__ == "__main__":
    main()
