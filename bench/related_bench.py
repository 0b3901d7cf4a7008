"""Stories like this (stories.related): how long the related stories take to compute, per page.

    make bench-related                                   # lifeline_bench (100,000 stories)
    DATABASE_URL=postgres://…/lifeline_bench_small .venv/bin/python bench/related_bench.py --stories 200

For `--stories` random published stories (seeded) and each reader (a leader, who reads every story;
a staff member of a team, who meets the visibility filter; an author of hosted stories), times
`selectors.related_stories()` — the one query the story page runs — and prints p50/p95/max in ms;
then the same for the customer page's `selectors.stories_like_customers()` over `--customers` random
customers. Target: p95 under 20 ms.

The bench database is only read. A story's text neighbours (Story.text_neighbour_ids) are found when
it is saved; the generator wrote its stories in SQL, so where a sampled story has none yet they are
found here (`related.neighbours()`, the save's query, timed as "neighbours (on save)") and set on the
story in memory only, as a save would have stored them.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifeline_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")  # the development defaults (no ALLOWED_HOSTS needed); nothing is served
os.environ.setdefault("SECRET_KEY", "bench-related-not-secret")


def percentiles(times):
    times = sorted(times)
    return {
        "n": len(times),
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)],
        "max": times[-1],
    }


def line(label, stats):
    return f"| {label} | {stats['n']} | {stats['p50']:.1f} | {stats['p95']:.1f} | {stats['max']:.1f} |"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from customers.models import Customer
    from portal.models import User
    from stories import related, selectors
    from stories.models import Story

    rng = random.Random(args.seed)
    readers = {
        "leader": User.objects.filter(role="leader", is_active=True).order_by("pk").first(),
        "staff": User.objects.filter(role="staff", is_active=True, team__isnull=False).order_by("pk").first(),
        "host": User.objects.filter(role="host", is_active=True).order_by("pk").first(),
    }
    readers = {who: user for who, user in readers.items() if user is not None}
    ids = list(Story.objects.filter(status=Story.Status.PUBLISHED).values_list("pk", flat=True))
    sample = rng.sample(ids, min(args.stories, len(ids)))
    print(f"{connection.settings_dict['NAME']}: {len(ids)} published stories; readers {', '.join(readers)}")

    # The story page loads its story with selectors.story_page_for_reader() (not timed: the page runs it
    # anyway); its themes and text neighbours are what "Stories like this" starts from.
    stories, found = [], []
    reader = next(iter(readers.values()))
    for pk in sample:
        story = selectors.story_page_for_reader(pk, reader=reader)
        if isinstance(story.text_neighbour_ids, str):
            story.text_neighbour_ids = json.loads(story.text_neighbour_ids)
        if story.text_neighbour_ids is None:
            start = time.perf_counter()
            story.text_neighbour_ids = related.neighbours(story)  # in memory only: the bench is read
            found.append((time.perf_counter() - start) * 1000)
        stories.append(story)

    rows = []
    for who, user in readers.items():
        selectors.related_stories(story=stories[0], user=user)  # warm-up
        times, shown = [], 0
        for story in stories:
            start = time.perf_counter()
            result = selectors.related_stories(story=story, user=user)
            times.append((time.perf_counter() - start) * 1000)
            shown += len(result)
        rows.append((f"story page, {who} ({shown / len(stories):.1f} shown)", percentiles(times)))

    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    chosen = [Customer.objects.get(pk=pk) for pk in rng.sample(customers, min(args.customers, len(customers)))]
    for who, user in readers.items():
        selectors.stories_like_customers(customer=chosen[0], user=user)
        times, shown = [], 0
        for customer in chosen:
            start = time.perf_counter()
            result = selectors.stories_like_customers(customer=customer, user=user)
            times.append((time.perf_counter() - start) * 1000)
            shown += len(result)
        rows.append((f"customer page, {who} ({shown / len(chosen):.1f} shown)", percentiles(times)))
    if found:
        rows.append(("neighbours (on save, once per write)", percentiles(found)))

    print("| what | n | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, stats in rows:
        print(line(label, stats))
    worst = max(stats["p95"] for label, stats in rows if not label.startswith("neighbours"))
    print(f"\nworst p95 of the page queries: {worst:.1f} ms ({'under' if worst < 20 else 'OVER'} the 20 ms target)")
    return 0 if worst < 20 else 1


if __name__ == "__main__":
    sys.exit(main())
