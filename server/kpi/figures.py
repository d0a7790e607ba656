"""KPI figures per period and group, aggregated in SQL.

``figures(period, group_by)`` answers one :class:`KpiRow` per group (plugin, outlet,
team, technician, or one row for everything). Each figure is one GROUP BY query over
the period's rows, except the clock figures: the period's clocks are read once and
counted, averaged and sorted per group in Python (the medians need every value).
What each figure counts:

- ``volume``: tickets created in the period.
- ``met`` / ``breached`` / ``on_time_rate`` per SLA metric: clocks whose event (first
  response, arrival, resolution, a milestone) happened in the period, met on time /
  (met + breached). Clocks that ended without their event (cancelled tickets, resolved
  without a visit) are not counted.
- ``mean_minutes`` / ``median_minutes`` per metric: the working minutes those clocks
  used (their calendar, pauses taken out: ``ticket_sla.elapsed_seconds``).
- ``backlog``: tickets created before the period's end and still open at its end (not
  resolved, closed or cancelled by then); ``backlog_age_mean_days`` /
  ``backlog_age_max_days``: their age at the period's end in calendar days. A ticket
  reopened later counts as open from its creation (its earlier resolution is not kept).
- ``first_time_fix_rate``: tickets resolved in the period that have result reports,
  whose only report says resolved (by phone or on site) / those with reports.
- ``repeat_repairs``: tickets created in the period for an asset that had another
  ticket resolved at most ``repeat_window_days`` before.
- ``satisfaction_avg`` / ``satisfaction_counts``: callbacks done in the period with a
  satisfaction (1–5), by the group of their ticket.
- ``complaint_count`` / ``complaint_rate``: complaints received in the period about a
  ticket of the group / the group's volume (complaints about no ticket are not counted).
- Group keys: plugin slug, outlet id (the assignee's ``Technician.outlet``), team name,
  technician (assignee) user id; no outlet / no team / unassigned are groups too
  (key None or "").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import peewee
from peewee import JOIN, SQL, Case, fn

from server.complaints.models import Complaint
from server.db import database, is_sqlite
from server.dispatch.models import Outlet, Technician
from server.dispatch.reports import RESOLVED_OUTCOMES, ServiceReport
from server.followup.models import Callback
from server.kb.models import GUIDANCE_OUTCOME, KbTicketLink
from server.kpi.period import Period
from server.kpi.sql import as_datetime, epoch
from server.models import Ticket, User
from server.plugin_api import Label
from server.sla.clock import BREACHED, MET
from server.sla.models import TicketSla, TicketStatusPeriod
from server.workflow import STATUSES

GROUPINGS: dict[str, Label] = {
    "plugin": Label("行业", "Plugin"),
    "outlet": Label("网点", "Outlet"),
    "team": Label("班组", "Team"),
    "technician": Label("技术员", "Technician"),
}
ALL = Label("全部", "All")
NO_GROUP = {
    "plugin": Label("无", "None"),
    "outlet": Label("无网点", "No outlet"),
    "team": Label("无班组", "No team"),
    "technician": Label("未分派", "Unassigned"),
}
DEFAULT_REPEAT_WINDOW_DAYS = 30
METRIC_ORDER = {"first_response": 0, "arrival": 1, "resolution": 2}

Key = str | int | None


@dataclass(frozen=True)
class KpiRow:
    """One group's figures for one period (see the module docstring for definitions).

    The per-metric figures are dicts keyed by metric name (``first_response``,
    ``arrival``, ``resolution`` and any plugin milestone metric); a rate is a fraction
    0–1, or None when nothing was counted (never a division by zero).
    """

    key: Key
    label: Label
    volume: int = 0
    met: Mapping[str, int] = field(default_factory=dict)
    breached: Mapping[str, int] = field(default_factory=dict)
    on_time_rate: Mapping[str, float | None] = field(default_factory=dict)
    mean_minutes: Mapping[str, float | None] = field(default_factory=dict)
    median_minutes: Mapping[str, float | None] = field(default_factory=dict)
    backlog: int = 0
    backlog_age_mean_days: float | None = None
    backlog_age_max_days: float | None = None
    resolved_with_reports: int = 0
    first_time_fixes: int = 0
    first_time_fix_rate: float | None = None
    repeat_repairs: int = 0
    satisfaction_avg: float | None = None
    # How many callbacks gave 1, 2, 3, 4, 5 (index 0 is 1 star).
    satisfaction_counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    complaint_count: int = 0
    complaint_rate: float | None = None

    @property
    def metrics(self) -> list[str]:
        """The metrics with counted clocks, in the usual order."""
        return sorted(self.met, key=lambda m: (METRIC_ORDER.get(m, 9), m))

    @property
    def satisfaction_total(self) -> int:
        return sum(self.satisfaction_counts)


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or None when ``whole`` is zero."""
    return part / whole if whole else None


