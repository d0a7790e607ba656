"""Deadline arithmetic: hand-computed cases and the invariants, checked by hypothesis."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.sla.calendar import (
    BusinessCalendar,
    CalendarError,
    DayRules,
    always_open,
    parse_window,
)
from server.sla.holiday_sources import china_rules, rules_for, with_extra_days

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
OFFICE_DAY = [parse_window("09:00-12:00"), parse_window("13:00-18:00")]


def office(rules: DayRules | None = None, timezone: str = "Asia/Shanghai") -> BusinessCalendar:
    """Mon–Fri 9:00–18:00 with a 12:00–13:00 lunch."""
    return BusinessCalendar("office", timezone, dict.fromkeys(range(5), OFFICE_DAY), rules)


CHINA = office(china_rules())


def at(text: str, zone: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


# --- hand-computed cases --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # a lunch break is not working time
        ("2026-11-19 11:30", 1, "2026-11-19 13:30"),
        # after hours: the clock starts at the next opening
        ("2026-11-19 19:00", 0.5, "2026-11-20 09:30"),
        # before opening
        ("2026-11-19 07:00", 2, "2026-11-19 11:00"),
        # Friday afternoon into Monday
        ("2026-11-20 17:00", 3, "2026-11-23 11:00"),
        # a deadline exactly at closing time is closing time, not the next opening
        ("2026-11-19 17:00", 1, "2026-11-19 18:00"),
        # Spring Festival 2026: Sat 14 Feb is a make-up working day (调休)
        ("2026-02-13 17:00", 4, "2026-02-14 12:00"),
        # ... then 15–23 Feb are holidays; work resumes Tue 24 Feb
        ("2026-02-14 17:30", 2, "2026-02-24 10:30"),
        # a start on a holiday
        ("2026-02-18 10:00", 1, "2026-02-24 10:00"),
        # Sat 28 Feb is the second make-up day
        ("2026-02-27 17:00", 2, "2026-02-28 10:00"),
        # National Day 2026: 1–7 Oct off, Thu 8 Oct back, Sat 10 Oct a make-up day
        ("2026-09-30 17:00", 2, "2026-10-08 10:00"),
        ("2026-10-09 17:00", 2, "2026-10-10 10:00"),
        # Sun 20 Sep 2026 is a make-up day before the holidays
        ("2026-09-19 10:00", 2, "2026-09-20 11:00"),
        # New Year: 1–3 Jan 2026 off, Sun 4 Jan a make-up day — across the year boundary
        ("2025-12-31 17:00", 2, "2026-01-04 10:00"),
        # many weeks: 3 weeks of 8 h days after the 2026 May Day week
        ("2026-05-11 09:00", 15 * 8, "2026-05-29 18:00"),
    ],
)
def test_china_office_deadlines(start, hours, due):
    assert CHINA.add(at(start), hours * HOUR) == at(due)


def test_working_time_between_skips_holidays_and_lunch():
    # Thu 30 Sep 17:00 → Thu 8 Oct 10:00: 1 h on the 30th, 1 h on the 8th
    assert CHINA.between(at("2026-09-30 17:00"), at("2026-10-08 10:00")) == 2 * HOUR


def test_between_backwards_is_negative():
    assert CHINA.between(at("2026-11-19 11:00"), at("2026-11-19 10:00")) == -HOUR


def test_a_year_without_holiday_data_is_reported_and_computed_by_the_weekly_pattern():
    real = china_rules()
    # The package as it stood before the 2027 schedule was published.
    until_2026 = DayRules(
        holidays=frozenset(d for d in real.holidays if d.year <= 2026),
        extra_workdays=frozenset(d for d in real.extra_workdays if d.year <= 2026),
        covered_years=frozenset(y for y in real.covered_years if y <= 2026),
    )
    cal = office(until_2026)
    assert cal.covers(2026) and not cal.covers(2027)
    assert cal.uncovered_years([2026, 2027]) == [2027]
    # Fri 1 Jan 2027 is treated as an ordinary Friday until the schedule is published.
    assert cal.add(at("2026-12-31 17:00"), 3 * HOUR) == at("2027-01-01 11:00")


def test_spring_forward_in_new_york():
    cal = office(timezone="America/New_York")
    # Fri 6 Mar 2026 16:00 EST + 3 h → Mon 9 Mar 10:00 EDT (DST began Sun 8 Mar)
    due = cal.add(at("2026-03-06 16:00", NEW_YORK), 3 * HOUR)
    assert due == at("2026-03-09 10:00", NEW_YORK)
    assert due.utcoffset() == dt.timedelta(hours=-4)


def test_a_24x7_clock_counts_real_hours_across_spring_forward():
    cal = always_open(timezone="America/New_York")
    # 23:00 EST + 4 real hours = 04:00 EDT (02:00–03:00 never happened)
    assert cal.add(at("2026-03-07 23:00", NEW_YORK), 4 * HOUR) == at("2026-03-08 04:00", NEW_YORK)
    assert (
        cal.between(at("2026-03-08 00:00", NEW_YORK), at("2026-03-08 06:00", NEW_YORK)) == 5 * HOUR
    )


def test_a_24x7_clock_counts_real_hours_across_fall_back_in_berlin():
    cal = always_open(timezone="Europe/Berlin")
    due = cal.add(at("2026-10-24 23:00", BERLIN), 4 * HOUR)
    # 23:00 CEST is 21:00 UTC; 4 h later is 01:00 UTC = 02:00 CET
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC)
    assert cal.between(at("2026-10-25 00:00", BERLIN), at("2026-10-26 00:00", BERLIN)) == 25 * HOUR


def test_a_window_skipped_by_dst_starts_when_the_clock_resumes():
    night = [parse_window("01:00-04:00")]
    cal = BusinessCalendar("night", "America/New_York", dict.fromkeys(range(7), night))
    # on 8 Mar 2026 the window 01:00–04:00 lasts 2 real hours
    assert (
        cal.between(at("2026-03-08 00:00", NEW_YORK), at("2026-03-08 12:00", NEW_YORK)) == 2 * HOUR
    )


def test_24x7_crosses_new_year():
    due = always_open().add(dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC), 2 * HOUR)
    assert due == dt.datetime(2027, 1, 1, 1, 0, tzinfo=dt.UTC)


def test_split_shift_calendar():
    split = [parse_window("06:00-10:00"), parse_window("16:00-22:00")]
    cal = BusinessCalendar("split", "Asia/Shanghai", dict.fromkeys(range(7), split))
    assert cal.add(at("2026-11-19 09:00"), 2 * HOUR) == at("2026-11-19 17:00")


def test_a_firms_own_days_override_the_source():
    rules = with_extra_days(
        china_rules(), extra_holidays=[dt.date(2026, 11, 20)], extra_workdays=[dt.date(2026, 2, 16)]
    )
    cal = office(rules)
    assert cal.add(at("2026-11-19 17:00"), 2 * HOUR) == at("2026-11-23 10:00")
    assert cal.add(at("2026-02-16 09:00"), HOUR) == at("2026-02-16 10:00")


def test_country_holidays_from_the_holidays_package():
    cal = office(rules_for("US"), "America/New_York")
    # Fri 3 Jul 2026 is Independence Day (observed)
    assert cal.add(at("2026-07-02 17:00", NEW_YORK), 2 * HOUR) == at("2026-07-06 10:00", NEW_YORK)


@pytest.mark.parametrize("text", ["9-12", "12:00-09:00", "09:00", "25:00-26:00", "a-b"])
def test_bad_windows_are_refused(text):
    with pytest.raises(CalendarError):
        parse_window(text)


def test_overlapping_windows_are_refused():
    with pytest.raises(CalendarError, match="overlap"):
        BusinessCalendar(
            "x", "UTC", {0: [parse_window("09:00-12:00"), parse_window("11:00-13:00")]}
        )


def test_a_calendar_without_working_time_is_refused():
    with pytest.raises(CalendarError, match="no working time"):
        BusinessCalendar("empty", "UTC", {})


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        CHINA.add(dt.datetime(2026, 1, 5, 9), HOUR)


def test_adding_zero_outside_working_time_gives_the_start():
    assert CHINA.add(at("2026-11-21 10:00"), 0) == at("2026-11-21 10:00")


# --- invariants -----------------------------------------------------------------------

starts = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 31, 23, 59)
).map(lambda moment: moment.replace(tzinfo=SHANGHAI, microsecond=0))
targets = st.integers(min_value=0, max_value=8 * 60 * 60 * 5 * 20)  # up to 20 working weeks
CALENDARS = [
    CHINA,
    office(rules_for("DE"), "Europe/Berlin"),
    always_open(timezone="America/New_York"),
]
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=300, deadline=None)
@given(calendars, starts, targets)
def test_deadline_is_never_before_the_start(cal, start, seconds):
    assert cal.add(start, seconds) >= start


@settings(max_examples=300, deadline=None)
@given(calendars, starts, targets)
def test_working_time_to_the_deadline_is_the_target(cal, start, seconds):
    assert cal.between(start, cal.add(start, seconds)) == pytest.approx(seconds, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(calendars, starts, targets, targets)
def test_deadlines_are_monotonic_in_the_target(cal, start, a, b):
    low, high = sorted((a, b))
    assert cal.add(start, low) <= cal.add(start, high)


@settings(max_examples=300, deadline=None)
@given(calendars, starts, targets.filter(bool), targets)
def test_adding_in_two_steps_is_adding_once(cal, start, first, second):
    assert cal.add(cal.add(start, first), second) == cal.add(start, first + second)


@settings(max_examples=200, deadline=None)
@given(calendars, starts, targets, targets, targets)
def test_a_pause_moves_the_deadline_by_exactly_its_working_time(cal, start, target, p0, length):
    """Pause from add(start, p0) for ``length`` wall seconds; the deadline moves by the
    pause's working time and no more."""
    pause_start = cal.add(start, p0)
    pause_end = pause_start + dt.timedelta(seconds=length)
    paused = cal.between(pause_start, pause_end)
    due = cal.add(start, target + paused)
    assert cal.between(start, due) == pytest.approx(target + paused, abs=1e-6)
    assert due >= cal.add(start, target)
