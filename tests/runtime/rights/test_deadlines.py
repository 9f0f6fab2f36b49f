"""The 15-working-day clock (PIPL-50, AVIM-6.3) on China's official holiday schedule.

Every expected date below was counted by hand from the State Council's published schedules:
- 2024 National Day: off 10-01..10-07; make-up working days Sun 09-29 and Sat 10-12.
- 2025 Spring Festival: off 01-28..02-04; make-up working days Sun 01-26 and Sat 02-08.
- March 2024 has no holiday and no make-up day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import chinese_calendar
import pytest

from consentgate.runtime.rights.deadlines import (
    CalendarUnknownYear,
    due_date,
    is_overdue,
    is_provisional,
    is_working_day,
    working_days_between,
)

BEIJING = timezone(timedelta(hours=8))


def at(day: date, hour: int = 10, tz: timezone = BEIJING) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz)


def test_schedule_knows_the_make_up_days_and_holidays() -> None:
    assert is_working_day(date(2024, 9, 29))  # a Sunday, made a working day
    assert is_working_day(date(2024, 10, 12))  # a Saturday, made a working day
    assert not is_working_day(date(2024, 10, 7))  # a Monday inside the National Day holiday
    assert not is_working_day(date(2024, 10, 13))  # an ordinary Sunday


def test_received_on_make_up_sunday_before_national_day_skips_the_holiday() -> None:
    # 09-30 (1); 10-08..10-11 (5); Sat 10-12 make-up (6); 10-14..10-18 (11); 10-21..10-24 (15)
    assert due_date(at(date(2024, 9, 29))) == date(2024, 10, 24)


def test_received_on_last_day_before_national_day_counts_the_make_up_saturday() -> None:
    # 10-08..10-11 (4); Sat 10-12 (5); 10-14..10-18 (10); 10-21..10-25 (15).
    # Without the make-up Saturday the answer would be Monday 10-28.
    assert due_date(at(date(2024, 9, 30))) == date(2024, 10, 25)


def test_received_during_the_holiday_starts_counting_on_the_first_working_day() -> None:
    assert due_date(at(date(2024, 10, 3))) == date(2024, 10, 25)


def test_spring_festival_2025() -> None:
    # Mon 01-27 (receipt); 02-05..02-07 (3); Sat 02-08 make-up (4); 02-10..02-14 (9); 02-17..02-21 (14); 02-24 (15)
    assert due_date(at(date(2025, 1, 27))) == date(2025, 2, 24)
    # Received on the make-up Sunday 01-26: Mon 01-27 is day 1, so everything moves one working day earlier.
    assert due_date(at(date(2025, 1, 26))) == date(2025, 2, 21)


def test_plain_weeks() -> None:
    # Mon 2024-03-04: 03-05..03-08 (4); 03-11..03-15 (9); 03-18..03-22 (14); Mon 03-25 (15)
    assert due_date(at(date(2024, 3, 4))) == date(2024, 3, 25)
    assert due_date(at(date(2024, 3, 4)), working_days=5) == date(2024, 3, 11)
    # Received on a Friday: the weekend does not count.
    assert due_date(at(date(2024, 3, 8)), working_days=1) == date(2024, 3, 11)


def test_late_evening_utc_is_already_the_next_day_in_beijing() -> None:
    received = datetime(2024, 9, 29, 16, 30, tzinfo=UTC)  # 2024-09-30 00:30 in Beijing
    assert due_date(received) == date(2024, 10, 25)  # counted from 09-30, not 09-29 (which gives 10-24)


def test_working_days_between_matches_the_deadline_span() -> None:
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 25)) == 15
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 7)) == 0
    assert working_days_between(date(2024, 10, 25), date(2024, 9, 30)) == -15
    assert working_days_between(date(2024, 3, 4), date(2024, 3, 4)) == 0


def test_overdue_only_after_the_whole_due_date_has_passed() -> None:
    received = at(date(2024, 9, 30))
    assert not is_overdue(received, datetime(2024, 10, 25, 23, 59, tzinfo=BEIJING))
    assert is_overdue(received, datetime(2024, 10, 26, 0, 1, tzinfo=BEIJING))
    # 16:30 UTC on the due date is already the next day in Beijing.
    assert is_overdue(received, datetime(2024, 10, 25, 16, 30, tzinfo=UTC))
    assert not is_overdue(received, datetime(2024, 10, 25, 15, 30, tzinfo=UTC))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        due_date(datetime(2024, 9, 30, 10))


def test_year_before_the_calendar_raises_a_typed_bilingual_error() -> None:
    with pytest.raises(CalendarUnknownYear) as caught:
        due_date(at(date(2003, 6, 2)))
    assert caught.value.code == "rights.calendar_unknown_year"
    assert "2003" in caught.value.text.zh
    assert "2003" in caught.value.text.en


def test_deadline_running_past_the_last_published_year_is_counted_provisionally() -> None:
    """A request in late December must still get a deadline before next year's schedule is out."""
    last = max(day.year for day in chinese_calendar.holidays)
    received = date(last, 12, 24)
    due = due_date(at(received))
    assert due.year == last + 1 and is_provisional(due) and not is_provisional(received)
    # Counted by hand in the unpublished year: weekdays only, New Year's Day off.
    assert not is_working_day(date(last + 1, 1, 1))
    next_monday = date(last + 1, 1, 1) + timedelta(days=(7 - date(last + 1, 1, 1).weekday()) % 7 or 7)
    assert is_working_day(next_monday) and not is_working_day(next_monday - timedelta(days=1))
    assert working_days_between(received, due) == 15
