"""Meeting dates: only 2000-01-01 to 2100-12-31 as typed, with a clear error; and no date the form
accepts makes a page, the calendar file or a sign-up fail in any reader's time zone."""

import datetime
import html
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from meetings import services
from meetings.models import Meeting, Seat
from portal.lib import dates

ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Ho_Chi_Minh", "America/Los_Angeles", "UTC",
         "Asia/Jerusalem", "Asia/Tehran"]
RANGE_ERROR = "Enter a date from 1 Jan 2000 to 31 Dec 2100."
# Before the earliest date anywhere on Earth, so every meeting in the range starts in the future.
BEFORE_THE_RANGE = datetime.datetime(1999, 12, 30, 12, 0, tzinfo=datetime.UTC)


def form_data(customer, *, starts, ends, closes):
    return {
        "customer": customer.pk, "kind": "annual_review", "title": "Annual review with Ken",
        "starts_at": starts, "ends_at": ends, "signup_closes_at": closes,
        "place": "", "video_url": "https://meet.example.com/ken", "seats": "3", "briefing": "Listen.",
    }


def typed(moment):
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db
class TestTheOriginalFinding:
    """Sign-up closing 0001-01-01 or an end at 9999-12-31T23:59 saved, then broke the meeting page for
    readers on one side of UTC."""

    @pytest.mark.parametrize("zone", ["Asia/Tehran", "America/Los_Angeles", "UTC"])
    @pytest.mark.parametrize("field,value", [
        ("signup_closes_at", "0001-01-01T00:00"), ("ends_at", "9999-12-31T23:59"),
        ("starts_at", "1999-12-31T23:59"), ("ends_at", "2101-01-01T00:00"),
    ])
    def test_it_is_refused_with_a_clear_error_and_nothing_is_saved(self, as_user, host, customer, zone, field, value):
        host.time_zone = zone
        host.save(update_fields=["time_zone"])
        data = form_data(customer, starts="2031-03-04T09:00", ends="2031-03-04T10:00", closes="2031-03-01T09:00")
        response = as_user(host).post(reverse("meetings:new"), {**data, field: value})
        assert response.status_code == 200
        assert RANGE_ERROR in response.content.decode()
        assert Meeting.objects.count() == 0

    def test_the_error_writes_the_dates_the_persons_way(self, as_user, host, customer):
        host.language = "vi"
        host.save(update_fields=["language"])
        data = form_data(customer, starts="2031-03-04T09:00", ends="9999-12-31T23:59", closes="2031-03-01T09:00")
        body = html.unescape(as_user(host).post(reverse("meetings:new"), data).content.decode())
        with translation.override("vi"):
            earliest, latest = date_format(dates.EARLIEST, "DATE_FORMAT"), date_format(dates.LATEST, "DATE_FORMAT")
        assert earliest != "1 Jan 2000" and earliest in body and latest in body
        assert Meeting.objects.count() == 0

    def test_an_edit_is_refused_too(self, as_user, host, meeting):
        data = form_data(meeting.customer, starts=typed(meeting.starts_at), ends="9999-12-31T23:59",
                         closes=typed(meeting.signup_closes_at))
        response = as_user(host).post(reverse("meetings:edit", args=[meeting.pk]), data)
        assert RANGE_ERROR in response.content.decode()
        meeting.refresh_from_db()
        assert meeting.ends_at.year < 2100

    def test_the_inputs_tell_the_browser_the_range(self, as_user, host):
        body = as_user(host).get(reverse("meetings:new")).content.decode()
        assert body.count('min="2000-01-01T00:00" max="2100-12-31T23:59"') == 3

    @pytest.mark.parametrize("field,value", [
        ("signup_closes_at", datetime.datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Tehran"))),
        ("ends_at", datetime.datetime(9999, 12, 31, 23, 59, tzinfo=ZoneInfo("Pacific/Pago_Pago"))),
    ])
    def test_the_service_refuses_it_as_well(self, host, customer, field, value):
        start = datetime.datetime(2031, 3, 4, 9, tzinfo=datetime.UTC)
        times = {"starts_at": start, "ends_at": start + datetime.timedelta(hours=1),
                 "signup_closes_at": start - datetime.timedelta(days=1), field: value}
        with pytest.raises(services.ValidationError) as error:
            services.meeting_create(by=host, customer=customer, kind="annual_review", title="Review", seats=2,
                                    video_url="https://meet.example.com/x", **times)
        assert RANGE_ERROR in error.value.message_dict[field]
        assert Meeting.objects.count() == 0

    def test_the_edges_of_the_range_are_accepted(self, as_user, host, customer):
        host.time_zone = "Pacific/Kiritimati"  # 2000-01-01 00:00 there is still 1999 in UTC
        host.save(update_fields=["time_zone"])
        with time_machine.travel(BEFORE_THE_RANGE, tick=True):
            data = form_data(customer, starts="2000-01-01T00:00", ends="2100-12-31T23:59", closes="2000-01-01T00:00")
            response = as_user(host).post(reverse("meetings:new"), data)
        assert response.status_code == 302
        meeting = Meeting.objects.get()
        assert meeting.starts_at == datetime.datetime(1999, 12, 31, 10, tzinfo=datetime.UTC)


# Boundary moments as typed: the range's edges and each zone's DST changes (a time skipped in spring,
# a time twice in autumn), then any moment in the range.
EDGES = [
    datetime.datetime(2000, 1, 1, 0, 0), datetime.datetime(2000, 1, 1, 0, 30), datetime.datetime(2100, 12, 31, 21, 0),
    datetime.datetime(2026, 3, 8, 2, 30), datetime.datetime(2026, 11, 1, 1, 30),  # Los Angeles
    datetime.datetime(2026, 3, 27, 2, 30), datetime.datetime(2026, 10, 25, 1, 30),  # Jerusalem
    datetime.datetime(2021, 3, 22, 0, 30), datetime.datetime(2021, 9, 21, 23, 30),  # Tehran (before 2022)
    datetime.datetime(2011, 12, 29, 12, 0), datetime.datetime(2011, 12, 30, 12, 0),  # a day Samoa skipped
]
starts = st.one_of(
    st.sampled_from(EDGES),
    st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 12, 31, 20, 0)),
).map(lambda moment: moment.replace(second=0, microsecond=0))


