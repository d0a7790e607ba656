"""Availability per contract: downtime from P1 incidents against the contract's calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from server.plugin_api import TicketSpan, working_minutes

from .entitlement import ZONE
from .priority import priority_level
from .settings import Settings
from .sla import BUSINESS

# Gold contracts are served round the clock; the others in the plugin's business-hours
# calendar (weekdays 09:00–18:00, China's holidays and make-up working days).


@dataclass(frozen=True)
class Availability:
    """Service minutes in the period, minutes lost to P1 incidents, and the outages."""

    service_minutes: int
    downtime_minutes: int
    outages: tuple[TicketSpan, ...]

    @property
    def percent(self) -> float:
        """Availability in percent (100 when there was no service time at all)."""
        if not self.service_minutes:
            return 100.0
        return 100.0 * (self.service_minutes - self.downtime_minutes) / self.service_minutes


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The Beijing calendar month as naive-UTC ``[start, end)``."""
    first = dt.datetime(year, month, 1, tzinfo=ZONE)
    after = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=ZONE)
    return _utc(first), _utc(after)


def service_minutes(start: dt.datetime, end: dt.datetime, tier: str) -> int:
    """Minutes of ``[start, end)`` (naive UTC) inside the tier's service calendar."""
    if end <= start:
        return 0
    if tier == "gold":
        return int((end - start).total_seconds() // 60)
    return working_minutes(BUSINESS, start, end)


def availability(
    settings: Settings,
    spans: Iterable[TicketSpan],
    start: dt.datetime,
    end: dt.datetime,
    tier: str,
    now: dt.datetime,
) -> Availability:
    """Downtime is the union of P1 incidents' open times (call → resolved, or now while
    open), clipped to the period and counted in the contract's service calendar."""
    outages = tuple(s for s in spans if priority_level(settings, s.ticket.attributes) == "P1")
    intervals = sorted(
        (max(s.ticket.reported_at, start), min(s.resolved_at or now, end)) for s in outages
    )
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for lo, hi in intervals:
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    down = sum(service_minutes(lo, hi, tier) for lo, hi in merged)
    return Availability(service_minutes(start, min(end, max(now, start)), tier), down, outages)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone(ZONE)
