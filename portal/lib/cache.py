"""The cache is an optimisation: when its server is down, django-redis answers every call as a miss
(settings.DJANGO_REDIS_IGNORE_EXCEPTIONS) and logs the error to `portal.cache`. This filter keeps that
log to one line a minute per worker, saying how many errors there were, and keeps the count that
`/healthz/` and the logs report.

A logging filter of our own: django-redis logs every ignored error, and no logging library here
offers a time-based throttle.
"""

import logging
import threading
import time

INTERVAL = 60.0


class OncePerMinute(logging.Filter):
    errors = 0  # every cache error this worker has seen

    def __init__(self, name=""):
        super().__init__(name)
        self._lock = threading.Lock()
        self._last = None
        self._since = 0

    def filter(self, record):
        with self._lock:
            OncePerMinute.errors += 1
            self._since += 1
            now = time.monotonic()
            if self._last is not None and now - self._last < INTERVAL:
                return False
            record.msg = f"Cache unavailable, pages render without it ({self._since} errors): {record.msg}"
            self._last, self._since = now, 0
            return True
