"""The ``[sla.calendars.<name>]`` config tables, checked and turned into calendars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.sla.calendar import (
    WEEKDAYS,
    BusinessCalendar,
    CalendarError,
    Window,
    always_open,
    check_windows,
    parse_window,
)
from server.sla.holiday_sources import HolidaySourceError, rules_for, with_extra_days

ALWAYS_OPEN = "24x7"
CALENDAR_KEYS = (
    "timezone",
    "holidays",
    "weekdays",
    *WEEKDAYS,
    "makeup_days",
    "extra_holidays",
    "extra_workdays",
)


class SettingsError(ValueError):
    """A bad calendar setting: ``key`` is the dotted key, the message the problem."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}")


def checked_table(
    table: Any, key: str, allowed: Collection[str], problem: str = "must be a table"
) -> Mapping[str, Any]:
    """``table`` when it is a TOML table holding only ``allowed`` keys.

    :param key: the dotted key of the table, for the error (e.g. ``merit.rules[2]``).
    :param problem: what to say when it is not a table (e.g. "must be a table, e.g. [merit]").
    :raises SettingsError: naming the table or its first unknown key.
    """
    if not isinstance(table, Mapping):
        raise SettingsError(key, problem)
    for name in table:
        if name not in allowed:
            raise SettingsError(f"{key}.{name}", "unknown key")
    return table


@dataclass(frozen=True)
class CalendarSettings:
    """One calendar as configured (a plugin's ``CalendarSpec`` becomes one too)."""

    name: str
    timezone: str
    holidays: str = "none"
    weekly: Mapping[int, tuple[Window, ...]] = field(default_factory=dict)
    makeup_days: tuple[Window, ...] | None = None
    extra_holidays: tuple[dt.date, ...] = ()
    extra_workdays: tuple[dt.date, ...] = ()


def parse_calendars(raw: Any, default_timezone: str) -> dict[str, CalendarSettings]:
    """``[sla.calendars]`` → settings by name; raises :class:`SettingsError`."""
    if not isinstance(raw, dict):
        raise SettingsError(
            "sla.calendars", "must be a table of tables, e.g. [sla.calendars.office]"
        )
    calendars = {}
    for name, table in raw.items():
        prefix = f"sla.calendars.{name}"
        if name == ALWAYS_OPEN:
            raise SettingsError(prefix, f"{ALWAYS_OPEN!r} is built in and cannot be redefined")
        if not isinstance(table, dict):
            raise SettingsError(prefix, "must be a table")
        calendars[name] = parse_calendar(name, table, default_timezone, prefix)
    return calendars


def parse_calendar(
    name: str, table: Mapping[str, Any], default_timezone: str, prefix: str
) -> CalendarSettings:
    for key in table:
        if key not in CALENDAR_KEYS:
            raise SettingsError(f"{prefix}.{key}", "unknown key")
    timezone = _string(table, "timezone", prefix, default_timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{prefix}.timezone", "not a known IANA time zone") from None
    weekdays = _windows(table, "weekdays", prefix)
    weekly = {}
    for index, day in enumerate(WEEKDAYS):
        default = weekdays if index < 5 else ()
        weekly[index] = _windows(table, day, prefix) if day in table else default or ()
    settings = CalendarSettings(
        name=name,
        timezone=timezone,
        holidays=_string(table, "holidays", prefix, "none"),
        weekly=weekly,
        makeup_days=_windows(table, "makeup_days", prefix) if "makeup_days" in table else None,
        extra_holidays=_dates(table, "extra_holidays", prefix),
        extra_workdays=_dates(table, "extra_workdays", prefix),
    )
    build_calendar(settings, prefix)  # refuse now what would fail later
    return settings


def build_calendar(settings: CalendarSettings, prefix: str = "") -> BusinessCalendar:
    """The working calendar for ``settings``; raises :class:`SettingsError`."""
    prefix = prefix or f"sla.calendars.{settings.name}"
    try:
        rules = rules_for(settings.holidays)
    except HolidaySourceError as exc:
        raise SettingsError(f"{prefix}.holidays", str(exc)) from None
    rules = with_extra_days(rules, settings.extra_holidays, settings.extra_workdays)
    try:
        return BusinessCalendar(
            settings.name, settings.timezone, settings.weekly, rules, settings.makeup_days
        )
    except CalendarError as exc:
        raise SettingsError(prefix, str(exc)) from None


def build_calendars(
    configured: Mapping[str, CalendarSettings], default_timezone: str
) -> dict[str, BusinessCalendar]:
    """Every calendar by name, with the built-in 24×7 one in the default time zone."""
    calendars = {ALWAYS_OPEN: always_open(ALWAYS_OPEN, default_timezone)}
    for name, settings in configured.items():
        calendars[name] = build_calendar(settings)
    return calendars


def _string(table: Mapping[str, Any], key: str, prefix: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise SettingsError(f"{prefix}.{key}", f"must be a non-empty string, got {value!r}")
    return value


def _windows(table: Mapping[str, Any], key: str, prefix: str) -> tuple[Window, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SettingsError(f"{prefix}.{key}", 'must be a list like ["09:00-12:00", "13:00-18:00"]')
    try:
        return check_windows([parse_window(item) for item in value])
    except CalendarError as exc:
        raise SettingsError(f"{prefix}.{key}", str(exc)) from None


def _dates(table: Mapping[str, Any], key: str, prefix: str) -> tuple[dt.date, ...]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise SettingsError(f"{prefix}.{key}", "must be a list of dates like [2026-12-24]")
    for item in value:
        if not isinstance(item, dt.date) or isinstance(item, dt.datetime):
            raise SettingsError(f"{prefix}.{key}", f"{item!r} is not a date like 2026-12-24")
    return tuple(value)
