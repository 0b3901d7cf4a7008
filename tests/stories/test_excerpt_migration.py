"""stories 0015 makes the stored excerpts again, with a body's blocks kept apart."""

import pytest

from tests.migrations import back_at


@pytest.mark.django_db(transaction=True)
def test_stored_excerpts_keep_a_bodys_list_items_apart():
    with back_at([("stories", "0014_field_labels")]) as db:
        Story = db.apps.get_model("stories", "Story")
        Customer = db.apps.get_model("customers", "Customer")
        User = db.apps.get_model("portal", "User")
        author = User.objects.create(email="a@example.com", name="A", password="!")
        customer = Customer.objects.create(name="Ken's", slug="kens")
        old = Story.objects.create(
            title="Ken's crews", customer=customer, author=author, body="…",
            body_html="<ul><li>They use our ordering portal</li><li>Our team reviews stock</li></ul><p>Done.</p>",
            excerpt="They use our ordering portal Our team reviews stock Done.",
        )
        Story = db.forward([("stories", "0015_refill_excerpts")]).get_model("stories", "Story")
        assert Story.objects.get(pk=old.pk).excerpt == "They use our ordering portal · Our team reviews stock · Done."
