"""Where holidays come from: China's official schedule, other countries, config lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from server.sla.calendar import DayRules

# Years asked of algorithmic sources (the `holidays` package) when building rules.
_ALGORITHMIC_YEARS = range(2000, 2101)


class HolidaySourceError(ValueError):
    """An unknown holiday source (e.g. a country code the `holidays` package lacks)."""


def china_rules() -> DayRules:
    """China's statutory holidays and make-up working days (调休) from `chinesecalendar`.

    The package carries the State Council's published schedule, one year at a time; the
    years it has no data for are left uncovered (and reported), never guessed.
    """
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    workdays = frozenset(day for day in constants.workdays if day.weekday() >= 5)
    years = {day.year for day in holidays}
    return DayRules(holidays=holidays, extra_workdays=workdays, covered_years=frozenset(years))


def country_rules(code: str, subdivision: str | None = None) -> DayRules:
    """Public holidays of a country (ISO code) from the `holidays` package.

    Its rules are algorithmic, so every year counts as covered; countries whose holidays
    are announced year by year are better served by a dedicated source (China: "china").
    """
    import holidays

    try:
        calendar = holidays.country_holidays(code, subdiv=subdivision, years=_ALGORITHMIC_YEARS)
    except NotImplementedError:
        raise HolidaySourceError(f"no holiday data for country code {code!r}") from None
    return DayRules(holidays=frozenset(calendar), covered_years=None)


def rules_for(source: str) -> DayRules:
    """``"china"``, ``"none"``, a country code (``"US"``) or ``"US-CA"`` (with subdivision)."""
    if source == "none":
        return DayRules()
    if source == "china":
        return china_rules()
    code, _, subdivision = source.partition("-")
    return country_rules(code, subdivision or None)


def with_extra_days(
    rules: DayRules, extra_holidays: Iterable[dt.date], extra_workdays: Iterable[dt.date]
) -> DayRules:
    """The source's rules plus dates a firm lists itself; a listed working day wins."""
    workdays = frozenset(extra_workdays)
    return DayRules(
        holidays=(rules.holidays | frozenset(extra_holidays)) - workdays,
        extra_workdays=rules.extra_workdays | workdays,
        covered_years=rules.covered_years,
    )