# --- scoping: the group key, the filters ----------------------------------------------


def group_key(group_by: str | None) -> peewee.Node | None:
    """The column a grouping groups by, on a query over ``ticket`` (None: no grouping)."""
    if group_by is None:
        return None
    return {
        "plugin": Ticket.plugin,
        "outlet": Technician.outlet,
        "team": Ticket.team,
        "technician": Ticket.assignee,
    }[group_by]


def scoped(
    query: peewee.ModelSelect,
    group_by: str | None,
    plugin: str | None,
    outlet_id: int | None,
) -> peewee.ModelSelect:
    """``query`` (which has ``ticket`` in its FROM) with the technician join a grouping
    or filter by outlet needs, and the plugin/outlet filters."""
    if group_by == "outlet" or outlet_id is not None:
        query = query.join_from(
            Ticket, Technician, JOIN.LEFT_OUTER, on=(Technician.user == Ticket.assignee)
        )
    if plugin:
        query = query.where(Ticket.plugin == plugin)
    if outlet_id is not None:
        query = query.where(Technician.outlet == outlet_id)
    return query


def ticket_value(base: type[peewee.Model], name: str) -> peewee.Node:
    """A column of the ticket that a row of ``base`` (a table with a ``ticket`` key)
    belongs to, as a scalar subquery: one primary-key lookup per row read. A join would
    let PostgreSQL's planner hash the whole ticket table for a period's few thousand
    rows, so the figures' cost would grow with the history instead of the period."""
    owner = Ticket.alias("owner")
    if name == "outlet":
        return (
            owner.select(Technician.outlet)
            .join(Technician, on=(Technician.user == owner.assignee))
            .where(owner.id == base.ticket)
        )
    column = {"plugin": "plugin", "team": "team", "technician": "assignee"}[name]
    return owner.select(getattr(owner, column)).where(owner.id == base.ticket)


def select_in_scope(
    base: type[peewee.Model],
    columns: Iterable[peewee.Node],
    group_by: str | None,
    plugin: str | None,
    outlet_id: int | None,
    *,
    extra_group: Iterable[peewee.Node] = (),
    grouped: bool = True,
) -> peewee.ModelSelect:
    """``columns`` of ``base`` (the ticket table, or one with a ``ticket`` key whose
    ticket's columns are looked up per row, see :func:`ticket_value`), grouped by the
    grouping's key and ``extra_group``, with the plugin/outlet filters."""
    if base is Ticket:
        key = group_key(group_by)
        query = Ticket.select(*([key.alias("k")] if key is not None else []), *columns)
        query = scoped(query, group_by, plugin, outlet_id)
    else:
        key = ticket_value(base, group_by) if group_by is not None else None
        query = base.select(*([key.alias("k")] if key is not None else []), *columns)
        if plugin:
            query = query.where(ticket_value(base, "plugin") == plugin)
        if outlet_id is not None:
            query = query.where(ticket_value(base, "outlet") == outlet_id)
        key = SQL("k") if key is not None else None  # grouped by the output column
    if grouped:
        keys = ([key] if key is not None else []) + list(extra_group)
        if keys:
            query = query.group_by(*keys)
    return query


def _count_when(condition: peewee.Node) -> peewee.Node:
    return fn.SUM(Case(None, [(condition, 1)], 0))


# --- the figures ----------------------------------------------------------------------


