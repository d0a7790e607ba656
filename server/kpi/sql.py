"""The two date expressions the KPI queries need that SQL does not spell the same way
on SQLite and PostgreSQL; everything else is plain peewee."""

from __future__ import annotations

import datetime as dt

import peewee
from peewee import fn

from server.db import is_sqlite

# julianday() of 1970-01-01 00:00:00 UTC
_UNIX_JULIAN_DAY = 2440587.5


def epoch(column: peewee.Node) -> peewee.Node:
    """Seconds since 1970 of a naive-UTC timestamp column (a float)."""
    if is_sqlite():
        return (fn.julianday(column) - _UNIX_JULIAN_DAY) * 86400.0
    return fn.date_part("epoch", column)


def hour_bucket(column: peewee.Node) -> peewee.Node:
    """The timestamp cut to its (UTC) hour, as text ``YYYY-MM-DD HH`` on both databases."""
    # coerce(False): the text as is, not converted as if it were the timestamp column
    if is_sqlite():
        return fn.strftime("%Y-%m-%d %H", column).coerce(False)
    return fn.to_char(column, "YYYY-MM-DD HH24").coerce(False)


def parse_hour_bucket(value: str | dt.datetime) -> dt.datetime:
    """The naive-UTC start of an :func:`hour_bucket` value."""
    if isinstance(value, dt.datetime):
        return value.replace(minute=0, second=0, microsecond=0)
    return dt.datetime.strptime(value, "%Y-%m-%d %H")


def as_datetime(value: object) -> dt.datetime | None:
    """A timestamp read through an aggregate (SQLite gives text)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))
