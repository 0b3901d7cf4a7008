from django.urls import reverse

from digests.models import Delivery


class TestDeliveryAdmin:
    def test_admins_see_failures_and_filter_them(self, as_user, admin_user, staff):
        Delivery.objects.create(
            user=staff,
            kind="digest",
            period="2026-W48",
            status="failed",
            attempts=6,
            last_error="SMTPServerDisconnected('gone')",
        )
        response = as_user(admin_user).get(
            reverse("admin:digests_delivery_changelist"), {"status__exact": "failed"}
        )
        assert response.status_code == 200
        assert "SMTPServerDisconnected" in response.content.decode()

    def test_others_cannot(self, as_user, staff):
        response = as_user(staff).get(reverse("admin:digests_delivery_changelist"))
        assert response.status_code in (302, 403)

    def test_retry_puts_failed_rows_back(self, as_user, admin_user, staff):
        delivery = Delivery.objects.create(user=staff, kind="digest", period="2026-W48", status="failed")
        as_user(admin_user).post(
            reverse("admin:digests_delivery_changelist"),
            {"action": "retry", "_selected_action": [delivery.pk]},
        )
        delivery.refresh_from_db()
        assert delivery.status == "pending"