ALL_PARTS = frozenset(
    {"volume", "sla", "median", "backlog", "ftf", "repeat", "satisfaction", "complaints"}
)


def figures(
    period: Period,
    group_by: str | None,
    *,
    plugin: str | None = None,
    outlet_id: int | None = None,
    zone: dt.tzinfo | None = None,
    repeat_window_days: int | None = None,
) -> list[KpiRow]:
    """The figures of ``period`` per group, ordered by label; one row when ``group_by``
    is None. ``plugin`` / ``outlet_id`` keep only that plugin's tickets / tickets whose
    assignee works at that outlet. ``zone`` (default: the app's ``locale.timezone``)
    says where the period's days begin; ``repeat_window_days`` defaults to
    ``[kpi] repeat_window_days``."""
    entries = _entries(period, group_by, plugin, outlet_id, zone, repeat_window_days)
    if group_by is None and not entries:
        entries[None] = _new_entry()
    return _rows(group_by, entries)


def figures_and_total(
    period: Period,
    group_by: str,
    *,
    plugin: str | None = None,
    outlet_id: int | None = None,
    zone: dt.tzinfo | None = None,
    repeat_window_days: int | None = None,
    parts: frozenset[str] = ALL_PARTS,
) -> tuple[list[KpiRow], KpiRow]:
    """:func:`figures` per group and the total over all groups, cheaper than two calls:
    the groups cover every ticket once, so the total adds them up, and the medians
    over all groups come from the same read of the clocks. ``parts`` limits the figures
    computed (the rest stay zero/None)."""
    medians: dict[str, float] = {}
    entries = _entries(
        period, group_by, plugin, outlet_id, zone, repeat_window_days, parts, medians
    )
    total = _merged(entries.values())
    total["median"].update(medians)
    return _rows(group_by, entries), _kpi_row(None, ALL, total)


def outlets_from_technicians(rows: Iterable[KpiRow]) -> list[KpiRow]:
    """Per outlet (the technician's ``Technician.outlet``), the volume, clock counts and
    means, and satisfaction of technician rows added up: what
    ``figures_and_total(period, "outlet", parts={"volume", "sla", "satisfaction"})``
    answers, without reading the tables again. Other figures stay zero/None."""
    technicians = [r for r in rows if r.key is not None]
    outlet_of = (
        dict(
            Technician.select(Technician.user, Technician.outlet)
            .where(Technician.user.in_([r.key for r in technicians]))
            .tuples()
        )
        if technicians
        else {}
    )
    grouped: dict[Key, list[dict[str, Any]]] = {}
    for r in rows:
        if not (r.volume or r.met or r.satisfaction_total):
            continue  # in no part the outlet figures ask for
        entry = {
            "volume": r.volume,
            "met": dict(r.met),
            "breached": dict(r.breached),
            "mean": dict(r.mean_minutes),
            "median": {},
            "satisfaction": list(r.satisfaction_counts),
        }
        grouped.setdefault(outlet_of.get(r.key), []).append(entry)
    entries = {key: _merged(parts) for key, parts in grouped.items()}
    return _rows("outlet", entries)


def _new_entry() -> dict[str, Any]:
    return {"met": {}, "breached": {}, "mean": {}, "median": {}, "volume": 0}


def _rows(group_by: str | None, entries: dict[Key, dict[str, Any]]) -> list[KpiRow]:
    labels = group_labels(group_by, entries)
    result = [_kpi_row(key, labels[key], entry) for key, entry in entries.items()]
    return sorted(result, key=lambda r: (r.key is None or r.key == "", r.label.en.lower()))


