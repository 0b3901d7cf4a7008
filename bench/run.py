"""Load-test the portal under gunicorn against the databases bench/generate.py filled.

    .venv/bin/python bench/run.py                 # what `make bench` runs: 1,000 then 100,000 stories
    .venv/bin/python bench/run.py --sizes 100000  # one size only

collectstatic, then for each size a gunicorn (DEBUG off, production-like settings) on 127.0.0.1
(port, port + 1, …), all running at once; sign in through the real login form; run wrk at each main
page and at the floor view (portal/floor.py), each page at every size in turn; count queries per
request with the Django test client in a separate process, run the sign-up storm (at the largest
size), read the workers' RSS and the feed's first-load transfer size. Prints one table and writes it to bench/results/<date>-<stories>.md.
"""

import argparse
import concurrent.futures
import datetime
import gzip
import http.client
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
DB_BASE = os.environ.get("BENCH_DB_BASE", "postgres://postgres@127.0.0.1:5432")
DB_NAMES = {1000: "lifeline_bench_small", 100000: "lifeline_bench"}
BENCH_PASSWORD = "bench-password-0"
WRK_ARGS = ["-t2", "-c8", "-d10s", "--timeout", "10s"]

# (label, path, who). The floor first: every other row is a ratio to it.
PAGES = [
    ("floor", "/bench/floor/", "leader"),
    ("home", "/", "leader"),
    ("story feed", "/stories/", "leader"),
    ("feed, filtered", "/stories/?team=team-07&theme=theme-3", "leader"),
    ("search", "/stories/?q=warehouse+night", "leader"),
    ("story, 50 comments", "/stories/1/story-1/", "leader"),
    ("busy customer", "/customers/busy-harbour-logistics/", "leader"),
    ("decision log", "/decisions/", "leader"),
    ("decision, 60 reviews", "/decisions/1/", "leader"),
    ("meetings", "/meetings/", "leader"),
    ("customer timeline", "/loops/customers/busy-harbour-logistics/timeline/", "leader"),
    ("complaint patterns", "/improvements/", "leader"),
    ("improvement ideas", "/improvements/ideas/", "leader"),
    ("scorecard", "/insights/", "admin"),
]
USERS = {"leader": "bench@example.com", "admin": "bench-admin@example.com"}
WRK_LUA = r"""
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('WRKJSON {"rps": %.2f, "p50": %.3f, "p95": %.3f, "requests": %d, "errors": %d, "non2xx": %d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests, errors, summary.errors.status))
end
"""


def server_env(db_url, port):
    env = dict(os.environ)
    env.update(
        DEBUG="0", SECRET_KEY="bench-not-secret-" + "x" * 40, ALLOWED_HOSTS=f"{HOST},testserver",
        DATABASE_URL=db_url, EMAIL_URL="consolemail://", SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING", SITE_URL=f"http://{HOST}:{port}", DJANGO_SETTINGS_MODULE="portal.settings",
    )
    # Tasks in-process (no Celery worker in the bench), the cache in Redis as in production: one Redis
    # database per bench database, emptied when the bench starts (see `flush_caches`).
    env.pop("REDIS_URL", None)
    env["CACHE_URL"] = cache_url(db_url)
    return env


REDIS_BASE = os.environ.get("BENCH_REDIS_BASE", "redis://127.0.0.1:6379")
CACHE_DBS = {"lifeline_bench_small": 13, "lifeline_bench": 14}
COUNTS_CACHE_DB = 11  # query_counts' own, emptied before each page


def cache_url(db_url):
    return f"{REDIS_BASE}/{CACHE_DBS.get(db_url.rsplit('/', 1)[-1], 12)}"


def flush_caches():
    import redis

    for number in sorted({*CACHE_DBS.values(), COUNTS_CACHE_DB}):
        redis.Redis.from_url(f"{REDIS_BASE}/{number}").flushdb()


# HTTP with hand-kept cookies (the cookies are Secure when DEBUG is off; we are on plain loopback).


class Session:
    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response, data

    def csrf_from(self, html):
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html) or re.search(
            rb'"X-CSRFToken": "([^"]+)"', html
        )
        return match.group(1).decode() if match else self.cookies.get("csrftoken", "")

    def sign_in(self, email):
        _, html = self.request("GET", "/accounts/login/")
        token = self.csrf_from(html)
        response, _ = self.request(
            "POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "username": email, "password": BENCH_PASSWORD}
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Sign-in as {email} failed: HTTP {response.status}")
        return self


# The pieces.


def start_gunicorn(db_url, port, workers, app="portal.wsgi", env=None):
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), app, "-b", f"{HOST}:{port}", "-w", str(workers),
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env=env or server_env(db_url, port), stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "bench-gunicorn.log", "a"),
        start_new_session=True,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not come up; see var/bench-gunicorn.log")


