"""Story search as the feed runs it, per word: median of 3 through the Django test client, signed in as
the bench leader, no cache (bench/results/2026-12-07-search-statistics.md). Words: QS=a,b,c or a set of
common, rare and absent ones.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/lifeline_bench CACHE_URL=dummy:// \
      .venv/bin/python manage.py shell < bench/search_bench.py
"""

import os
import statistics
import time

from django.test import Client

from portal.models import User

WORDS = ["zebras", "refunded", "holidays", "العميل", "zebra", "customer", "warehouse", "delivery"]

client = Client()
client.force_login(User.objects.get(email="bench@example.com"))
for word in os.environ["QS"].split(",") if os.environ.get("QS") else WORDS:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        response = client.get("/stories/", {"q": word})
        times.append((time.perf_counter() - start) * 1000)
    print(f"{word:12} {response.status_code} {statistics.median(times):7.1f} ms")
