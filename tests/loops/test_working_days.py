import datetime

import pytest

from loops.models import Note, working_days_between

D = datetime.date


class TestWorkingDays:
    @pytest.mark.parametrize(
        ("start", "end", "days"),
        [
            (D(2026, 11, 16), D(2026, 11, 16), 0),  # Monday, the same day
            (D(2026, 11, 16), D(2026, 11, 20), 4),  # Monday to Friday
            (D(2026, 11, 20), D(2026, 11, 23), 1),  # Friday to Monday: the weekend does not count
            (D(2026, 11, 20), D(2026, 11, 27), 5),  # Friday to the next Friday
            (D(2026, 11, 21), D(2026, 11, 28), 5),  # Saturday to the next Saturday
            (D(2026, 11, 16), D(2026, 11, 30), 10),  # two whole weeks
            (D(2026, 11, 20), D(2026, 11, 19), 0),  # backwards is nothing
        ],
    )
    def test_it_counts_monday_to_friday(self, start, end, days):
        assert working_days_between(start, end) == days

    def test_a_note_is_on_time_up_to_five_working_days(self, settings):
        settings.TIME_ZONE = "UTC"
        routed = datetime.datetime(2026, 11, 20, 16, 0, tzinfo=datetime.UTC)  # a Friday
        on_time = Note(at=routed, responded_at=datetime.datetime(2026, 11, 27, 23, 0, tzinfo=datetime.UTC))
        late = Note(at=routed, responded_at=datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC))
        assert on_time.answered_on_time() and not late.answered_on_time()
        assert not Note(at=routed).answered_on_time()