# What Celery beat and a worker do beside the portal in production (docker-compose), for the tasks that
# keep pages' shared figures fresh: each runs on its beat schedule, in a process of its own.
BEAT_ENTRIES = ["insights-scorecard"]
BEAT_CODE = r"""
import sys, time, django
django.setup()
from django.conf import settings
from portal.celery import app
app.loader.import_default_modules()
entries = [settings.CELERY_BEAT_SCHEDULE[name] for name in sys.argv[1:]]
due = {i: 0.0 for i in range(len(entries))}
while True:
    for i, entry in enumerate(entries):
        if time.monotonic() >= due[i]:
            app.tasks[entry["task"]]()
            due[i] = time.monotonic() + float(entry["schedule"])
    time.sleep(1)
"""


def start_beat(db_url, port, env=None):
    return subprocess.Popen(
        [PY, "-c", BEAT_CODE, *BEAT_ENTRIES], cwd=ROOT, env=env or server_env(db_url, port), stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "bench-gunicorn.log", "a"), start_new_session=True,
    )


def stop(proc):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def worker_rss_mb(proc):
    out = subprocess.run(["ps", "-o", "pid=,rss=", "--ppid", str(proc.pid)], capture_output=True, text=True).stdout
    return [round(int(rss) / 1024, 1) for _, rss in (line.split() for line in out.strip().splitlines())]


