"""Shared set-up for the complaint tests: an app with an office calendar in Shanghai."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import build_app

OFFICE = {
    "timezone": "Asia/Shanghai",
    "holidays": "none",
    "weekdays": ["09:00-12:00", "13:00-18:00"],
}
COMPLAINTS = {
    "calendar": "office",
    "stage_hours": {"record": 4, "investigate": 16, "act": 24, "feedback": 8, "follow_up": 24},
    "escalate_every_hours": 4,
}


def complaint_app(tmp_path: Path, **sections: Any) -> Flask:
    """The sample plugin, an 8-hour office calendar (Asia/Shanghai) and the complaint limits."""
    sections.setdefault("sla", {"calendars": {"office": OFFICE}})
    sections.setdefault("complaints", COMPLAINTS)
    return build_app(tmp_path, **sections)


def shanghai(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Naive UTC for March ``day``, 2026 at ``hour:minute`` in Shanghai (UTC+8)."""
    return dt.datetime(2026, 3, day, hour, minute) - dt.timedelta(hours=8)
