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
    if is_sqlite():
        return fn.strftime("%Y-%m-%d %H", column)
    return fn.to_char(column, "YYYY-MM-DD HH24")


def parse_hour_bucket(text: str) -> dt.datetime:
    """The naive-UTC start of an :func:`hour_bucket` value."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H")


def as_datetime(value: object) -> dt.datetime | None:
    """A timestamp read through an aggregate (SQLite gives text)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))