def _entries(
    period: Period,
    group_by: str | None,
    plugin: str | None,
    outlet_id: int | None,
    zone: dt.tzinfo | None,
    repeat_window_days: int | None,
    parts: frozenset[str] = ALL_PARTS,
    medians_out: dict[str, float] | None = None,
) -> dict[Key, dict[str, Any]]:
    """The raw figures per group key, one query per part; with the medians, the
    medians over all groups go into ``medians_out``."""
    if medians_out is None:
        medians_out = {}
    if group_by is not None and group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    settings = _app_settings()
    zone = zone or settings["zone"]
    window = repeat_window_days or settings["repeat_window_days"]
    start, end = period.bounds(zone)
    # By outlet (unfiltered): asked by assignee, whose tickets need no join to
    # technician, then added up per outlet here.
    outlet_of = _outlet_of_technicians() if group_by == "outlet" and outlet_id is None else None
    scope = ("technician" if outlet_of is not None else group_by, plugin, outlet_id)
    rows: dict[Key, dict[str, Any]] = {}
    clock_rows: list[tuple[Key, str, int, int, float, float]] = []

    def row(key: Key) -> dict[str, Any]:
        return rows.setdefault(key, _new_entry())

    if "volume" in parts:
        for key, volume in _volume(start, end, *scope):
            row(key)["volume"] = volume
    if "median" in parts:  # the clocks read once: counts, means and medians
        clock_rows, overall = _clock_figures(start, end, *scope, regroup=outlet_of)
        medians_out.update({metric: median / 60 for metric, median in overall.items()})
    elif "sla" in parts:
        for key, metric, met, breached, mean in _sla(start, end, *scope):
            entry = row(key)
            entry["met"][metric] = int(met or 0)
            entry["breached"][metric] = int(breached or 0)
            entry["mean"][metric] = float(mean) / 60 if mean is not None else None
    if "backlog" in parts:
        end_epoch = end.replace(tzinfo=dt.UTC).timestamp()
        for key, count, oldest, mean_epoch in _backlog(end, *scope):
            entry = row(key)
            entry["backlog"] = count
            entry["backlog_age_max_days"] = (end - as_datetime(oldest)).total_seconds() / 86400
            entry["backlog_age_mean_days"] = (end_epoch - float(mean_epoch)) / 86400
    if "ftf" in parts:
        for key, with_reports, fixes in _first_time_fix(start, end, *scope):
            entry = row(key)
            entry["resolved_with_reports"] = with_reports
            entry["first_time_fixes"] = int(fixes or 0)
    if "repeat" in parts:
        for key, repeats in _repeat_repairs(start, end, window, *scope):
            row(key)["repeat_repairs"] = repeats
    if "satisfaction" in parts:
        for key, stars, count in _satisfaction(start, end, *scope):
            counts = row(key).setdefault("satisfaction", [0, 0, 0, 0, 0])
            counts[stars - 1] += count
    if "complaints" in parts:
        for key, count in _complaints(start, end, *scope):
            row(key)["complaints"] = count
    if outlet_of is not None:
        by_outlet: dict[Key, list[dict[str, Any]]] = {}
        for key, entry in rows.items():
            by_outlet.setdefault(outlet_of.get(key), []).append(entry)
        rows = {key: _merged(entries) for key, entries in by_outlet.items()}
    for key, metric, met, breached, mean, median in clock_rows:
        entry = rows.setdefault(key, _new_entry())
        entry["met"][metric] = met
        entry["breached"][metric] = breached
        entry["mean"][metric] = mean / 60
        entry["median"][metric] = median / 60
    return rows


def _outlet_of_technicians() -> dict[Key, Key]:
    """Each technician's outlet (None: none), by user id."""
    return dict(Technician.select(Technician.user, Technician.outlet).tuples())


