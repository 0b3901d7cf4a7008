import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD


@pytest.mark.django_db
class TestSignIn:
    def test_it_sends_anonymous_people_to_sign_in(self, client):
        response = client.get("/customers/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/customers/")

    def test_it_signs_in_with_email_in_any_case(self, client, staff):
        response = client.post(reverse("login"), {"username": "MinhAnh@Example.com", "password": TEST_PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert client.get(reverse("home")).context["user"] == staff

    def test_it_refuses_a_wrong_password_and_keeps_the_email(self, client, staff):
        response = client.post(reverse("login"), {"username": staff.email, "password": "nope"})
        assert response.status_code == 200
        assert "Please enter a correct" in response.content.decode()
        assert f'value="{staff.email}"' in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_it_signs_out_on_post_only(self, client, staff):
        client.force_login(staff)
        assert client.get(reverse("logout")).status_code == 405
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
class TestPasswordReset:
    def test_it_emails_a_link_that_sets_a_new_password(self, client, staff):
        response = client.post(reverse("password_reset"), {"email": staff.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [staff.email]
        assert message.subject == "Reset your Lifeline password"
        link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
        response = client.get(link, follow=True)
        form_url = response.redirect_chain[-1][0]
        response = client.post(
            form_url, {"new_password1": "a fresh long passphrase", "new_password2": "a fresh long passphrase"}
        )
        assert response.status_code == 302
        staff.refresh_from_db()
        assert staff.check_password("a fresh long passphrase")

    def test_it_says_nothing_about_unknown_addresses(self, client, db):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
        assert response.status_code == 302
        assert mail.outbox == []
