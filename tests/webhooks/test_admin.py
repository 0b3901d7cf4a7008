"""Admins manage the channels in the admin: the webhook address is kept encrypted, never shown again
(only masked), and a test message shows at once whether the address works. Only admins get in."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.factories import StoryFactory
from webhooks import crypto
from webhooks.models import Channel, Delivery
from webhooks.tasks import post_task

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:webhooks_channel_changelist"


def raw_column(channel):
    with connection.cursor() as cursor:
        cursor.execute("SELECT url_encrypted, url_hint FROM webhooks_channel WHERE id = %s", [channel.pk])
        return cursor.fetchone()


def form_data(**overrides):
    data = {
        "name": "#customer-stories", "service": "slack", "webhook_url": "", "language": "en", "enabled": "on",
        "post_stories": "on", "post_reviews": "on", "post_decided": "on", "post_meetings": "on",
    }
    return {**data, **overrides}


class TestEncryption:
    def test_the_database_never_holds_the_address(self, make_channel, receiver):
        channel = make_channel("#stories")
        stored, hint = raw_column(channel)
        assert "secret-token" not in stored and "127.0.0.1" not in stored
        assert hint == "http://127.0.0.1/…/oken"
        assert Channel.objects.get().webhook_url() == receiver.url("stories")

    def test_other_keys_cannot_read_it_and_the_post_says_so(self, make_channel, settings, customer):
        channel = make_channel()
        settings.LIFELINE_WEBHOOK_KEYS = [Fernet.generate_key().decode()]
        settings.SECRET_KEY = "another-secret-key-entirely-0123456789-0123456789"
        with pytest.raises(crypto.InvalidToken):
            Channel.objects.get().webhook_url()
        delivery = Delivery.objects.create(channel=channel, kind="test")
        post_task.apply(args=[delivery.pk])
        delivery.refresh_from_db()
        assert delivery.status == "failed" and "cannot be decrypted" in delivery.last_error

    def test_keys_rotate(self, make_channel, settings, receiver):
        channel = make_channel("#stories")
        before, _hint = raw_column(channel)
        settings.LIFELINE_WEBHOOK_KEYS = [Fernet.generate_key().decode()]  # the derived key still opens the old
        call_command("rotate_webhook_keys")
        after, _hint = raw_column(channel)
        assert after != before
        settings.SECRET_KEY = "another-secret-key-entirely-0123456789-0123456789"
        assert Channel.objects.get().webhook_url() == receiver.url("stories")


    def test_secret_key_rotates_the_django_way(self, make_channel, settings, receiver):
        channel = make_channel("#stories")
        settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
        settings.SECRET_KEY = "the-new-secret-key-0123456789-0123456789-0123456789"
        call_command("rotate_webhook_keys")
        settings.SECRET_KEY_FALLBACKS = []
        assert Channel.objects.get(pk=channel.pk).webhook_url() == receiver.url("stories")

    def test_a_key_that_is_no_fernet_key_fails_the_checks(self, settings):
        from django.core import checks

        settings.LIFELINE_WEBHOOK_KEYS = ["not-a-key"]
        errors = [e for e in checks.run_checks() if e.id == "lifeline.E010"]
        assert errors and "LIFELINE_WEBHOOK_KEYS must be Fernet keys" in errors[0].msg


class TestChannelAdmin:
    def test_the_address_is_shown_masked_only(self, as_user, admin_user, make_channel):
        channel = make_channel("#stories")
        listing = as_user(admin_user).get(reverse(CHANGELIST)).content.decode()
        page = as_user(admin_user).get(reverse("admin:webhooks_channel_change", args=[channel.pk])).content.decode()
        for html in (listing, page):
            assert "http://127.0.0.1/…/oken" in html
            assert "secret-token" not in html and channel.url_encrypted not in html

    def test_adding_a_channel_encrypts_its_address(self, as_user, admin_user, customer):
        url = "https://hooks.slack.com/services/T1/B2/abcdefghijkl"
        response = as_user(admin_user).post(
            reverse("admin:webhooks_channel_add"), form_data(webhook_url=url, customers=[customer.pk])
        )
        assert response.status_code == 302
        channel = Channel.objects.get()
        assert channel.webhook_url() == url and channel.url_hint == "https://hooks.slack.com/…/ijkl"
        assert url not in raw_column(channel)[0]
        assert list(channel.customers.all()) == [customer] and channel.created_by == admin_user

    def test_an_address_must_be_https(self, as_user, admin_user):
        response = as_user(admin_user).post(
            reverse("admin:webhooks_channel_add"), form_data(webhook_url="http://hooks.example.com/x")
        )
        assert response.status_code == 200
        assert "it starts with https://" in response.content.decode()
        assert not Channel.objects.exists()

    @pytest.mark.parametrize("bad", ["http://[::1", "https://hooks.slack.com:port/x", "https://hooks.slack.com/a b",
                                     "https://hooks.slack.com/\x00", "ftp://127.0.0.1/x", "hooks.slack.com/x"])
    def test_what_is_no_webhook_address_is_refused(self, as_user, admin_user, bad):
        response = as_user(admin_user).post(reverse("admin:webhooks_channel_add"), form_data(webhook_url=bad))
        assert response.status_code == 200
        assert not Channel.objects.exists()

    def test_saving_without_an_address_keeps_the_one_it_has(self, as_user, admin_user, make_channel, receiver):
        channel = make_channel("#stories")
        response = as_user(admin_user).post(
            reverse("admin:webhooks_channel_change", args=[channel.pk]), form_data(name="#renamed", language="vi")
        )
        assert response.status_code == 302
        channel.refresh_from_db()
        assert (channel.name, channel.language) == ("#renamed", "vi")
        assert channel.webhook_url() == receiver.url("stories")

    def test_send_a_test_message(self, as_user, admin_user, make_channel, receiver, django_capture_on_commit_callbacks):
        channel = make_channel("#stories", enabled=False)
        with django_capture_on_commit_callbacks(execute=True):
            response = as_user(admin_user).post(
                reverse(CHANGELIST), {"action": "send_test", "_selected_action": [channel.pk]}, follow=True
            )
        assert "A test message is on its way to 1 channel" in response.content.decode()
        [request] = receiver.requests
        assert request.body["blocks"][0]["text"]["text"] == "Test message from Lifeline"
        delivery = Delivery.objects.get()
        assert (delivery.kind, delivery.status, delivery.response_code, delivery.requested_by) == (
            "test", "sent", 200, admin_user
        )

    def test_a_disabled_channel_is_pointed_out_and_enabled_again(self, as_user, admin_user, make_channel):
        from webhooks.services import channel_disable

        channel = make_channel("#stories")
        channel_disable(channel_id=channel.pk, reason="404 Not Found: no_service")
        listing = as_user(admin_user).get(reverse(CHANGELIST)).content.decode()
        assert "was disabled after repeated refusals" in listing and "404 Not Found: no_service" in listing
        as_user(admin_user).post(reverse(CHANGELIST), {"action": "enable", "_selected_action": [channel.pk]})
        channel.refresh_from_db()
        assert channel.enabled and not channel.disabled_reason

    def test_ticking_enabled_again_on_the_form_starts_afresh(self, as_user, admin_user, make_channel):
        from webhooks.services import channel_disable

        channel = make_channel("#stories")
        Channel.objects.filter(pk=channel.pk).update(failures=5)
        channel_disable(channel_id=channel.pk, reason="404 Not Found")
        response = as_user(admin_user).post(
            reverse("admin:webhooks_channel_change", args=[channel.pk]), form_data(name="#stories")
        )
        assert response.status_code == 302
        channel.refresh_from_db()
        assert (channel.enabled, channel.failures, channel.disabled_reason, channel.disabled_at) == (True, 0, "", None)

    @pytest.mark.parametrize("persona", ["leader", "staff", "host", "outsider"])
    def test_only_admins(self, request, persona, as_user, make_channel, receiver):
        channel = make_channel("#stories")
        client = as_user(request.getfixturevalue(persona))
        for url in (reverse(CHANGELIST), reverse("admin:webhooks_channel_change", args=[channel.pk]),
                    reverse("admin:webhooks_delivery_changelist")):
            assert client.get(url).status_code == 302  # to the admin's sign-in
        client.post(reverse(CHANGELIST), {"action": "send_test", "_selected_action": [channel.pk]})
        assert receiver.requests == [] and not Delivery.objects.exists()

    def test_the_services_ask_the_matrix_too(self, staff, make_channel):
        from django.core.exceptions import PermissionDenied

        from webhooks.services import channel_send_test

        with pytest.raises(PermissionDenied):
            channel_send_test(by=staff, channel=make_channel())


@pytest.mark.parametrize("url", [CHANGELIST, "admin:webhooks_delivery_changelist"])
def test_the_lists_run_the_same_queries_whatever_their_size(url, as_user, admin_user, make_channel, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(admin_user)
    client.get(reverse(url))

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(url)).status_code == 200
        return len(context)

    def add(count):
        for n in range(count):
            channel = make_channel(f"#c{Channel.objects.count()}", customers=[customer])
            Delivery.objects.create(channel=channel, kind="story_published", object_id=StoryFactory(customer=customer).pk)
            Delivery.objects.create(channel=channel, kind="test")

    add(1)
    small = queries()
    add(6)
    assert queries() == small


class TestDeliveryAdmin:
    def test_every_send_is_listed_with_its_answer(self, as_user, admin_user, make_channel, receiver, customer,
                                                  django_assert_max_num_queries):
        channel = make_channel("#stories")
        for code in (200, 404, 200):
            receiver.answer(code)
            delivery = Delivery.objects.create(channel=channel, kind="story_published",
                                               object_id=StoryFactory(customer=customer).pk)
            post_task.apply(args=[delivery.pk])
        client = as_user(admin_user)
        client.get(reverse("admin:webhooks_delivery_changelist"))
        with django_assert_max_num_queries(9):  # the same for any number of rows: the channel is joined
            html = client.get(reverse("admin:webhooks_delivery_changelist")).content.decode()
        assert html.count("404 Not Found: invalid_token") == 1
        assert html.count('field-status_shown">Sent<') == 2 and html.count('field-status_shown">Failed<') == 1
        assert html.count('field-response_code">200<') == 2 and html.count('field-response_code">404<') == 1

    def test_send_again(self, as_user, admin_user, make_channel, receiver, customer, django_capture_on_commit_callbacks):
        channel = make_channel("#stories")
        receiver.answer(404)
        delivery = Delivery.objects.create(channel=channel, kind="story_published",
                                           object_id=StoryFactory(customer=customer).pk)
        post_task.apply(args=[delivery.pk])
        with django_capture_on_commit_callbacks(execute=True):
            as_user(admin_user).post(reverse("admin:webhooks_delivery_changelist"),
                                     {"action": "retry", "_selected_action": [delivery.pk]})
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("sent", 2, 2)