def wrk(port, path, cookie, lua):
    cmd = ["wrk", *WRK_ARGS, "-s", lua, "-H", f"Cookie: {cookie}", "-H", "Accept-Encoding: gzip, br",
           f"http://{HOST}:{port}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    match = re.search(r"WRKJSON (\{.*\})", out)
    if not match:
        raise SystemExit(f"wrk gave no result for {path}:\n{out}")
    return json.loads(match.group(1))


def query_counts(db_url, port):
    """Queries per request for each page, from the test client in a separate process with a cache of
    its own: the first load after the cache is emptied (it renders every shared fragment; its time in
    ms too), in a process that has served the page once before (as a running worker has: templates
    compiled, modules imported), and the next one (what the load above measured)."""
    code = r"""
import json, sys, time, django
django.setup()
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from portal.models import User
pages, users = json.loads(sys.argv[1]), json.loads(sys.argv[2])
clients = {}
for who, email in users.items():
    clients[who] = Client()
    clients[who].force_login(User.objects.get(email=email))
clients["leader"].get("/bench/floor/")  # one-off warm-ups (content types, templates) out of the way
result = {}
for label, path, who in pages:
    clients[who].get(path)  # this process has served the page before: its templates are compiled
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        start = time.perf_counter()
        clients[who].get(path)
        first_ms = (time.perf_counter() - start) * 1000
    with CaptureQueriesContext(connection) as again:
        response = clients[who].get(path)
    result[label] = {"queries": len(again), "queries_first": len(first), "first_ms": first_ms, "status": response.status_code}
cache.clear()
print("QJSON " + json.dumps(result))
"""
    env = server_env(db_url, port)
    env["CACHE_URL"] = f"{REDIS_BASE}/{COUNTS_CACHE_DB}"
    out = subprocess.run(
        [PY, "-c", code, json.dumps(PAGES), json.dumps(USERS)], cwd=ROOT, env=env, capture_output=True, text=True,
    )
    match = re.search(r"QJSON (.*)", out.stdout)
    if not match:
        raise SystemExit(f"query count step failed:\n{out.stderr[-3000:]}")
    return json.loads(match.group(1))


def storm_sessions(db_url, port, meeting_id):
    """Sessions for the 200 storm people (force_login writes real session rows; signing 200 people in
    through the form would only benchmark the password hasher), and the storm meeting reset."""
    code = r"""
import json, sys, django
django.setup()
from django.test import Client
from meetings.models import Meeting, Seat
from portal.models import User
meeting = Meeting.objects.get(pk=int(sys.argv[1]))
Seat.objects.filter(meeting=meeting).delete()
cookies = []
for user in User.objects.filter(email__startswith="storm-").order_by("email"):
    client = Client()
    client.force_login(user)
    cookies.append(client.cookies["sessionid"].value)
print("SJSON " + json.dumps({"cookies": cookies, "seats": meeting.seats}))
"""
    out = subprocess.run([PY, "-c", code, str(meeting_id)], cwd=ROOT, env=server_env(db_url, port),
                         capture_output=True, text=True)
    match = re.search(r"SJSON (.*)", out.stdout)
    if not match:
        raise SystemExit(f"storm setup failed:\n{out.stderr[-3000:]}")
    return json.loads(match.group(1))


def storm_check(db_url, port, meeting_id):
    code = r"""
import json, sys, django
django.setup()
from meetings.models import Seat
seats = list(Seat.objects.filter(meeting_id=int(sys.argv[1])).order_by("created_at", "id").values("id", "status", "created_at"))
print("CJSON " + json.dumps([{"id": s["id"], "status": s["status"]} for s in seats]))
"""
    out = subprocess.run([PY, "-c", code, str(meeting_id)], cwd=ROOT, env=server_env(db_url, port),
                         capture_output=True, text=True)
    return json.loads(re.search(r"CJSON (.*)", out.stdout).group(1))


def storm(db_url, port, meeting_id):
    setup = storm_sessions(db_url, port, meeting_id)
    sessions = []
    for cookie in setup["cookies"]:
        s = Session(port)
        s.cookies["sessionid"] = cookie
        sessions.append(s)
    # Each person opens the meeting page (CSRF cookie and token), then all 200 post at once.
    tokens = []
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        pages = list(pool.map(lambda s: s.request("GET", f"/meetings/{meeting_id}/"), sessions))
    for s, (response, html) in zip(sessions, pages):
        if response.status != 200:
            raise SystemExit(f"storm: meeting page HTTP {response.status}")
        tokens.append(s.csrf_from(html))
    barrier = threading.Barrier(len(sessions))

    def post(args):
        s, token = args
        barrier.wait()
        started = time.monotonic()
        response, _ = s.request(
            "POST", f"/meetings/{meeting_id}/signup/", {"csrfmiddlewaretoken": token},
            headers={"Referer": f"http://{HOST}:{port}/meetings/{meeting_id}/"},
        )
        return response.status, time.monotonic() - started

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(len(sessions)) as pool:
        results = list(pool.map(post, zip(sessions, tokens)))
    wall = time.monotonic() - t0
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    seats = storm_check(db_url, port, meeting_id)
    confirmed = [s for s in seats if s["status"] == "confirmed"]
    waitlisted = [s for s in seats if s["status"] == "waitlisted"]
    # Arrival order: seats ordered by created_at are the order they were committed in (ids follow
    # the lock queue); the confirmed ones must be exactly the first `seats` of them.
    first = {s["id"] for s in seats[: setup["seats"]]}
    in_order = first == {s["id"] for s in confirmed} and [s["id"] for s in seats] == sorted(s["id"] for s in seats)
    return {
        "requests": len(results), "statuses": statuses, "confirmed": len(confirmed), "waitlisted": len(waitlisted),
        "in_order": in_order, "wall_s": round(wall, 2), "max_s": round(max(t for _, t in results), 2),
        "five_xx": sum(n for status, n in statuses.items() if status >= 500), "seats": setup["seats"],
    }


def transfer_size(port, cookie_session):
    """The feed's first load as transferred: HTML plus its CSS and JS, asking for br/gzip."""
    response, html = cookie_session.request("GET", "/stories/", headers={"Accept-Encoding": "br, gzip"})
    html_encoding = response.getheader("Content-Encoding") or "identity"
    raw_html = gzip.decompress(html) if html_encoding == "gzip" else html
    items = [("/stories/ (HTML)", len(html), html_encoding, len(gzip.compress(raw_html, 6)))]
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', raw_html) + re.findall(
        rb'<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"', raw_html) + re.findall(rb'<script[^>]+src="([^"]+)"', raw_html)
    for href in dict.fromkeys(a.decode() for a in assets):
        response, body = cookie_session.request("GET", href, headers={"Accept-Encoding": "br, gzip"})
        items.append((href, len(body), response.getheader("Content-Encoding") or "identity", None))
    return items


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1]
        mem = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except OSError:
        mem = "?"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "memory": mem, "cpu": cpu, "commit": commit + ("+uncommitted" if dirty else ""),
            "python": platform.python_version()}


