"""Where the realistic mix's worker CPU goes, in one process, without HTTP or load.

    .venv/bin/python bench/profile_mix.py                    # lifeline_bench (100,000 stories)
    .venv/bin/python bench/profile_mix.py --requests 3000 --top 40 --sort tottime

Replays the same draw as bench/mix.py (same people, same weights, same pages and writes) through the
Django test client with the production-like settings of bench/run.py (DEBUG off, the cache in Redis),
after a warm-up of the same length. Prints per page the median and mean CPU time per request, the
queries per request, beside the floor's, then the cProfile of the timed part. Use it to find what to
make cheaper; the figures of record stay those of `make bench-mix`.
"""

import argparse
import cProfile
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import mix  # noqa: E402
import run as onebench  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=100000, choices=sorted(onebench.DB_NAMES))
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--match", help="only functions whose file matches this regex, e.g. /work/main/(?!.venv)")
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument("--no-profile", action="store_true", help="CPU times only, without cProfile's overhead")
    parser.add_argument("--only", help="profile only this page's requests (the whole mix still runs)")
    parser.add_argument("--templates", action="store_true",
                        help="CPU per template and partial (exclusive: what an include or partial costs is its own)")
    parser.add_argument("--sql", action="store_true",
                        help="database wait per query shape (literals folded), the costliest first")
    args = parser.parse_args()

    db_url = f"{onebench.DB_BASE}/{onebench.DB_NAMES[args.stories]}"
    env = onebench.server_env(db_url, 8765)
    env["CACHE_URL"] = "redis://127.0.0.1:6379/9"
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    people, data = mix.setup(env, args.people, args.seed)
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    caches["default"].clear()
    client = Client()
    template_ms = _time_templates() if args.templates else None
    rng = random.Random(args.seed)

    def one(person, request):
        client.cookies["sessionid"] = person.cookie
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": request.htmx_target} if request.htmx_target else {}
        if request.method == "GET":
            response = client.get(request.path, **headers)
        else:
            response = client.post(request.path, request.data or {}, **headers)
        mix.after(person, request, response.status_code)
        if response.status_code not in request.expect:
            print("unexpected", response.status_code, request.label, request.path, file=sys.stderr)

    def draw(person):
        request = mix.choose(rng, data, person)
        while args.no_writes and mix.is_write(request.label):
            request = mix.choose(rng, data, person)
        return request

    floor = mix.Request("floor", "GET", "/bench/floor/")
    for _ in range(args.requests):  # warm-up: the same mix, untimed
        person = rng.choice(people)
        one(person, draw(person))

    cpu, queries, db = defaultdict(list), defaultdict(list), defaultdict(list)
    waited, shapes, label = [0.0], defaultdict(lambda: [0.0, 0]), [""]

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            waited[0] += spent
            if args.sql:
                shape = shapes[(label[0], _shape(sql))]
                shape[0] += spent * 1000
                shape[1] += 1

    if template_ms is not None:
        template_ms.clear()  # the warm-up's out
    profiler = cProfile.Profile()
    for i in range(args.requests):
        person = rng.choice(people)
        request = floor if i % 10 == 0 else draw(person)
        waited[0], label[0] = 0.0, request.label
        with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timed):
            start = time.process_time()
            if not args.no_profile and request.label != "floor" and args.only in (None, request.label):
                profiler.enable()
            one(person, request)
            profiler.disable()
            cpu[request.label].append((time.process_time() - start) * 1000)
        queries[request.label].append(len(ctx.captured_queries))
        db[request.label].append(waited[0] * 1000)

    floor_ms = statistics.median(cpu["floor"])
    mixed = [ms for label, values in cpu.items() if label != "floor" for ms in values]
    print(f"{'page':24} {'n':>5} {'cpu p50':>8} {'mean':>7} {'×floor':>7} {'queries':>8} {'db wait':>8}")
    rows = sorted(cpu.items(), key=lambda kv: -sum(kv[1]))
    for label, values in [("all (mix)", mixed), *rows]:
        qs, waits = (
            ([v for lab, vs in found.items() if lab != "floor" for v in vs] for found in (queries, db))
            if label == "all (mix)" else (queries[label], db[label])
        )
        print(f"{label:24} {len(values):5d} {statistics.median(values):8.2f} {statistics.mean(values):7.2f} "
              f"{statistics.mean(values) / floor_ms:7.2f} {statistics.mean(qs):8.1f} {statistics.mean(waits):8.2f}")
    if template_ms is not None:
        print(f"\n{'template or partial (exclusive CPU)':60} {'ms per mix request':>18} {'renders':>8}")
        n = len(mixed) + len(cpu["floor"])
        for name, (ms, calls) in sorted(template_ms.items(), key=lambda kv: -kv[1][0])[:args.top]:
            print(f"{name[:60]:60} {ms / n:18.2f} {calls:8d}")
    if args.sql:
        n = len(mixed) + len(cpu["floor"])
        print(f"\n{'page':20} {'ms per mix request':>18} {'ms each':>8} {'count':>6}  query")
        for (page, sql), (ms, calls) in sorted(shapes.items(), key=lambda kv: -kv[1][0])[:args.top]:
            print(f"{page[:20]:20} {ms / n:18.3f} {ms / calls:8.2f} {calls:6d}  {sql[:400]}")
    if args.no_profile:
        return
    print()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(*[r for r in (args.match,) if r], args.top)


def _shape(sql):
    """A query with its literals and placeholder lists folded, so that one shape adds up its runs."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:%s|\?)(?:, (?:%s|\?))*\)", "(…)", sql)


def _time_templates():
    """{template or partial name: [exclusive CPU ms, renders]}, filled from then on: Template.render and
    django-template-partials' TemplateProxy.render are wrapped; a nested render's time is its own."""
    from django.template import base
    from template_partials.templatetags.partials import TemplateProxy

    found, stack = defaultdict(lambda: [0.0, 0]), []

    def wrap(cls, label):
        original = cls.render

        def render(self, context):
            stack.append(0.0)
            start = time.process_time()
            try:
                return original(self, context)
            finally:
                spent = (time.process_time() - start) * 1000
                nested = stack.pop()
                entry = found[label(self)]
                entry[0] += spent - nested
                entry[1] += 1
                if stack:
                    stack[-1] += spent

        cls.render = render

    wrap(base.Template, lambda t: t.name or "?")
    wrap(TemplateProxy, lambda t: f"{t.origin.template_name}#{t.name}")
    return found


if __name__ == "__main__":
    main()
