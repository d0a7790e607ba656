"""Converting between the stored naive-UTC datetimes and the firm's local time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["aftersales"].config.locale.timezone)


def to_local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC value in the configured time zone."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(local_zone())


def local_to_utc(value: dt.datetime) -> dt.datetime:
    """A naive local wall-clock time (as typed in a form) as naive UTC for storage."""
    return value.replace(tzinfo=local_zone()).astimezone(dt.UTC).replace(tzinfo=None)


def local_today() -> dt.date:
    return dt.datetime.now(local_zone()).date()


def local_year() -> int:
    return dt.datetime.now(local_zone()).year
