"""Monthly statements per person and the month's overview of everyone (reads only).

Months are calendar months in ``locale.timezone``. The dismissal review looks at the
calendar year up to the end of the statement's month, after cancellation and conversion:
three major demerits in that year — entered as such or made of threes — call for one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

import peewee

from server.merit.levels import LEVELS, Summary, empty_counts, summarise
from server.merit.models import MeritEntry
from server.models import User
from server.timeutil import local_to_utc

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
SORTS = ("name", "points", "money")


def parse_month(text: str) -> dt.date | None:
    """``"2026-11"`` → the first day of that month; None when it is not a month."""
    match = _MONTH.match(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2999):
        return None
    return dt.date(year, month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _utc(day: dt.date) -> dt.datetime:
    """Local midnight starting ``day``, as stored (naive UTC)."""
    return local_to_utc(dt.datetime(day.year, day.month, day.day))


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's start (included) and end (excluded) in naive UTC."""
    return _utc(month), _utc(next_month(month))


def year_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the year's first local midnight to the end of ``month``."""
    return _utc(dt.date(month.year, 1, 1)), _utc(next_month(month))


@dataclass(frozen=True)
class Statement:
    """One person's month: its entries (oldest first) and their summary."""

    user: User
    month: dt.date
    entries: list[MeritEntry]
    summary: Summary


def statement(user: User, month: dt.date) -> Statement:
    """The month's entries of ``user``, summed up and converted."""
    start, end = month_bounds(month)
    entries = list(
        MeritEntry.select()
        .where((MeritEntry.user == user.id) & (MeritEntry.at >= start) & (MeritEntry.at < end))
        .order_by(MeritEntry.at, MeritEntry.id)
    )
    counts = empty_counts()
    for entry in entries:
        counts[entry.level] += 1
    year_start, year_end = year_bounds(month)
    year_counts = _grouped(year_start, year_end, user_id=user.id)[0].get(user.id, empty_counts())
    money = sum(entry.amount_cents for entry in entries)
    return Statement(user, month, entries, summarise(counts, money, year_counts))


@dataclass(frozen=True)
class OverviewRow:
    user: User
    summary: Summary


def overview(month: dt.date, sort: str = "name", user_id: int | None = None) -> list[OverviewRow]:
    """Everyone's month (or ``user_id``'s): active users, and anyone else with entries.

    ``sort`` is ``name``, ``points`` or ``money``, ascending; ``-points`` etc. descending.
    """
    start, end = month_bounds(month)
    counts, money = _grouped(start, end, user_id)
    year_counts, _money = _grouped(*year_bounds(month), user_id)
    users = User.select().where(User.active | User.id.in_(list(counts) or [0]))
    if user_id is not None:
        users = users.where(User.id == user_id)
    rows = [
        OverviewRow(
            user,
            summarise(
                counts.get(user.id, empty_counts()),
                money.get(user.id, 0),
                year_counts.get(user.id, empty_counts()),
            ),
        )
        for user in users
    ]
    key = sort.lstrip("-")
    order = {
        "name": lambda row: (str(row.user).lower(), row.user.id),
        "points": lambda row: (row.summary.net_points, str(row.user).lower()),
        "money": lambda row: (row.summary.money_cents, str(row.user).lower()),
    }.get(key, lambda row: (str(row.user).lower(), row.user.id))
    return sorted(rows, key=order, reverse=sort.startswith("-"))


def _grouped(
    start: dt.datetime, end: dt.datetime, user_id: int | None = None
) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """Counts per user and level, and money per user, of the entries in [start, end)."""
    query = (
        MeritEntry.select(
            MeritEntry.user,
            MeritEntry.level,
            peewee.fn.COUNT(MeritEntry.id).alias("n"),
            peewee.fn.SUM(MeritEntry.amount_cents).alias("cents"),
        )
        .where((MeritEntry.at >= start) & (MeritEntry.at < end))
        .group_by(MeritEntry.user, MeritEntry.level)
    )
    if user_id is not None:
        query = query.where(MeritEntry.user == user_id)
    counts: dict[int, dict[str, int]] = defaultdict(empty_counts)
    money: dict[int, int] = defaultdict(int)
    for row in query.dicts():
        if row["level"] in LEVELS:
            counts[row["user"]][row["level"]] += row["n"]
        money[row["user"]] += int(row["cents"] or 0)
    return dict(counts), dict(money)