class Size:
    """One database size served by its own gunicorn on its own port, signed in and warmed up."""

    def __init__(self, stories, port, workers):
        self.stories, self.port = stories, port
        self.db_url = f"{DB_BASE}/{DB_NAMES[stories]}"
        self.proc = start_gunicorn(self.db_url, port, workers)
        self.beat = None
        self.result = {"stories": stories, "pages": {}}
        self.floors = []
        self.sessions = {who: Session(port).sign_in(email) for who, email in USERS.items()}
        self.available = set()
        for label, path, who in PAGES:
            response, _ = self.sessions[who].request("GET", path)  # warm up; skip pages that aren't there yet
            if response.status != 200:
                print(f"  {stories} stories, {label}: HTTP {response.status}, skipped", flush=True)
                continue
            self.available.add(label)
        self.beat = start_beat(self.db_url, port)  # after the warm-up, which asked for every page once

    def load(self, label, path, who, lua):
        cookie = "; ".join(f"{k}={v}" for k, v in self.sessions[who].cookies.items())
        r = {"path": path, **wrk(self.port, path, cookie, lua)}
        if label == "floor":  # every floor run is kept; each page is compared with the one just before it
            self.floors.append(r)
            self.result["pages"]["floor"] = mean_floor(self.floors)
        else:
            r["floor"] = self.floors[-1]
            self.result["pages"][label] = r
        print(f"  {label:22} {self.stories:>7} {r['rps']:8.1f} rps  p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms"
              f"  non-2xx {r['non2xx']}  errors {r['errors']}", flush=True)

    def finish(self, do_storm):
        try:
            self.result["rss_mb"] = worker_rss_mb(self.proc)
            self.result["transfer"] = transfer_size(self.port, self.sessions["leader"])
            if do_storm:
                storm_meeting = 5000 if self.stories == 100000 else max(int(5000 * self.stories / 100000), 20)
                self.result["storm"] = storm(self.db_url, self.port, storm_meeting)
                print(f"  storm: {self.result['storm']}", flush=True)
                self.result["rss_mb_after_storm"] = worker_rss_mb(self.proc)
        finally:
            stop(self.proc)
            if self.beat is not None:
                stop(self.beat)
        counts = query_counts(self.db_url, self.port)
        for label, page in self.result["pages"].items():
            page.update(counts.get(label, {}))
        return self.result


def run(sizes, port, workers, do_storm):
    """Every size is served at once and each page is loaded at every size in turn (floor at 1,000,
    floor at 100,000, home at 1,000, …): a machine that speeds up or slows down during the run moves
    both sizes alike, so the growth column compares like with like."""
    servers = []
    try:
        for offset, stories in enumerate(sizes):
            servers.append(Size(stories, port + offset, workers))
        lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        lua.write(WRK_LUA)
        lua.close()
        print(f"\n  {'page':22} {'stories':>7}", flush=True)
        floor = PAGES[0]
        for label, path, who in PAGES[1:]:
            for server in servers:  # the floor right before each page, so the machine's drift cancels out
                server.load(*floor, lua.name)
                if label in server.available:
                    server.load(label, path, who, lua.name)
        os.unlink(lua.name)
        return [server.finish(do_storm and server is servers[-1]) for server in servers]
    finally:
        for server in servers:
            stop(server.proc)
            if server.beat is not None:
                stop(server.beat)


def mean_floor(runs):
    keys = ("rps", "p50", "p95")
    return {**runs[-1], **{k: sum(r[k] for r in runs) / len(runs) for k in keys}, "runs": len(runs),
            "requests": sum(r["requests"] for r in runs), "non2xx": sum(r["non2xx"] for r in runs),
            "errors": sum(r["errors"] for r in runs)}


def ratio(a, b):
    return f"{a / b:.2f}" if b else "-"


def table(results):
    big = results[-1]
    small = results[0] if len(results) > 1 else None
    floor = big["pages"]["floor"]
    lines = [
        "| page | rps | ×floor | p50 ms | ×floor | p95 ms | ×floor | queries"
        + (f" ({small['stories']:,} / {big['stories']:,})" if small else "")
        + " |" + (f" p50 growth {big['stories']:,}/{small['stories']:,} |" if small else "")
        + " first load: queries, ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if small else "") + "---:|",
    ]
    for label, p in big["pages"].items():
        q = str(p.get("queries", "?"))
        growth = ""
        if small:
            sp = small["pages"].get(label)
            q = f"{sp.get('queries', '?') if sp else '-'} / {q}"
            growth = f" {ratio(p['p50'], sp['p50'] / 1 if sp else 0)} |" if sp else " - |"
        near = p.get("floor", floor)  # the floor run just before this page
        lines.append(
            f"| {label} | {p['rps']:.0f} | {ratio(p['rps'], near['rps'])} | {p['p50']:.1f} | {ratio(p['p50'], near['p50'])}"
            f" | {p['p95']:.1f} | {ratio(p['p95'], near['p95'])} | {q} |{growth}"
            f" {p.get('queries_first', '?')}, {p.get('first_ms', 0):.0f} |"
        )
    return "\n".join(lines)


