"""The deadline clock for data-subject requests, counted in China's official working days.

PIPL 50 (PIPL-50) requires a convenient mechanism for accepting and handling requests to exercise
personal information rights, and the App identification method item 6.3 (AVIM-6.3) sets the limit: a
request must be checked and handled within the promised time, at most 15 working days. A "working day" is the official one: Monday to Friday except public
holidays, plus the Saturdays and Sundays the State Council declares make-up working days. That schedule
is data published each year, so it comes from the `chinese-calendar` package, never from a hand-made list.

The State Council publishes next year's schedule only late in the year, so a deadline near the end of
the last published year runs into a year nobody knows yet. Refusing the request would be worse than the
guess, so such days are counted *provisionally*: Monday to Friday, except New Year's Day (fixed in every
year's schedule). `is_provisional` tells a caller to show the date as provisional; a newer
`chinese-calendar` release replaces the guess. A year before the calendar starts is an error
(`CalendarUnknownYear`): there the schedule exists, the package just does not hold it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar

from consentgate.errors import ConsentgateError

BEIJING = ZoneInfo("Asia/Shanghai")
"""Deadlines run on the calendar of the people the law protects, whatever zone the server runs in."""

STATUTORY_WORKING_DAYS = 15
"""AVIM-6.3: a rights request answered later than 15 working days counts as not handled."""

_ONE_DAY = timedelta(days=1)


class CalendarUnknownYear(ConsentgateError):
    """The installed holiday calendar has no official schedule for a year a deadline needs."""

    code = "rights.calendar_unknown_year"


@cache
def _covered_years() -> tuple[int, int]:
    """First and last year the installed `chinese-calendar` holds an official schedule for."""
    years = {day.year for day in (*chinese_calendar.holidays, *chinese_calendar.workdays)}
    return min(years), max(years)


def is_provisional(day: date) -> bool:
    """True for days after the last year whose official schedule the installed calendar holds."""
    return day.year > _covered_years()[1]


def is_working_day(day: date) -> bool:
    """True when `day` is an official working day in mainland China (make-up weekend days included)."""
    first, last = _covered_years()
    if day.year < first:
        raise CalendarUnknownYear.from_key(
            "rights.calendar_unknown_year", year=day.year, first=first, last=last
        )
    if day.year > last:  # not published yet: weekdays, except New Year's Day (see the module docstring)
        return day.weekday() < 5 and (day.month, day.day) != (1, 1)
    return bool(chinese_calendar.is_workday(day))


def local_date(moment: datetime) -> date:
    """The Beijing calendar date of an aware `moment`: a request sent at 23:30 UTC arrives on the next day."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("deadline times must be timezone-aware")
    return moment.astimezone(BEIJING).date()


def working_days_between(start: date, end: date) -> int:
    """Working days in the interval (start, end]; negative when `end` is before `start`.

    The day `start` itself never counts, matching how a deadline counts from the day after receipt, so
    `working_days_between(received_day, due)` equals the number of working days the deadline allows.
    """
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        count += is_working_day(day)
        day += _ONE_DAY
    return count


def due_date(received: datetime, working_days: int = STATUTORY_WORKING_DAYS) -> date:
    """The last Beijing date on which a request received at `received` is still answered in time.

    Counts `working_days` working days after the day of receipt (PIPL-50, AVIM-6.3); the day of
    receipt does not count even when it is a working day, and holidays inside the span push it out.
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    day = local_date(received)
    remaining = working_days
    while remaining:
        day += _ONE_DAY
        remaining -= is_working_day(day)
    return day


def is_overdue(received: datetime, now: datetime, working_days: int = STATUTORY_WORKING_DAYS) -> bool:
    """True once the Beijing date of `now` is past the due date: the whole due date still counts as in time."""
    return local_date(now) > due_date(received, working_days)
