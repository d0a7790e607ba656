"""The plugin's ``[plugin.tobacco_retail]`` table, checked once at start-up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_CYCLES = {"A": 7, "B": 14, "C": 30, "D": 60}
KNOWN_KEYS = ("visit_cycle_days", "default_visit_cycle_days")
_MAX_DAYS = 366
_GRADE = re.compile(r"^[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class Settings:
    """Visit cycle in days per customer grade (tier), and for grades not listed."""

    visit_cycle_days: Mapping[str, int]
    default_visit_cycle_days: int

    def cycle_for(self, grade: str) -> int:
        """Days between visits for a retailer of ``grade``."""
        return self.visit_cycle_days.get(grade, self.default_visit_cycle_days)


def parse(table: Mapping[str, Any]) -> Settings:
    """Checked settings; a bad value raises ValueError with one line naming the key."""
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r} (known: {', '.join(KNOWN_KEYS)})")
    cycles = table.get("visit_cycle_days", DEFAULT_CYCLES)
    if not isinstance(cycles, Mapping) or not cycles:
        raise ValueError("visit_cycle_days must be a table of grade = days, e.g. { A = 7 }")
    for grade in cycles:
        if not _GRADE.match(str(grade)):
            raise ValueError(f"visit_cycle_days: grade {grade!r} must be 1-10 letters or digits")
    checked = {
        str(grade): _days(f"visit_cycle_days.{grade}", days) for grade, days in cycles.items()
    }
    default = _days("default_visit_cycle_days", table.get("default_visit_cycle_days", 30))
    return Settings(visit_cycle_days=checked, default_visit_cycle_days=default)


def _days(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_DAYS:
        raise ValueError(f"{key} must be a whole number of days from 1 to {_MAX_DAYS}")
    return value