def _merged(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Several groups' raw figures as one: counts added, means weighted by their counts,
    the oldest backlog the oldest of all; medians are left to the caller."""
    total = _new_entry()
    weighted: dict[str, float] = {}
    backlog_days = 0.0
    for entry in entries:
        total["volume"] += entry["volume"]
        for metric, met in entry["met"].items():
            counted = met + entry["breached"][metric]
            total["met"][metric] = total["met"].get(metric, 0) + met
            total["breached"][metric] = total["breached"].get(metric, 0) + entry["breached"][metric]
            if entry["mean"].get(metric) is not None:
                weighted[metric] = weighted.get(metric, 0.0) + entry["mean"][metric] * counted
        for name in (
            "backlog",
            "resolved_with_reports",
            "first_time_fixes",
            "repeat_repairs",
            "complaints",
        ):
            total[name] = total.get(name, 0) + entry.get(name, 0)
        if entry.get("backlog"):
            backlog_days += entry["backlog_age_mean_days"] * entry["backlog"]
            oldest = total.get("backlog_age_max_days")
            total["backlog_age_max_days"] = max(oldest or 0.0, entry["backlog_age_max_days"])
        if "satisfaction" in entry:
            stars = total.setdefault("satisfaction", [0, 0, 0, 0, 0])
            for index, count in enumerate(entry["satisfaction"]):
                stars[index] += count
    for metric, met in total["met"].items():
        counted = met + total["breached"][metric]
        total["mean"][metric] = (
            weighted[metric] / counted if counted and metric in weighted else None
        )
    if total.get("backlog"):
        total["backlog_age_mean_days"] = backlog_days / total["backlog"]
    return total


def _kpi_row(key: Key, label: Label, entry: dict[str, Any]) -> KpiRow:
    met, breached = entry["met"], entry["breached"]
    with_reports = entry.get("resolved_with_reports", 0)
    fixes = entry.get("first_time_fixes", 0)
    stars = entry.get("satisfaction", [0, 0, 0, 0, 0])
    complaints = entry.get("complaints", 0)
    return KpiRow(
        key=key,
        label=label,
        volume=entry["volume"],
        met=met,
        breached=breached,
        on_time_rate={m: ratio(met[m], met[m] + breached[m]) for m in met},
        mean_minutes=entry["mean"],
        median_minutes={m: entry["median"].get(m) for m in met},
        backlog=entry.get("backlog", 0),
        backlog_age_mean_days=entry.get("backlog_age_mean_days"),
        backlog_age_max_days=entry.get("backlog_age_max_days"),
        resolved_with_reports=with_reports,
        first_time_fixes=fixes,
        first_time_fix_rate=ratio(fixes, with_reports),
        repeat_repairs=entry.get("repeat_repairs", 0),
        satisfaction_avg=ratio(sum(n * (i + 1) for i, n in enumerate(stars)), sum(stars)),
        satisfaction_counts=tuple(stars),
        complaint_count=complaints,
        complaint_rate=ratio(complaints, entry["volume"]),
    )


def _key_of(record: tuple[Any, ...], group_by: str | None) -> tuple[Key, tuple[Any, ...]]:
    if group_by is None:
        return None, record
    return record[0], record[1:]


def _volume(
    start: dt.datetime,
    end: dt.datetime,
    group_by: str | None,
    plugin: str | None,
    outlet: int | None,
) -> list[tuple[Key, int]]:
    query = select_in_scope(Ticket, [fn.COUNT(Ticket.id)], group_by, plugin, outlet).where(
        (Ticket.created_at >= start) & (Ticket.created_at < end)
    )
    out = []
    for record in query.tuples():
        key, (count,) = _key_of(record, group_by)
        out.append((key, count))
    return out


def _stopped_in(start: dt.datetime, end: dt.datetime) -> peewee.Node:
    return (
        (TicketSla.stopped_at >= start)
        & (TicketSla.stopped_at < end)
        & TicketSla.state.in_((MET, BREACHED))
    )


def _sla(
    start: dt.datetime,
    end: dt.datetime,
    group_by: str | None,
    plugin: str | None,
    outlet: int | None,
) -> list[tuple[Key, str, int, int, float | None]]:
    columns = [
        TicketSla.metric,
        _count_when(TicketSla.state == MET),
        _count_when(TicketSla.state == BREACHED),
        fn.AVG(TicketSla.elapsed_seconds),
    ]
    query = select_in_scope(
        TicketSla, columns, group_by, plugin, outlet, extra_group=[TicketSla.metric]
    ).where(_stopped_in(start, end))
    out = []
    for record in query.tuples():
        key, rest = _key_of(record, group_by)
        out.append((key, *rest))
    return out


def _median(ordered: list[float]) -> float:
    """The middle value of a sorted non-empty list (the mean of the middle two)."""
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half]
    return (ordered[half - 1] + ordered[half]) / 2


def _clock_figures(
    start: dt.datetime,
    end: dt.datetime,
    group_by: str | None,
    plugin: str | None,
    outlet: int | None,
    regroup: Mapping[Key, Key] | None = None,
) -> tuple[list[tuple[Key, str, int, int, float, float]], dict[str, float]]:
    """The clocks stopped in the period read once (group key, metric, state, seconds):
    per group and metric met, breached, mean and median seconds; and the median per
    metric over all groups (``regroup``: the group keys read mapped to the keys
    wanted). One range scan of the clock index instead of a GROUP BY
    and a window sort per grouping (the sorting is Python's, per group)."""
    columns = [TicketSla.metric, TicketSla.state, TicketSla.elapsed_seconds]
    query = select_in_scope(TicketSla, columns, group_by, plugin, outlet, grouped=False).where(
        _stopped_in(start, end)
    )
    values: dict[tuple[Key, str], list[float]] = {}
    met: dict[tuple[Key, str], int] = {}
    cursor = database.execute(query)
    if group_by is None:
        for metric, state, seconds in cursor:
            values.setdefault((None, metric), []).append(seconds)
            if state == MET:
                met[None, metric] = met.get((None, metric), 0) + 1
    elif regroup is not None:  # group keys mapped (an assignee to their outlet)
        for key, metric, state, seconds in cursor:
            key = regroup.get(key)
            values.setdefault((key, metric), []).append(seconds)
            if state == MET:
                met[key, metric] = met.get((key, metric), 0) + 1
    else:
        for key, metric, state, seconds in cursor:
            values.setdefault((key, metric), []).append(seconds)
            if state == MET:
                met[key, metric] = met.get((key, metric), 0) + 1
    per_group = []
    overall: dict[str, list[float]] = {}
    for (key, metric), seconds in values.items():
        overall.setdefault(metric, []).extend(seconds)
        seconds.sort()
        n, on_time = len(seconds), met.get((key, metric), 0)
        mean = math.fsum(seconds) / n
        per_group.append((key, metric, on_time, n - on_time, mean, _median(seconds)))
    medians = {metric: _median(sorted(seconds)) for metric, seconds in overall.items()}
    return per_group, medians


# Tickets open at a period's end, in three parts that each read a range of an index
# (migrations 15, 22 and 24): never resolved and not cancelled; cancelled, but only after
# the end; resolved after the end. A single condition would read every cancelled
# ticket ever (their resolved_at stays empty), so the cost would grow with the history.
OPEN_AT_PARTS = ("unresolved", "cancelled_after", "resolved_after")
_NOT_CANCELLED = tuple(sorted(s for s in STATUSES if s != "cancelled"))


def _open_at(end: dt.datetime, part: str) -> peewee.Node:
    """One part (of ``OPEN_AT_PARTS``) of the tickets open at ``end``."""
    if part == "resolved_after":
        if not is_sqlite():
            # PostgreSQL reads both columns' range from the index and then only those
            # rows (as a subquery, below, it would hash-join the whole ticket table)
            return (Ticket.resolved_at >= end) & (Ticket.created_at < end)
        # SQLite: the ids from the (resolved_at, created_at) index alone, then only
        # their rows (without statistics it would rather walk another index of all rows)
        spanning = Ticket.alias("spanning")
        return Ticket.id.in_(
            spanning.select(spanning.id).where(
                (spanning.resolved_at >= end) & (spanning.created_at < end)
            )
        )
    never_resolved = (
        Ticket.resolved_at.is_null()
        & (Ticket.created_at < end)
        & (Ticket.closed_at.is_null() | (Ticket.closed_at >= end))
    )
    if part == "unresolved":
        if is_sqlite():
            # (resolved_at, status, created_at): the statuses but cancelled, each a range
            return never_resolved & Ticket.status.in_(_NOT_CANCELLED)
        # PostgreSQL: the partial index of the never-resolved tickets not cancelled
        # (migration 24), its predicate spelled literally for the planner to match
        return never_resolved & (Ticket.status != SQL("'cancelled'"))
    # A ticket cancelled at or after the end was last changed then or later, so its
    # updated_at narrows the cancelled ones to a range of (status, resolved_at, updated_at).
    cancelled_before = fn.EXISTS(
        TicketStatusPeriod.select(SQL("1")).where(
            (TicketStatusPeriod.ticket == Ticket.id)
            & (TicketStatusPeriod.status == "cancelled")
            & (TicketStatusPeriod.started_at < end)
        )
    )
    return (
        (Ticket.status == "cancelled")
        & (Ticket.updated_at >= end)
        & never_resolved
        & ~cancelled_before
    )


def _backlog(
    end: dt.datetime, group_by: str | None, plugin: str | None, outlet: int | None
) -> list[tuple[Key, int, Any, float]]:
    """Per group: how many tickets were open at ``end``, the oldest one's creation, and
    the mean creation time (seconds since 1970)."""
    columns = [fn.COUNT(Ticket.id), fn.MIN(Ticket.created_at), fn.AVG(epoch(Ticket.created_at))]
    merged: dict[Key, tuple[int, Any, float]] = {}
    for part in OPEN_AT_PARTS:
        query = select_in_scope(Ticket, columns, group_by, plugin, outlet).where(
            _open_at(end, part)
        )
        for record in query.tuples():
            key, (count, oldest, mean_epoch) = _key_of(record, group_by)
            if not count:
                continue
            oldest = as_datetime(oldest)
            if key in merged:
                n, first, mean = merged[key]
                total = n + count
                merged[key] = (
                    total,
                    min(first, oldest),
                    (mean * n + float(mean_epoch) * count) / total,
                )
            else:
                merged[key] = (count, oldest, float(mean_epoch))
    return [(key, n, first, mean) for key, (n, first, mean) in merged.items()]


def _first_time_fix(
    start: dt.datetime,
    end: dt.datetime,
    group_by: str | None,
    plugin: str | None,
    outlet: int | None,
) -> list[tuple[Key, int, int]]:
    """Per group: tickets resolved in the period with result reports, and those whose
    only report resolved the job. "Resolved by guidance" (the knowledge base's
    phone-first outcome) counts as a report that resolved it: guided and fixed at once
    is a first-time fix, guided after a failed visit is not.

    The period's resolved tickets drive the query (their index range); each one's
    reports are counted through the report table's ticket index, so neither table is
    read beyond the period."""
    # One number per ticket: 1 for each report that resolved the job (or a guidance
    # resolution), 2 for each other report. It is 1 exactly for a first-time fix and
    # above 0 for every ticket with reports.
    weights = ServiceReport.select(
        fn.SUM(Case(None, [(ServiceReport.outcome.in_(RESOLVED_OUTCOMES), 1)], 2))
    ).where(ServiceReport.ticket == Ticket.id)
    guided = Case(
        None,
        [
            (
                fn.EXISTS(
                    KbTicketLink.select(SQL("1")).where(
                        (KbTicketLink.ticket == Ticket.id)
                        & (KbTicketLink.outcome == GUIDANCE_OUTCOME)
                    )
                ),
                1,
            )
        ],
        0,
    )
    weight = (guided + fn.COALESCE(weights, 0)).alias("weight")
    # grouped by the weight as well (its output column, so it is computed once a row);
    # the few weights per group are added up here
    query = select_in_scope(
        Ticket,
        [weight, fn.COUNT(Ticket.id)],
        group_by,
        plugin,
        outlet,
        extra_group=[SQL("weight")],
    ).where((Ticket.resolved_at >= start) & (Ticket.resolved_at < end))
    counts: dict[Key, list[int]] = {}
    for record in query.tuples():
        key, (value, count) = _key_of(record, group_by)
        if value:  # 0: no reports
            entry = counts.setdefault(key, [0, 0])
            entry[0] += count
            entry[1] += count if value == 1 else 0
    return [(key, with_reports, fixes) for key, (with_reports, fixes) in counts.items()]


def _repeat_repairs(
    start: dt.datetime,
    end: dt.datetime,
    window_days: int,
    group_by: str | None,
    plugin: str | None,
    outlet: int | None,
) -> list[tuple[Key, int]]:
    earlier = Ticket.alias("earlier")
    previous_fix = fn.EXISTS(
        earlier.select(SQL("1")).where(
            (earlier.asset == Ticket.asset)
            & (earlier.id != Ticket.id)
            & (earlier.resolved_at <= Ticket.created_at)
            & (epoch(Ticket.created_at) - epoch(earlier.resolved_at) <= window_days * 86400)
        )
    )
    query = select_in_scope(Ticket, [fn.COUNT(Ticket.id)], group_by, plugin, outlet).where(
        (Ticket.created_at >= start)
        & (Ticket.created_at < end)
        & Ticket.asset.is_null(False)
        & previous_fix
    )
    out = []
    for record in query.tuples():
        key, (count,) = _key_of(record, group_by)
        out.append((key, count))
    return out


def _satisfaction(
    start: dt.datetime,
    end: dt.datetime,
    group_by: str | None,
    plugin: str | None,
    outlet: int | None,
) -> list[tuple[Key, int, int]]:
    """Per group and star (1–5): done callbacks of the period that gave it."""
    query = select_in_scope(
        Callback,
        [Callback.satisfaction, fn.COUNT(Callback.id)],
        group_by,
        plugin,
        outlet,
        extra_group=[Callback.satisfaction],
    ).where(
        (Callback.status == "done")
        & (Callback.done_at >= start)
        & (Callback.done_at < end)
        & Callback.satisfaction.between(1, 5)
    )
    out = []
    for record in query.tuples():
        key, (stars, count) = _key_of(record, group_by)
        out.append((key, int(stars), count))
    return out


def _complaints(
    start: dt.datetime,
    end: dt.datetime,
    group_by: str | None,
    plugin: str | None,
    outlet: int | None,
) -> list[tuple[Key, int]]:
    """Per group: complaints received in the period about one of its tickets."""
    query = select_in_scope(Complaint, [fn.COUNT(Complaint.id)], group_by, plugin, outlet).where(
        (Complaint.received_at >= start)
        & (Complaint.received_at < end)
        & Complaint.ticket.is_null(False)
    )
    out = []
    for record in query.tuples():
        key, (count,) = _key_of(record, group_by)
        out.append((key, count))
    return out


# --- labels and settings --------------------------------------------------------------


def group_labels(group_by: str | None, keys: Iterable[Key]) -> dict[Key, Label]:
    """A label for each group key: the plugin's name, the outlet's, the team, the
    technician's display name; the "none" groups get their own."""
    keys = list(keys)
    if group_by is None:
        return {key: ALL for key in keys}
    names: dict[Key, str | Label] = {}
    wanted = [key for key in keys if key not in (None, "")]
    if group_by == "plugin":
        names = _plugin_labels(wanted)
    elif group_by == "outlet" and wanted:
        names = dict(Outlet.select(Outlet.id, Outlet.name).where(Outlet.id.in_(wanted)).tuples())
    elif group_by == "technician" and wanted:
        names = dict(User.select(User.id, User.display_name).where(User.id.in_(wanted)).tuples())
    elif group_by == "team":
        names = {key: str(key) for key in wanted}
    labels: dict[Key, Label] = {}
    for key in keys:
        name = names.get(key)
        if key in (None, ""):
            labels[key] = NO_GROUP[group_by]
        elif isinstance(name, Label):
            labels[key] = name
        else:
            text = name if name is not None else str(key)
            labels[key] = Label(text, text)
    return labels


def _plugin_labels(slugs: list[Key]) -> dict[Key, Label]:
    try:
        from server.catalog import current_registry

        industries = current_registry().industries
    except RuntimeError:  # no app: the slugs will do
        return {}
    return {slug: industries[slug].label for slug in slugs if slug in industries}


def _app_settings() -> dict[str, Any]:
    """The time zone and repeat window from the running app's config (UTC and the
    default outside an app)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return {"zone": dt.UTC, "repeat_window_days": DEFAULT_REPEAT_WINDOW_DAYS}
    config = current_app.extensions["aftersales"].config
    return {
        "zone": ZoneInfo(config.locale.timezone),
        "repeat_window_days": config.kpi.repeat_window_days,
    }