@pytest.mark.django_db
class TestNoDateBreaksAPage:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        host_zone=st.sampled_from(ZONES), reader_zone=st.sampled_from(ZONES), start=starts,
        length=st.timedeltas(min_value=datetime.timedelta(minutes=1), max_value=datetime.timedelta(hours=3)),
        notice=st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=3)),
    )
    def test_every_page_answers_in_every_zone(
        self, client, host, staff, customer, django_capture_on_commit_callbacks,
        host_zone, reader_zone, start, length, notice,
    ):
        end = min(start + length, datetime.datetime(2100, 12, 31, 23, 59))
        closes = start - notice
        try:
            with time_machine.travel(BEFORE_THE_RANGE, tick=True), transaction.atomic():
                for alias in ("default", "template_fragments"):
                    caches[alias].clear()
                self.check(client, host, staff, customer, django_capture_on_commit_callbacks,
                           host_zone, reader_zone, typed(start), typed(end), typed(closes))
                raise _Rollback
        except _Rollback:
            pass

    def check(self, client, host, reader, customer, capture, host_zone, reader_zone, starts, ends, closes):
        host.time_zone, reader.time_zone = host_zone, reader_zone
        host.save(update_fields=["time_zone"])
        reader.save(update_fields=["time_zone"])
        client.force_login(host)
        response = client.post(reverse("meetings:new"), form_data(customer, starts=starts, ends=ends, closes=closes))
        assert response.status_code in (200, 302), (starts, ends, closes, response.status_code)
        meeting = Meeting.objects.first()
        event("refused" if response.status_code == 200 else "saved")
        if response.status_code == 200:  # refused with a form error (say, sign-up closing in 1999)
            assert meeting is None and 'class="errorlist' in response.content.decode()
            return
        client.force_login(reader)
        label = f"{reader_zone}: {starts} – {ends}, closes {closes}"
        assert client.get(meeting.get_absolute_url()).status_code == 200, label
        assert client.get(reverse("meetings:list")).status_code == 200, label
        month = starts[:7]
        assert client.get(reverse("meetings:list"), {"month": month}).status_code == 200, label
        with capture(execute=True):  # the invitation email (with its calendar file) goes out on commit
            response = client.post(reverse("meetings:signup", args=[meeting.pk]))
        assert response.status_code in (200, 302), label
        assert client.get(meeting.get_absolute_url()).status_code == 200, label
        if Seat.objects.filter(meeting=meeting, user=reader).exists():
            feed = services.calendar_feed_get(user=reader)
            response = client.get(reverse("meetings:calendar_feed", args=[feed.token]))
            assert response.status_code == 200, label
            assert f"UID:meeting-{meeting.pk}@" in response.content.decode()


class _Rollback(Exception):
    pass
