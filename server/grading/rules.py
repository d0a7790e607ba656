"""``[grading]``: ordered grades, each with a settlement factor and thresholds.

The first grade whose thresholds all hold wins; the last grade has no thresholds, so
every outlet gets one. Rates and shares are fractions 0–1 (0.95 = 95 %), satisfaction
is the 1–5 callback average, volume a number of tickets.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from server.sla.settings import SettingsError, checked_table


@dataclass(frozen=True)
class Threshold:
    """What a threshold key compares: the figure, the direction, its name and its range."""

    figure: str
    at_least: bool  # min_… (figure ≥ limit) or max_… (figure ≤ limit)
    name: str
    percent: bool = False
    low: float = 0.0
    high: float = 1.0
    whole: bool = False


THRESHOLDS: dict[str, Threshold] = {
    "min_on_time_rate": Threshold("on_time_rate", True, "on-time rate", percent=True),
    "min_satisfaction": Threshold("satisfaction", True, "satisfaction", low=1.0, high=5.0),
    "max_complaint_rate": Threshold("complaint_rate", False, "complaint rate", percent=True),
    "min_first_time_fix_rate": Threshold(
        "first_time_fix_rate", True, "first-time-fix rate", percent=True
    ),
    "max_unsatisfied_share": Threshold(
        "unsatisfied_share", False, "unsatisfied share", percent=True
    ),
    "min_volume": Threshold("volume", True, "volume", high=1_000_000_000, whole=True),
}
GRADE_KEYS = ("grade", "factor", *THRESHOLDS)


@dataclass(frozen=True)
class Grade:
    """One grade: its name, settlement factor and thresholds (key → limit)."""

    grade: str
    factor: decimal.Decimal
    thresholds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class GradingSettings:
    """The parsed ``[grading]`` section (no grades: the grading page says so)."""

    grades: tuple[Grade, ...] = ()


def parse_grading(raw: Any) -> GradingSettings:
    """The ``[grading]`` table → settings; raises :class:`SettingsError` naming the key."""
    checked_table(raw, "grading", ("grades",), "must be a table, e.g. [grading]")
    grades_raw = raw.get("grades", [])
    if not isinstance(grades_raw, list):
        raise SettingsError("grading.grades", "must be an array of tables: [[grading.grades]]")
    grades = tuple(_parse_grade(table, n) for n, table in enumerate(grades_raw, start=1))
    names: set[str] = set()
    for number, grade in enumerate(grades, start=1):
        prefix = f"grading.grades[{number}]"
        if grade.grade in names:
            raise SettingsError(f"{prefix}.grade", f"{grade.grade!r} is used twice")
        names.add(grade.grade)
        last = number == len(grades)
        if last and grade.thresholds:
            raise SettingsError(
                prefix, "the last grade must have no thresholds (it takes every other outlet)"
            )
        if not last and not grade.thresholds:
            raise SettingsError(
                prefix,
                "only the last grade may have no thresholds (the ones after it could never apply)",
            )
    return GradingSettings(grades=grades)


def _parse_grade(table: Any, number: int) -> Grade:
    prefix = f"grading.grades[{number}]"
    checked_table(table, prefix, GRADE_KEYS)
    name = table.get("grade")
    if not isinstance(name, str) or not name.strip() or len(name) > 10:
        raise SettingsError(f"{prefix}.grade", 'must be a short name such as "A" (≤ 10 characters)')
    factor = _factor(table.get("factor"), f"{prefix}.factor")
    thresholds = {}
    for key, spec in THRESHOLDS.items():
        if key not in table:
            continue
        value = table[key]
        wrong_type = isinstance(value, bool) or not isinstance(value, int | float)
        if spec.whole:
            wrong_type = wrong_type or not isinstance(value, int)
        if wrong_type or not spec.low <= value <= spec.high:
            kind = "a whole number" if spec.whole else "a number"
            scale = " (a fraction: 0.95 is 95 %)" if spec.percent else ""
            raise SettingsError(
                f"{prefix}.{key}",
                f"must be {kind} from {spec.low:g} to {spec.high:g}{scale}, got {value!r}",
            )
        thresholds[key] = value
    return Grade(grade=name.strip(), factor=factor, thresholds=thresholds)


def _factor(value: Any, key: str) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SettingsError(key, f"must be a settlement factor such as 1.10, got {value!r}")
    try:
        factor = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise SettingsError(
            key, f"must be a settlement factor such as 1.10, got {value!r}"
        ) from None
    if not factor.is_finite() or not 0 < factor <= 10:
        raise SettingsError(key, "must be greater than 0 and at most 10")
    return factor
