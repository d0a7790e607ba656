"""What the KPI dashboard shows, as plain data: the figures of a period and the one
before, per group and in total, the trend, outlets side by side and the breach heat-map;
and each of its tables as export rows (the same numbers the page shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from server.kpi.cache import ClosedPeriodCache
from server.kpi.figures import KpiRow, figures_and_total, outlets_from_technicians
from server.kpi.period import Period
from server.kpi.series import TrendPoint, breach_heatmap, trend, trend_step
from server.models import utcnow
from server.plugin_api import Column, Label

METRIC_LABELS = {
    "first_response": Label("响应", "First response"),
    "arrival": Label("到场", "Arrival"),
    "resolution": Label("解决", "Resolution"),
}
WEEKDAYS = (
    Label("周一", "Mon"),
    Label("周二", "Tue"),
    Label("周三", "Wed"),
    Label("周四", "Thu"),
    Label("周五", "Fri"),
    Label("周六", "Sat"),
    Label("周日", "Sun"),
)
TABLES = ("summary", "groups", "trend", "outlets", "heatmap")


def metric_label(metric: str) -> Label:
    return METRIC_LABELS.get(metric, Label(metric, metric))


def overall_on_time(row: KpiRow) -> float | None:
    """Met / (met + breached) over every metric of the row."""
    met, breached = sum(row.met.values()), sum(row.breached.values())
    return met / (met + breached) if met + breached else None


def delta(now: float | None, before: float | None) -> float | None:
    """``now - before``, or None when either is missing."""
    return None if now is None or before is None else now - before


@dataclass(frozen=True)
class PeriodFigures:
    """One period's figures as the dashboard shows them (``full``: with the charts')."""

    rows: list[KpiRow]
    total: KpiRow
    outlets: list[KpiRow] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    heatmap: list[list[int]] = field(default_factory=list)


def period_figures(
    period: Period, group_by: str, zone: dt.tzinfo, plugin: str | None, full: bool
) -> PeriodFigures:
    """The figures per group and in total; with ``full`` also outlets side by side
    (only the figures their bars show), the trend and the breach heat-map."""
    rows, total = figures_and_total(period, group_by, plugin=plugin, zone=zone)
    if not full:
        return PeriodFigures(rows, total)
    if group_by == "outlet":
        outlets = rows
    elif group_by == "technician":
        outlets = outlets_from_technicians(rows)
    else:
        outlets, _total = figures_and_total(
            period, "outlet", plugin=plugin, zone=zone, parts=OUTLET_PARTS
        )
    return PeriodFigures(
        rows,
        total,
        [r for r in outlets if r.key is not None],
        trend(period, zone, plugin=plugin),
        breach_heatmap(period, zone, plugin=plugin),
    )


OUTLET_PARTS = frozenset({"volume", "sla", "satisfaction"})


@dataclass(frozen=True)
class Dashboard:
    period: Period
    previous: Period
    group_by: str
    current: PeriodFigures
    before_figures: PeriodFigures
    metrics: list[str]
    trend_step: str

    @property
    def total(self) -> KpiRow:
        return self.current.total

    @property
    def previous_total(self) -> KpiRow:
        return self.before_figures.total

    @property
    def rows(self) -> list[KpiRow]:
        return self.current.rows

    @property
    def previous_rows(self) -> dict[Any, KpiRow]:
        return {r.key: r for r in self.before_figures.rows}

    @property
    def outlets(self) -> list[KpiRow]:
        return self.current.outlets

    @property
    def trend(self) -> list[TrendPoint]:
        return self.current.trend

    @property
    def heatmap(self) -> list[list[int]]:
        return self.current.heatmap

    @property
    def empty(self) -> bool:
        return self.total.volume == 0 and self.total.backlog == 0 and not self.metrics

    def before(self, row: KpiRow) -> KpiRow | None:
        return self.previous_rows.get(row.key)


def build_dashboard(
    period: Period,
    group_by: str,
    zone: dt.tzinfo,
    *,
    plugin: str | None = None,
    cache: ClosedPeriodCache | None = None,
) -> Dashboard:
    """Everything the page shows for ``period`` and the period before it; a period that
    has ended comes from ``cache`` while fresh there."""
    previous = period.previous()

    def get(which: Period, full: bool) -> PeriodFigures:
        def compute() -> PeriodFigures:
            return period_figures(which, group_by, zone, plugin, full)

        if cache is None:
            return compute()
        closed = which.bounds(zone)[1] <= utcnow()
        key = ("dashboard", which, group_by, plugin, str(zone), full)
        return cache.get(key, compute, closed=closed)

    current, before = get(period, True), get(previous, False)
    metrics = sorted(
        {m for r in [current.total, before.total, *current.rows] for m in r.met},
        key=lambda m: (list(METRIC_LABELS).index(m) if m in METRIC_LABELS else 9, m),
    )
    return Dashboard(period, previous, group_by, current, before, metrics, trend_step(period))


# --- the tables as export rows ----------------------------------------------------------


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _round(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


def summary_rows(board: Dashboard) -> tuple[list[Column], list[dict[str, Any]]]:
    """Figure · this period · previous period · change."""
    now, before = board.total, board.previous_total
    lines: list[tuple[Label, float | None, float | None]] = [
        (Label("工单量", "Volume"), now.volume, before.volume),
    ]
    for m in board.metrics:
        name = metric_label(m)
        lines.append(
            (
                Label(f"{name.zh}及时率 %", f"{name.en} on time %"),
                _pct(now.on_time_rate.get(m)),
                _pct(before.on_time_rate.get(m)),
            )
        )
        lines.append(
            (
                Label(f"{name.zh}中位工作分钟", f"{name.en} median working minutes"),
                _round(now.median_minutes.get(m)),
                _round(before.median_minutes.get(m)),
            )
        )
        lines.append(
            (
                Label(f"{name.zh}平均工作分钟", f"{name.en} mean working minutes"),
                _round(now.mean_minutes.get(m)),
                _round(before.mean_minutes.get(m)),
            )
        )
    lines += [
        (Label("期末积压", "Backlog at the end"), now.backlog, before.backlog),
        (
            Label("积压平均天数", "Backlog mean age (days)"),
            _round(now.backlog_age_mean_days),
            _round(before.backlog_age_mean_days),
        ),
        (
            Label("积压最长天数", "Backlog oldest (days)"),
            _round(now.backlog_age_max_days),
            _round(before.backlog_age_max_days),
        ),
        (
            Label("一次修复率 %", "First-time fix %"),
            _pct(now.first_time_fix_rate),
            _pct(before.first_time_fix_rate),
        ),
        (Label("重复维修", "Repeat repairs"), now.repeat_repairs, before.repeat_repairs),
        (
            Label("满意度均分", "Satisfaction average"),
            _round(now.satisfaction_avg, 2),
            _round(before.satisfaction_avg, 2),
        ),
        (
            Label("回访评分数", "Satisfaction answers"),
            now.satisfaction_total,
            before.satisfaction_total,
        ),
        (Label("投诉", "Complaints"), now.complaint_count, before.complaint_count),
        (
            Label("投诉率 %", "Complaint rate %"),
            _pct(now.complaint_rate),
            _pct(before.complaint_rate),
        ),
    ]
    columns = [
        Column("figure", Label("指标", "Figure")),
        Column("now", Label(str(board.period), str(board.period))),
        Column("before", Label(str(board.previous), str(board.previous))),
        Column("change", Label("变化", "Change")),
    ]
    rows = [
        {"figure": name, "now": a, "before": b, "change": _round(delta(a, b), 2)}
        for name, a, b in lines
    ]
    return columns, rows


def group_columns(board: Dashboard, group_label: Label) -> list[Column]:
    columns = [Column("group", group_label), Column("volume", Label("工单量", "Volume"))]
    columns.append(Column("volume_change", Label("工单量变化", "Volume change")))
    for m in board.metrics:
        name = metric_label(m)
        columns += [
            Column(f"on_time_{m}", Label(f"{name.zh}及时率 %", f"{name.en} on time %")),
            Column(
                f"on_time_{m}_change", Label(f"{name.zh}及时率变化", f"{name.en} on time change")
            ),
            Column(f"median_{m}", Label(f"{name.zh}中位分钟", f"{name.en} median min")),
        ]
    columns += [
        Column("backlog", Label("积压", "Backlog")),
        Column("backlog_age", Label("积压平均天数", "Backlog mean age (d)")),
        Column("first_time_fix", Label("一次修复率 %", "First-time fix %")),
        Column("repeat_repairs", Label("重复维修", "Repeat repairs")),
        Column("satisfaction", Label("满意度", "Satisfaction")),
        Column("complaints", Label("投诉", "Complaints")),
        Column("complaint_rate", Label("投诉率 %", "Complaint rate %")),
    ]
    return columns


def group_rows(board: Dashboard, rows: Sequence[KpiRow] | None = None) -> list[dict[str, Any]]:
    """One line per group with the change against the previous period."""
    out = []
    for row in board.rows if rows is None else rows:
        before = board.before(row)
        line: dict[str, Any] = {
            "group": row.label,
            "volume": row.volume,
            "volume_change": row.volume - (before.volume if before else 0),
            "backlog": row.backlog,
            "backlog_age": _round(row.backlog_age_mean_days),
            "first_time_fix": _pct(row.first_time_fix_rate),
            "repeat_repairs": row.repeat_repairs,
            "satisfaction": _round(row.satisfaction_avg, 2),
            "complaints": row.complaint_count,
            "complaint_rate": _pct(row.complaint_rate),
        }
        for m in board.metrics:
            rate = _pct(row.on_time_rate.get(m))
            line[f"on_time_{m}"] = rate
            line[f"on_time_{m}_change"] = _round(
                delta(rate, _pct(before.on_time_rate.get(m)) if before else None)
            )
            line[f"median_{m}"] = _round(row.median_minutes.get(m))
        out.append(line)
    return out


def trend_table(board: Dashboard) -> tuple[list[Column], list[dict[str, Any]]]:
    columns = [
        Column("from", Label("开始", "From")),
        Column("to", Label("结束", "To")),
        Column("volume", Label("工单量", "Volume")),
        Column("met", Label("按时", "On time")),
        Column("breached", Label("超时", "Late")),
        Column("on_time", Label("及时率 %", "On time %")),
    ]
    rows = [
        {
            "from": p.period.start,
            "to": p.period.end,
            "volume": p.volume,
            "met": p.met,
            "breached": p.breached,
            "on_time": _pct(p.on_time_rate),
        }
        for p in board.trend
    ]
    return columns, rows


def outlet_table(board: Dashboard) -> tuple[list[Column], list[dict[str, Any]]]:
    columns = [
        Column("outlet", Label("网点", "Outlet")),
        Column("volume", Label("工单量", "Volume")),
        Column("on_time", Label("及时率 %", "On time %")),
        Column("satisfaction", Label("满意度", "Satisfaction")),
        Column("answers", Label("回访评分数", "Satisfaction answers")),
    ]
    rows = [
        {
            "outlet": r.label,
            "volume": r.volume,
            "on_time": _pct(overall_on_time(r)),
            "satisfaction": _round(r.satisfaction_avg, 2),
            "answers": r.satisfaction_total,
        }
        for r in board.outlets
    ]
    return columns, rows


def heatmap_table(board: Dashboard) -> tuple[list[Column], list[dict[str, Any]]]:
    columns = [Column("weekday", Label("星期", "Weekday"))] + [
        Column(f"h{hour}", Label(f"{hour:02d}", f"{hour:02d}")) for hour in range(24)
    ]
    rows = [
        {"weekday": WEEKDAYS[day], **{f"h{hour}": board.heatmap[day][hour] for hour in range(24)}}
        for day in range(7)
    ]
    return columns, rows
