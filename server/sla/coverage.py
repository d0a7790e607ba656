"""Which calendars lack holiday data for the years that matter, said in plain words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from server.i18n import gettext
from server.sla.calendar import BusinessCalendar


def coverage_problems(calendars: Mapping[str, BusinessCalendar], years: Iterable[int]) -> list[str]:
    """One sentence per calendar and year its holiday source does not cover."""
    problems = []
    for name, calendar in sorted(calendars.items()):
        for year in calendar.uncovered_years(sorted(set(years))):
            problems.append(
                gettext(
                    "Calendar '%(name)s' has no holiday data for %(year)s: deadlines in "
                    "%(year)s count ordinary weeks (no holidays, no make-up days) until the "
                    "holiday package is updated (pip install -U chinesecalendar).",
                    name=name,
                    year=year,
                )
            )
    return problems


def coverage_summary(name: str, calendar: BusinessCalendar) -> str:
    """``office (Asia/Shanghai): holiday data for 2004–2026`` and the like."""
    covered = calendar.rules.covered_years
    if covered is None:
        span = "no year-by-year holiday data needed"
    elif covered:
        span = f"holiday data for {min(covered)}–{max(covered)}"
    else:
        span = "no holiday data at all"
    return f"{name} ({calendar.timezone}): {span}"
