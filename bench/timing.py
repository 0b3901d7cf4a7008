"""Service time of each bench page in one process, without HTTP or load: where a page's time goes.

    .venv/bin/python bench/timing.py          # lifeline_bench, or the database DATABASE_URL names
    ... bench/timing.py --page "story feed" --runs 20 --sql   # one page, with its slowest queries

Prints, per page, the median wall time of a request through the Django test client, the time spent
in SQL and the number of queries. The floor row is the baseline, as in bench/run.py.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from run import DB_BASE, DB_NAMES, PAGES, USERS, server_env  # noqa: E402

# The same production-like settings as the server in bench/run.py (DEBUG off).
os.environ.update(server_env(os.environ.get("DATABASE_URL") or f"{DB_BASE}/{DB_NAMES[100000]}", 8765))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", action="append", help="a label from bench/run.py PAGES (repeatable)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sql", action="store_true", help="print each page's five slowest queries")
    args = parser.parse_args()

    import subprocess

    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    clients = {}
    for who, email in USERS.items():
        clients[who] = Client()
        clients[who].force_login(User.objects.get(email=email))
    pages = [p for p in PAGES if not args.page or p[0] in args.page]
    print(f"{'page':24} {'median ms':>10} {'sql ms':>8} {'queries':>8} {'kB':>6}")
    for label, path, who in pages:
        client = clients[who]
        client.get(path)  # warm-up
        walls, sqls = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(path)
                walls.append((time.perf_counter() - start) * 1000)
            sqls.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        print(f"{label:24} {statistics.median(walls):10.1f} {statistics.median(sqls):8.1f} "
              f"{len(ctx.captured_queries):8d} {len(response.content) / 1024:6.0f}"
              + ("" if response.status_code == 200 else f"  status {response.status_code}"))
        if args.sql:
            for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:5]:
                print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")


if __name__ == "__main__":
    main()
