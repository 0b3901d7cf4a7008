"""portal 0003 gives everyone already there a feed token of their own."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_each_existing_person_gets_their_own_token():
    executor = MigrationExecutor(connection)
    before, after = [("portal", "0002_pendingtask")], [("portal", "0003_user_feed_token")]
    executor.migrate(before)
    try:
        executor.loader.build_graph()
        User = executor.loader.project_state(before).apps.get_model("portal", "User")
        for n in range(3):
            User.objects.create(email=f"p{n}@example.com", name=f"P{n}", password="!")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        User = executor.loader.project_state(after).apps.get_model("portal", "User")
        tokens = list(User.objects.values_list("feed_token", flat=True))
        assert len(tokens) == 3 and len(set(tokens)) == 3 and all(len(token) >= 43 for token in tokens)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
