"""Customer CSV import: how long the largest file allowed takes, as the Celery task runs it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lifeline DEBUG=1 .venv/bin/python bench/import_bench.py

Uses its own throwaway database next to DATABASE_URL's (PostgreSQL: lifeline_importbench; SQLite:
/tmp/lifeline_importbench.sqlite3), with 200 people as account owners and 2,000 customers already in
the directory. It writes a file of LIFELINE_IMPORT_MAX_ROWS rows (every column filled, Markdown in
how_we_help, names in five languages, 1,000 of the existing customers among them), then times
customers.services.customer_import_run() (what customer_import_task calls) three times:

  new       the file into the directory (19,000 new customers, 1,000 updated)
  changed   the same customers again with every name and description changed
  same      the same file once more (nothing to write)

Prints the wall time, the CPU time of this process and the time spent waiting on SQL (on a shared
machine, compare them and the load average). Then the pulse import (insights, in the request) of the same number of rows, new and then changed.
Target: each run under 20 s (the import used to take ~2 ms a row, 31 s for 19,999 rows).
"""

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from digest_bench import setup_django, use_bench_database  # noqa: E402

import digest_bench  # noqa: E402

digest_bench.BENCH_DB = "lifeline_importbench"

NAMES = ["Harbor Lights", "مؤسسة النور", "אור הים", "نور دریا", "Ánh Sáng Cảng", "Ken's Plumbing"]
HEADER = ("external_id,name,industry,region,account_owner_email,who_they_are,what_they_do,daily_challenges,"
          "how_we_help,customer_since,status")


def build_file(rows, owners, *, version):
    rng = random.Random(version)
    lines = [HEADER]
    for i in range(rows):
        name = f"{rng.choice(NAMES)} {i} v{version}"
        lines.append(",".join([
            f"CRM-{i:06d}", f'"{name}"', "Wholesale", "Europe", rng.choice(owners),
            f'"A family business, {version}"', '"Pipes, valves and fittings"', '"Cash flow in winter"',
            f'"They order *every week*; we ship in **two days** (v{version})."',
            f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            rng.choice(["active", "at risk", "former"]),
        ]))
    return ("\n".join(lines) + "\n").encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, help="rows in the file (default: LIFELINE_IMPORT_MAX_ROWS)")
    args = parser.parse_args()
    url = use_bench_database()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from customers.models import Customer, CustomerImport
    from customers.services import customer_import_run
    from portal.models import User

    from django.db import connection

    db_time = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - started

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    rows = args.rows or settings.LIFELINE_IMPORT_MAX_ROWS
    admin = User.objects.create_user(email="bench-admin@example.com", name="Bench Admin", is_staff=True)
    User.objects.bulk_create(User(email=f"owner-{i}@example.com", name=f"Owner {i}") for i in range(200))
    owners = [f"OWNER-{i}@example.com" for i in range(200)]
    Customer.objects.bulk_create(
        Customer(name=f"Existing {i}", slug=f"existing-{i}", external_id=f"CRM-{i * 10:06d}" if i < 1000 else None)
        for i in range(2000)
    )
    print(f"database: {url.split('@')[-1]}  rows: {rows:,}")
    for label, version in [("new", 1), ("changed", 2), ("same", 2)]:
        content = build_file(rows, owners, version=version)
        upload = CustomerImport.objects.create(file_name=f"{label}.csv", content=content, uploaded_by=admin)
        started, cpu, db_time[0] = time.perf_counter(), time.process_time(), 0.0
        with connection.execute_wrapper(timed):
            customer_import_run(upload_id=upload.pk)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        upload.refresh_from_db()
        assert upload.status == "done", upload.problems[:5]
        print(f"{label:8} {len(content) / 2**20:4.1f} MB  {seconds:6.2f} s  {seconds / rows * 1000:5.2f} ms/row  (Python {cpu:5.2f} s, waiting on SQL {db_time[0]:5.2f} s)  "
              f"created {upload.created:,}  updated {upload.updated:,}")
    print(f"customers now: {Customer.objects.count():,}")

    # The pulse import (insights), which runs in the request: 20 customers × 1,000 months.
    from insights.periods import add_months
    from insights.services import pulse_import

    slugs = list(Customer.objects.order_by("pk").values_list("slug", flat=True)[: 20])
    months = [add_months(datetime.date(2000, 1, 1), i) for i in range(rows // 20)]
    for label, version in [("pulse new", 1), ("pulse changed", 2)]:
        lines = [f"{month:%Y-%m},{slug},{version},2,0,{i % 5}" for month in months for i, slug in enumerate(slugs)]
        content = ("month,customer,products_returned,customers_credited,legal_threats,customers_saved\n"
                   + "\n".join(lines) + "\n").encode()
        started, cpu, db_time[0] = time.perf_counter(), time.process_time(), 0.0
        with connection.execute_wrapper(timed):
            result = pulse_import(by=admin, raw=content)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert result.ok, result.errors[:5]
        print(f"{label:14} {len(content) / 2**20:4.1f} MB  {seconds:6.2f} s  (Python {cpu:5.2f} s, waiting on SQL {db_time[0]:5.2f} s)  saved {result.saved:,}")


if __name__ == "__main__":
    main()
