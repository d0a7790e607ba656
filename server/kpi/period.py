"""A reporting period: whole local days, start and end inclusive.

Timestamps are stored as naive UTC; a period is a span of calendar days in the
configured time zone, so :meth:`Period.bounds` turns it into the naive-UTC half-open
range ``[start, end)`` the queries compare against.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

KINDS = ("month", "quarter", "year", "custom")


@dataclass(frozen=True)
class Period:
    """Days ``start`` … ``end`` (both included)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    # --- the usual periods ----------------------------------------------------------

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``year``-``month``."""
        last = calendar.monthrange(year, month)[1]
        return cls(dt.date(year, month, 1), dt.date(year, month, last))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter 1–4 of ``year``."""
        if quarter not in (1, 2, 3, 4):
            raise ValueError("a quarter is 1, 2, 3 or 4")
        first = 3 * (quarter - 1) + 1
        return cls(cls.month(year, first).start, cls.month(year, first + 2).end)

    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year."""
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def week(cls, day: dt.date) -> Period:
        """The week (Monday to Sunday) holding ``day``."""
        monday = day - dt.timedelta(days=day.weekday())
        return cls(monday, monday + dt.timedelta(days=6))

    # --- what it is -----------------------------------------------------------------

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def kind(self) -> str:
        """'month', 'quarter', 'year' for whole calendar ones, else 'custom'."""
        if self.start.day == 1 and self == Period.month(self.start.year, self.start.month):
            return "month"
        if (
            self.start.day == 1
            and self.start.month in (1, 4, 7, 10)
            and self == Period.quarter(self.start.year, (self.start.month + 2) // 3)
        ):
            return "year" if self == Period.year(self.start.year) else "quarter"
        if self == Period.year(self.start.year):
            return "year"
        return "custom"

    def previous(self) -> Period:
        """The period just before: the previous month, quarter or year for those, else
        the same number of days ending the day before ``start``."""
        kind = self.kind
        if kind == "month":
            before = self.start - dt.timedelta(days=1)
            return Period.month(before.year, before.month)
        if kind == "quarter":
            before = self.start - dt.timedelta(days=1)
            return Period.quarter(before.year, (before.month + 2) // 3)
        if kind == "year":
            return Period.year(self.start.year - 1)
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def bounds(self, zone: ZoneInfo | dt.tzinfo = dt.UTC) -> tuple[dt.datetime, dt.datetime]:
        """Naive-UTC ``[start, end)``: local midnight of ``start`` to that after ``end``."""
        return local_midnight_utc(self.start, zone), local_midnight_utc(
            self.end + dt.timedelta(days=1), zone
        )

    def buckets(self, step: str) -> list[Period]:
        """The period cut into weeks (Monday first) or calendar months, each clipped to
        the period: the trend chart's points."""
        if step not in ("week", "month"):
            raise ValueError("step is 'week' or 'month'")
        return list(self._buckets(step))

    def _buckets(self, step: str) -> Iterator[Period]:
        day = self.start
        while day <= self.end:
            whole = Period.week(day) if step == "week" else Period.month(day.year, day.month)
            end = min(whole.end, self.end)
            yield Period(day, end)
            day = end + dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        kind = self.kind
        if kind == "month":
            return f"{self.start:%Y-%m}"
        if kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        if kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def local_midnight_utc(day: dt.date, zone: ZoneInfo | dt.tzinfo) -> dt.datetime:
    """Midnight starting ``day`` in ``zone``, as naive UTC."""
    moment = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
