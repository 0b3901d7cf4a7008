import pytest
from django.core import mail

from decisions.tasks import send_review_request_task
from tests.factories import ReviewRequestFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestSendReviewRequestTask:
    def test_running_twice_sends_once(self):
        request = ReviewRequestFactory(reviewer=UserFactory(language="ar"), via_team=TeamFactory(name="IT"))
        assert send_review_request_task.apply(args=[request.pk]).get() == 1
        assert send_review_request_task.apply(args=[request.pk]).get() == 0
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [request.reviewer.email]
        html = message.alternatives[0][0]
        assert 'dir="rtl"' in html and f"/decisions/{request.decision.pk}/#my-review" in html
        request.refresh_from_db()
        assert request.emailed_at is not None

    def test_the_subject_and_text_are_not_html_escaped(self):
        request = ReviewRequestFactory(decision__title="Ken's terms & conditions")
        send_review_request_task.apply(args=[request.pk])
        message = mail.outbox[0]
        assert "Ken's terms & conditions" in message.subject and "Ken's terms & conditions" in message.body

    def test_it_releases_the_claim_when_sending_fails(self, monkeypatch):
        request = ReviewRequestFactory()

        def boom(*args, **kwargs):
            raise RuntimeError("smtp down")

        monkeypatch.setattr("decisions.tasks.send_email", boom)
        with pytest.raises(RuntimeError):
            send_review_request_task.apply(args=[request.pk]).get()
        request.refresh_from_db()
        assert request.emailed_at is None

    def test_inactive_reviewers_get_nothing(self):
        request = ReviewRequestFactory(reviewer=UserFactory(is_active=False))
        assert send_review_request_task.apply(args=[request.pk]).get() == 0
        assert not mail.outbox
