"""The plugin's ``[plugin.it_outsourcing]`` table, checked once at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LEVELS = ("high", "medium", "low")
PRIORITY_LEVELS = ("P1", "P2", "P3", "P4")
CORE_PRIORITIES = ("low", "normal", "high", "urgent")
KNOWN_KEYS = ("priority_matrix", "core_priority")

DEFAULT_MATRIX: dict[str, dict[str, str]] = {
    "high": {"high": "P1", "medium": "P2", "low": "P3"},
    "medium": {"high": "P2", "medium": "P3", "low": "P4"},
    "low": {"high": "P3", "medium": "P4", "low": "P4"},
}
DEFAULT_CORE_PRIORITY = {"P1": "urgent", "P2": "high", "P3": "normal", "P4": "low"}


@dataclass(frozen=True)
class Settings:
    """Impact × urgency → P1–P4, and each P-level's core priority."""

    priority_matrix: Mapping[str, Mapping[str, str]]
    core_priority: Mapping[str, str]

    def level(self, impact: str, urgency: str) -> str | None:
        """The P-level for ``impact`` (rows) × ``urgency`` (columns), None if unknown."""
        return self.priority_matrix.get(impact, {}).get(urgency)


def parse(table: Mapping[str, Any]) -> Settings:
    """Checked settings; a bad value raises ValueError with one line naming the key."""
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r} (known: {', '.join(KNOWN_KEYS)})")
    matrix = table.get("priority_matrix", DEFAULT_MATRIX)
    if not isinstance(matrix, Mapping) or sorted(matrix) != sorted(LEVELS):
        raise ValueError(f"priority_matrix must have one row per impact: {', '.join(LEVELS)}")
    checked: dict[str, dict[str, str]] = {}
    for impact, row in matrix.items():
        if not isinstance(row, Mapping) or sorted(row) != sorted(LEVELS):
            raise ValueError(
                f"priority_matrix.{impact} must give a level for each urgency: {', '.join(LEVELS)}"
            )
        for urgency, level in row.items():
            if level not in PRIORITY_LEVELS:
                raise ValueError(
                    f"priority_matrix.{impact}.{urgency} must be one of "
                    f"{', '.join(PRIORITY_LEVELS)}, not {level!r}"
                )
        checked[impact] = dict(row)
    core = table.get("core_priority", DEFAULT_CORE_PRIORITY)
    if not isinstance(core, Mapping) or sorted(core) != sorted(PRIORITY_LEVELS):
        raise ValueError(
            f"core_priority must map each of {', '.join(PRIORITY_LEVELS)} to a priority"
        )
    for level, priority in core.items():
        if priority not in CORE_PRIORITIES:
            raise ValueError(
                f"core_priority.{level} must be one of {', '.join(CORE_PRIORITIES)}, "
                f"not {priority!r}"
            )
    return Settings(priority_matrix=checked, core_priority=dict(core))
