"""Each outlet's figures for a period: KPI figures plus callbacks and complaints.

From ``server.kpi.figures(period, "outlet")``: volume (tickets created in the period),
the on-time rate (clocks met / met + breached, all SLA metrics together) and the
first-time-fix rate. Counted here, per outlet of the ticket's assignee
(``Technician.outlet``): satisfaction (average 1–5 of the callbacks done in the period
that gave one), the unsatisfied share (of the callbacks done in the period with an
outcome, those whose outcome is not ``satisfied``) and the complaint rate (complaints
received in the period about the outlet's tickets, per ticket of the period's volume).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import peewee
from flask import current_app
from peewee import JOIN, Case, fn

from server.complaints.models import Complaint
from server.dispatch.models import Outlet, Technician
from server.followup.models import Callback
from server.grading.decide import OutletFigures
from server.kpi import Period, figures
from server.kpi.figures import KpiRow
from server.models import Ticket


@dataclass(frozen=True)
class OutletRow:
    outlet: Outlet
    figures: OutletFigures


def outlet_figures(period: Period) -> list[OutletRow]:
    """Every active outlet (and inactive ones with tickets in the period), by name."""
    zone = ZoneInfo(current_app.extensions["aftersales"].config.locale.timezone)
    start, end = period.bounds(zone)
    kpi = {row.key: row for row in figures(period, "outlet", zone=zone) if row.key is not None}
    satisfaction = _satisfaction(start, end)
    complaints = _complaints(start, end)
    outlets = Outlet.select().where(Outlet.active | Outlet.id.in_(list(kpi) or [0]))
    rows = []
    for outlet in outlets.order_by(Outlet.name, Outlet.id):
        row = kpi.get(outlet.id)
        volume = row.volume if row else 0
        average, unsatisfied = satisfaction.get(outlet.id, (None, None))
        complaint_count = complaints.get(outlet.id, 0)
        rows.append(
            OutletRow(
                outlet,
                OutletFigures(
                    volume=volume,
                    on_time_rate=_on_time(row),
                    satisfaction=average,
                    complaint_rate=complaint_count / volume if volume else None,
                    first_time_fix_rate=row.first_time_fix_rate if row else None,
                    unsatisfied_share=unsatisfied,
                ),
            )
        )
    return rows


def _on_time(row: KpiRow | None) -> float | None:
    if row is None:
        return None
    met = sum(row.met.values())
    counted = met + sum(row.breached.values())
    return met / counted if counted else None


def _by_outlet(query: peewee.ModelSelect) -> peewee.ModelSelect:
    return query.join(Ticket).join_from(
        Ticket, Technician, JOIN.INNER, on=(Technician.user == Ticket.assignee)
    )


def _satisfaction(
    start: dt.datetime, end: dt.datetime
) -> dict[int, tuple[float | None, float | None]]:
    """Outlet id → (average satisfaction, unsatisfied share) of the period's callbacks."""
    rated = Case(None, [(Callback.satisfaction.is_null(False), 1)], 0)
    with_outcome = Case(None, [(Callback.outcome.is_null(False), 1)], 0)
    unsatisfied = Case(
        None, [((Callback.outcome.is_null(False)) & (Callback.outcome != "satisfied"), 1)], 0
    )
    query = (
        _by_outlet(
            Callback.select(
                Technician.outlet.alias("outlet"),
                fn.SUM(Callback.satisfaction).alias("stars"),
                fn.SUM(rated).alias("rated"),
                fn.SUM(with_outcome).alias("outcomes"),
                fn.SUM(unsatisfied).alias("unsatisfied"),
            )
        )
        .where((Callback.status == "done") & (Callback.done_at >= start) & (Callback.done_at < end))
        .group_by(Technician.outlet)
    )
    result = {}
    for row in query.dicts():
        rated_n, outcomes = int(row["rated"] or 0), int(row["outcomes"] or 0)
        result[row["outlet"]] = (
            int(row["stars"] or 0) / rated_n if rated_n else None,
            int(row["unsatisfied"] or 0) / outcomes if outcomes else None,
        )
    return result


def _complaints(start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """Outlet id → complaints received in the period about its tickets."""
    query = _by_outlet(
        Complaint.select(Technician.outlet.alias("outlet"), fn.COUNT(Complaint.id).alias("n"))
    ).where((Complaint.received_at >= start) & (Complaint.received_at < end))
    return {row["outlet"]: int(row["n"]) for row in query.group_by(Technician.outlet).dicts()}