def report(results, info, workers):
    big = results[-1]
    out = [f"# Lifeline bench, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {big['stories']:,} stories", ""]
    out.append(f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM; commit {info['commit']}; "
               f"Python {info['python']}. gunicorn {workers} sync workers, DEBUG off; wrk {' '.join(WRK_ARGS)} per page, "
               "wrk and PostgreSQL on the same machine; the beat tasks "
               f"({', '.join(BEAT_ENTRIES)}) on their schedule in a process of their own, as in production.")
    out += ["", table(results), ""]
    out.append("Ratios are to the floor (portal/floor.py: session, user, one indexed query, empty base.html) loaded "
               "just before each page at the same size, in the same run (the floor row is the mean of those loads). Queries per request from the Django test client against the same database, on a load whose "
               "shared fragments are in the cache (as under the load above); 'first load' is the same page with the "
               "cache emptied (every shared fragment rendered), in one process that has served it once before "
               "(templates compiled, as in a running worker), with its queries. "
               "Growth is p50 at the larger size over p50 at the smaller one.")
    for r in results:
        bad = {k: (v["non2xx"], v["errors"]) for k, v in r["pages"].items() if v["non2xx"] or v["errors"]}
        out.append("")
        out.append(f"**{r['stories']:,} stories**: worker RSS after the load {r['rss_mb']} MB"
                   + (f", after the storm {r.get('rss_mb_after_storm')} MB" if r.get("rss_mb_after_storm") else "")
                   + (f"; non-2xx/errors: {bad}" if bad else "; no non-2xx responses, no socket errors") + ".")
        total = sum(size for _, size, _, _ in r["transfer"])
        parts = ", ".join(f"{name} {size / 1024:.1f} kB ({enc})" for name, size, enc, _ in r["transfer"])
        gz = r["transfer"][0][3]
        out.append(f"Feed first load: {total / 1024:.1f} kB as transferred ({parts}); the HTML would be "
                   f"{gz / 1024:.1f} kB gzipped.")
        if "storm" in r:
            s = r["storm"]
            out.append(f"Sign-up storm: {s['requests']} concurrent sign-ups for a meeting with {s['seats']} seats: "
                       f"{s['confirmed']} confirmed, {s['waitlisted']} waitlisted, in arrival order: {s['in_order']}; "
                       f"HTTP statuses {s['statuses']}, {s['five_xx']} 5xx; all answered in {s['wall_s']} s "
                       f"(slowest {s['max_s']} s).")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers per size (3, as the Dockerfile)")
    parser.add_argument("--no-storm", action="store_true")
    parser.add_argument("--tag", default="", help="added to the file name, e.g. 'before' (bench/mix.py passes its own)")
    parser.add_argument("--page", action="append", help="only this page (repeatable; the floor is always run): "
                        "a quick look, written to bench/results/<date>-<stories>-partial.md")
    args = parser.parse_args()
    if args.page:
        PAGES[:] = [p for p in PAGES if p[0] == "floor" or p[0] in args.page]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    sizes = [int(s) for s in args.sizes.split(",")]
    env = server_env(f"{DB_BASE}/{DB_NAMES[sizes[-1]]}", args.port)
    subprocess.run([PY, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    for stories in sizes:  # data generated before the latest migrations: bring its schema up to date
        migrate = dict(env, DATABASE_URL=f"{DB_BASE}/{DB_NAMES[stories]}")
        subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=migrate, check=True)
    flush_caches()
    info = machine()
    results = run(sizes, args.port, args.workers, do_storm=not args.no_storm)
    text = report(results, info, args.workers)
    print("\n" + text)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    name = (f"{datetime.date.today():%Y-%m-%d}-{sizes[-1]}" + ("-partial" if args.page else "")
            + (f"-{args.tag}" if args.tag else ""))
    path = results_dir / f"{name}.md"
    path.write_text(text)
    (results_dir / f"{name}.json").write_text(json.dumps(
        {"machine": info, "results": results}, indent=1, default=str))
    print(f"written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
