"""Data migrations under test: the database taken back to some migrations, filled through the models as
they were there, then taken forward; whatever happens, it is left at the latest migrations again.

    with back_at([("stories", "0011_…")]) as db:
        Story = db.apps.get_model("stories", "Story")   # the model as it was
        …
        apps = db.forward([("stories", "0013_…")])      # migrated; the models as they are there
"""

import contextlib

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class _At:
    def __init__(self, targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        executor.loader.build_graph()
        self.apps = executor.loader.project_state(targets).apps

    def forward(self, targets=None):
        """Migrate to `targets` (the latest migrations when None); the apps as they are there."""
        executor = MigrationExecutor(connection)
        targets = targets or executor.loader.graph.leaf_nodes()
        executor.migrate(targets)
        self.apps = executor.loader.project_state(targets).apps
        return self.apps


@contextlib.contextmanager
def back_at(targets):
    """The database at `targets` (a list of (app, migration)); a test using it needs
    `@pytest.mark.django_db(transaction=True)`."""
    try:
        yield _At(targets)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
