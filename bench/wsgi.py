"""The portal's WSGI application for bench runs, telling the load generator how the fragment caches did.

    gunicorn bench.wsgi   (bench/mix.py starts it so; production runs portal.wsgi, which this leaves alone)

Every response carries `X-Bench-Time: wall=<ms>,cpu=<ms>` (the request's time in the worker, from the
moment the worker took it to the response's headers: the page rendered, without the time it waited for
a free worker) and `X-Bench-Cache: <kind>=<hits>/<lookups>,…` for what that request asked of:

- `template`: Django's template fragment cache ({% cache %} and {% fragment %}, whose keys start with
  "template.cache."), in whichever backend holds it (the per-worker `template_fragments` LocMemCache).
  (The runs before the redesign also counted the old shared fragments as `shared`.)

Counting wraps the methods once at start-up, in this module only: nothing in the portal's code paths
knows about it. Sync workers serve one request at a time, so a per-process counter is the request's.
"""

import functools
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application_inner = get_wsgi_application()  # django.setup(): apps and settings are loaded from here on

COUNTS = {}
TEMPLATE_PREFIX = "template.cache."


def _count(kind, hits, lookups):
    seen = COUNTS.setdefault(kind, [0, 0])
    seen[0] += hits
    seen[1] += lookups


def _wrap_backend_get(cls):
    original_get = cls.get

    @functools.wraps(original_get)
    def get(self, key, *args, **kwargs):
        value = original_get(self, key, *args, **kwargs)
        default = args[0] if args else kwargs.get("default")
        if isinstance(key, str) and key.startswith(TEMPLATE_PREFIX):
            _count("template", int(value is not default), 1)
        return value

    cls.get = get


def _install():
    from django.core.cache.backends.locmem import LocMemCache

    _wrap_backend_get(LocMemCache)
    try:
        from django_redis.cache import RedisCache
    except ImportError:
        pass
    else:
        _wrap_backend_get(RedisCache)


_install()


def application(environ, start_response):
    COUNTS.clear()
    wall, cpu = time.perf_counter(), time.process_time()

    def counting_start_response(status, headers, exc_info=None):
        # Django has rendered (and compressed) the whole response by now: this is the request's cost
        # in the worker, without the time it waited for a free worker.
        spent = f"wall={(time.perf_counter() - wall) * 1000:.2f},cpu={(time.process_time() - cpu) * 1000:.2f}"
        summary = ",".join(f"{kind}={hits}/{lookups}" for kind, (hits, lookups) in sorted(COUNTS.items()))
        return start_response(
            status, [*headers, ("X-Bench-Cache", summary or "none"), ("X-Bench-Time", spent)], exc_info
        )

    return application_inner(environ, counting_start_response)
