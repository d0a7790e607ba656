"""Business calendars and deadline arithmetic over precomputed working-interval tables.

Pure: no Flask, no database. A calendar is an IANA time zone, weekly working windows
(several a day), holidays and extra working days (China's 调休 make-up days). Working
time is real elapsed time inside the windows, so a window that spans a DST change counts
the hours that actually pass.

For each year it is asked about, a calendar builds a table of working intervals as UTC
epoch seconds with running totals; ``add`` and ``between`` are then two binary searches.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

Window = tuple[dt.time, dt.time | None]  # end None means midnight at the end of the day
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A deadline is searched for at most this many years ahead of its start.
_MAX_YEARS_AHEAD = 30


class CalendarError(ValueError):
    """A calendar that cannot be used (no working time, overlapping windows …)."""


def parse_window(text: str) -> Window:
    """``"09:00-12:00"`` → (09:00, 12:00); ``"00:00-24:00"`` is the whole day."""
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start = dt.time.fromisoformat(start_text)
        end = None if end_text == "24:00" else dt.time.fromisoformat(end_text)
    except ValueError:
        raise CalendarError(f"{text!r} is not a window like 09:00-12:00") from None
    if end is not None and end <= start:
        raise CalendarError(f"{text!r} ends before it starts")
    return (start, end)


def check_windows(windows: Sequence[Window]) -> tuple[Window, ...]:
    """Windows sorted; overlapping or touching-out-of-order ones are refused."""
    ordered = sorted(windows, key=lambda w: w[0])
    for (_s1, end1), (start2, _e2) in itertools.pairwise(ordered):
        if end1 is None or end1 > start2:
            raise CalendarError("working windows of one day overlap")
    return tuple(ordered)


@dataclass(frozen=True)
class DayRules:
    """Which days are special: holidays, extra working days, and the years known."""

    holidays: frozenset[dt.date] = frozenset()
    # Working days that would not be by the weekly pattern (make-up days), with the
    # windows they use.
    extra_workdays: frozenset[dt.date] = frozenset()
    # Years for which the holiday source has data; None means "no source needed" (for
    # example a 24×7 calendar, or one without holidays by choice).
    covered_years: frozenset[int] | None = None


@dataclass
class _Table:
    """Working intervals (UTC epoch seconds) of a span of years, with running totals."""

    first_year: int
    last_year: int
    low: float  # epoch of the first local midnight of first_year
    high: float  # epoch of the first local midnight after last_year
    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    # before[i] = working seconds in intervals 0..i-1; after[i] = before[i] + length_i
    before: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)


class BusinessCalendar:
    """A named working calendar; ``add`` and ``between`` work on aware datetimes."""

    def __init__(
        self,
        name: str,
        timezone: str,
        weekly: Mapping[int, Sequence[Window]],
        rules: DayRules | None = None,
        makeup_windows: Sequence[Window] | None = None,
    ) -> None:
        self.name = name
        self.zone = ZoneInfo(timezone)
        self.timezone = timezone
        self.weekly = {day: check_windows(weekly.get(day, ())) for day in range(7)}
        self.rules = rules or DayRules()
        default_makeup = next((w for w in self.weekly.values() if w), ())
        self.makeup_windows = check_windows(makeup_windows or default_makeup)
        if not any(self.weekly.values()) and not self.rules.extra_workdays:
            raise CalendarError(f"calendar {name!r} has no working time")
        self._table: _Table | None = None

    # --- days -------------------------------------------------------------------------

    def windows_on(self, day: dt.date) -> tuple[Window, ...]:
        """The working windows of a local date (empty on holidays and days off)."""
        if day in self.rules.holidays:
            return ()
        if day in self.rules.extra_workdays:
            return self.makeup_windows
        return self.weekly[day.weekday()]

    def covers(self, year: int) -> bool:
        """Whether the holiday source knows ``year`` (always true without a source)."""
        covered = self.rules.covered_years
        return covered is None or year in covered

    def uncovered_years(self, years: Iterable[int]) -> list[int]:
        return [year for year in years if not self.covers(year)]

    # --- arithmetic -------------------------------------------------------------------

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The instant ``seconds`` of working time after ``start`` (aware), in this zone.

        A start outside working time counts from the next window's opening (adding zero
        gives the start itself). A deadline that falls exactly on a window's end is that
        end, not the next opening.
        """
        if seconds < 0:
            raise ValueError("working time to add must not be negative")
        origin = _epoch(start)
        table = self._table_for(origin, origin)
        target = self._cumulative(table, origin) + seconds
        while target > table.after[-1]:
            if table.last_year - self._local_year(origin) > _MAX_YEARS_AHEAD:
                raise CalendarError(f"no deadline within {_MAX_YEARS_AHEAD} years")
            table = self._widen(table.first_year, table.last_year + 1)
            target = self._cumulative(table, origin) + seconds
        index = bisect.bisect_left(table.after, target)
        moment = max(origin, table.starts[index] + (target - table.before[index]))
        return dt.datetime.fromtimestamp(moment, self.zone)

    def between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working seconds from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        a, b = _epoch(start), _epoch(end)
        table = self._table_for(min(a, b), max(a, b))
        return self._cumulative(table, b) - self._cumulative(table, a)

    def _cumulative(self, table: _Table, moment: float) -> float:
        """Working seconds from the table's start up to ``moment``."""
        index = bisect.bisect_right(table.starts, moment) - 1
        if index < 0:
            return 0.0
        return table.before[index] + min(moment, table.ends[index]) - table.starts[index]

    def _local_year(self, moment: float) -> int:
        return dt.datetime.fromtimestamp(moment, self.zone).year

    def _table_for(self, low: float, high: float) -> _Table:
        """A table whose span holds both instants (the common case costs two compares)."""
        table = self._table
        if table is not None and table.low <= low and high < table.high:
            return table
        # One year of margin each side, so instants near New Year need no rebuild.
        return self._widen(self._local_year(low) - 1, self._local_year(high) + 1)

    def _widen(self, first_year: int, last_year: int) -> _Table:
        """Build the table for the union of the current span and the years asked for."""
        if self._table is not None:
            first_year = min(first_year, self._table.first_year)
            last_year = max(last_year, self._table.last_year)
        table = self._build(first_year, last_year)
        if not table.starts:
            raise CalendarError(
                f"calendar {self.name!r} has no working time in {first_year}-{last_year}"
            )
        self._table = table
        return table

    def _build(self, first_year: int, last_year: int) -> _Table:
        table = _Table(
            first_year,
            last_year,
            low=_local_epoch(dt.date(first_year, 1, 1), dt.time(0), self.zone),
            high=_local_epoch(dt.date(last_year + 1, 1, 1), dt.time(0), self.zone),
        )
        day = dt.date(first_year, 1, 1)
        stop = dt.date(last_year, 12, 31)
        running = 0.0
        while day <= stop:
            for start, end in self.windows_on(day):
                begin = _local_epoch(day, start, self.zone)
                if end is None:
                    finish = _local_epoch(day + dt.timedelta(days=1), dt.time(0), self.zone)
                else:
                    finish = _local_epoch(day, end, self.zone)
                if table.ends and begin < table.ends[-1]:
                    begin = table.ends[-1]  # a DST overlap must not count an hour twice
                if finish <= begin:
                    continue
                if table.ends and begin == table.ends[-1]:
                    # Touching windows (midnight in a 24×7 calendar) become one interval.
                    table.ends[-1] = finish
                    running += finish - begin
                    table.after[-1] = running
                    continue
                table.starts.append(begin)
                table.ends.append(finish)
                table.before.append(running)
                running += finish - begin
                table.after.append(running)
            day += dt.timedelta(days=1)
        return table


def _epoch(moment: dt.datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError("deadline arithmetic needs aware datetimes (with a time zone)")
    return moment.timestamp()


def _local_epoch(day: dt.date, at: dt.time, zone: ZoneInfo) -> float:
    """Epoch seconds of a local wall-clock time; a time skipped by DST maps forward."""
    return dt.datetime.combine(day, at, tzinfo=zone).timestamp()


def always_open(name: str = "24x7", timezone: str = "UTC") -> BusinessCalendar:
    """The 24×7 calendar: every minute is working time."""
    whole_day = ((dt.time(0), None),)
    return BusinessCalendar(name, timezone, dict.fromkeys(range(7), whole_day))
