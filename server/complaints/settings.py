"""The ``[complaints]`` config section: the working calendar and each stage's time limit."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from server.sla.settings import SettingsError, checked_table

# Working hours each open stage may take before it is overdue (sane defaults for a call
# centre: record the same morning, investigate within two working days, and so on).
DEFAULT_STAGE_HOURS: Mapping[str, float] = types.MappingProxyType(
    {"record": 4, "investigate": 16, "act": 24, "feedback": 8, "follow_up": 24}
)
SECTION_KEYS = ("calendar", "stage_hours", "escalate_every_hours")


@dataclass(frozen=True)
class ComplaintSettings:
    """The parsed ``[complaints]`` section."""

    # The SLA calendar (a [sla.calendars.<name>] or "24x7") stage limits are counted in.
    calendar: str = "24x7"
    # Working hours per open stage: record, investigate, act, feedback, follow_up.
    stage_hours: Mapping[str, float] = field(default_factory=lambda: DEFAULT_STAGE_HOURS)
    # Working hours between escalation levels once a stage is overdue.
    escalate_every_hours: float = 4

    def stage_seconds(self, stage: str) -> float:
        """The stage's limit in working seconds."""
        return float(self.stage_hours[stage]) * 3600

    @property
    def escalate_every_seconds(self) -> float:
        return float(self.escalate_every_hours) * 3600


def _hours(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 10000:
        raise SettingsError(key, f"must be working hours between 0 and 10000, got {value!r}")
    return value


def parse_complaints(raw: Any) -> ComplaintSettings:
    """The ``[complaints]`` table → settings; raises :class:`SettingsError` naming the key."""
    checked_table(raw, "complaints", SECTION_KEYS, "must be a table, e.g. [complaints]")
    calendar = raw.get("calendar", "24x7")
    if not isinstance(calendar, str) or not calendar:
        raise SettingsError("complaints.calendar", "must be a calendar name")
    hours_raw = raw.get("stage_hours", {})
    if not isinstance(hours_raw, Mapping):
        raise SettingsError("complaints.stage_hours", "must be a table, e.g. { record = 4 }")
    hours = dict(DEFAULT_STAGE_HOURS)
    for stage, value in hours_raw.items():
        if stage not in DEFAULT_STAGE_HOURS:
            raise SettingsError(
                f"complaints.stage_hours.{stage}",
                f"unknown stage (known: {', '.join(DEFAULT_STAGE_HOURS)})",
            )
        hours[stage] = _hours(value, f"complaints.stage_hours.{stage}")
    every = _hours(raw.get("escalate_every_hours", 4), "complaints.escalate_every_hours")
    return ComplaintSettings(
        calendar=calendar,
        stage_hours=types.MappingProxyType(hours),
        escalate_every_hours=every,
    )
