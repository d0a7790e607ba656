"""The SLA calculator: a policy, a priority, a start and pauses → each metric's deadline.

Shared by the admin page and ``POST /api/v1/sla/preview``. A pause given with a status
applies to the metrics that pause for that status; a pause without one applies to every
metric ("what if the clock had stood still then").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from server.catalog import Registry
from server.plugin_api import SlaPolicy
from server.sla.clock import deadline
from server.sla.engine import RESOLUTION_RESTS


@dataclass(frozen=True)
class PreviewPause:
    start: dt.datetime
    end: dt.datetime
    status: str | None = None


@dataclass(frozen=True)
class MetricPreview:
    metric: str
    calendar: str
    target_minutes: int
    due: dt.datetime
    paused_seconds: float


def preview(
    registry: Registry,
    policy: SlaPolicy,
    priority: str,
    reported_at: dt.datetime,
    pauses: Sequence[PreviewPause] = (),
) -> list[MetricPreview]:
    """Deadlines of every metric the policy sets for ``priority`` (aware datetimes)."""
    results = []
    for target in policy.targets:
        minutes = target.minutes.get(priority)
        if minutes is None:
            continue
        statuses = set(target.pause_statuses)
        if target.metric == "resolution":
            statuses.update(RESOLUTION_RESTS)
        segments = [(p.start, p.end) for p in pauses if p.status is None or p.status in statuses]
        calendar = registry.calendars[target.calendar]
        latest = max([reported_at, *(end for _start, end in segments)])
        due, paused = deadline(calendar, reported_at, minutes * 60, segments, latest)
        results.append(MetricPreview(target.metric, target.calendar, minutes, due, paused))
    return results
