"""The dashboard's chart series: a trend per week or month, and SLA breaches by the
local weekday and hour they fell due. Aggregated in SQL like the figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import Case, fn

from server.kpi.figures import ratio, select_in_scope
from server.kpi.period import Period
from server.kpi.sql import hour_bucket, parse_hour_bucket
from server.models import Ticket
from server.sla.clock import BREACHED, MET
from server.sla.models import TicketSla

# Periods up to this many days are drawn week by week, longer ones month by month.
WEEKLY_UP_TO_DAYS = 92


@dataclass(frozen=True)
class TrendPoint:
    """One step of the trend: tickets created, and clocks met/breached in it."""

    period: Period
    volume: int
    met: int
    breached: int

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.met, self.met + self.breached)


def trend_step(period: Period) -> str:
    """'week' for periods up to a quarter, else 'month'."""
    return "week" if period.days <= WEEKLY_UP_TO_DAYS else "month"


def _bucket_of(column: object, bounds: list[dt.datetime]) -> Case:
    """The index of the bucket a timestamp falls in (``bounds`` are the buckets' ends)."""
    return Case(None, [(column < end, index) for index, end in enumerate(bounds)], None)


def trend(
    period: Period,
    zone: dt.tzinfo,
    *,
    plugin: str | None = None,
    outlet_id: int | None = None,
) -> list[TrendPoint]:
    """The period week by week (or month by month): volume and on-time clocks (all
    metrics together), each step a GROUP BY over the step's index."""
    buckets = period.buckets(trend_step(period))
    start, end = period.bounds(zone)
    ends = [bucket.bounds(zone)[1] for bucket in buckets]
    volume = [0] * len(buckets)
    met = [0] * len(buckets)
    breached = [0] * len(buckets)
    created = _bucket_of(Ticket.created_at, ends)
    query = (
        select_in_scope(Ticket, [created, fn.COUNT(Ticket.id)], None, plugin, outlet_id)
        .where((Ticket.created_at >= start) & (Ticket.created_at < end))
        .group_by(created)
    )
    for index, count in query.tuples():
        volume[index] = count
    stopped = _bucket_of(TicketSla.stopped_at, ends)
    query = (
        select_in_scope(
            TicketSla,
            [stopped, TicketSla.state, fn.COUNT(TicketSla.id)],
            None,
            plugin,
            outlet_id,
        )
        .where(
            (TicketSla.stopped_at >= start)
            & (TicketSla.stopped_at < end)
            & TicketSla.state.in_((MET, BREACHED))
        )
        .group_by(stopped, TicketSla.state)
    )
    for index, state, count in query.tuples():
        (met if state == MET else breached)[index] += count
    return [TrendPoint(bucket, volume[i], met[i], breached[i]) for i, bucket in enumerate(buckets)]


def breach_heatmap(
    period: Period,
    zone: dt.tzinfo,
    *,
    plugin: str | None = None,
    outlet_id: int | None = None,
) -> list[list[int]]:
    """Breached clocks whose deadline fell in the period, counted by the local weekday
    (row 0 = Monday) and hour (column 0–23) of the deadline. SQL counts them per UTC
    hour; each hour is then placed in the local week (zones with half-hour offsets are
    placed by the hour's start)."""
    grid = [[0] * 24 for _ in range(7)]
    start, end = period.bounds(zone)
    hour = hour_bucket(TicketSla.due_at)
    query = (
        select_in_scope(TicketSla, [hour, fn.COUNT(TicketSla.id)], None, plugin, outlet_id)
        .where(
            (TicketSla.state == BREACHED) & (TicketSla.due_at >= start) & (TicketSla.due_at < end)
        )
        .group_by(hour)
    )
    for text, count in query.tuples():
        local = parse_hour_bucket(text).replace(tzinfo=dt.UTC).astimezone(zone)
        grid[local.weekday()][local.hour] += count
    return grid
