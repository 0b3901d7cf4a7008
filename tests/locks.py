"""Row locks held by another connection, for tests of what a page or a write does meanwhile (PostgreSQL)."""

import threading

from django.db import connections


class Holder:
    """Another connection holding a row (SELECT … FOR UPDATE) until `release()`: `Holder(story)`."""

    def __init__(self, obj):
        self.locked, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(obj._meta.db_table, obj.pk))
        self.thread.start()
        assert self.locked.wait(10)

    def _hold(self, table, pk):
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])
                self.locked.set()
                self.done.wait(30)
                cursor.execute("ROLLBACK")
        finally:
            other.close()

    def release(self):
        self.done.set()
        self.thread.join()
