"""portal 0003 gives everyone already there a feed token of their own."""

import pytest

from tests.migrations import back_at


@pytest.mark.django_db(transaction=True)
def test_each_existing_person_gets_their_own_token():
    with back_at([("portal", "0002_pendingtask")]) as db:
        User = db.apps.get_model("portal", "User")
        for n in range(3):
            User.objects.create(email=f"p{n}@example.com", name=f"P{n}", password="!")
        User = db.forward([("portal", "0003_user_feed_token")]).get_model("portal", "User")
        tokens = list(User.objects.values_list("feed_token", flat=True))
        assert len(tokens) == 3 and len(set(tokens)) == 3 and all(len(token) >= 43 for token in tokens)
