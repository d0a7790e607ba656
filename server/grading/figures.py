"""Each outlet's figures for a period: KPI figures plus callbacks and complaints.

From ``server.kpi.figures(period, "outlet")``: volume (tickets created in the period),
the on-time rate (clocks met / met + breached, all SLA metrics together), the
first-time-fix rate, satisfaction (average 1–5 of the callbacks done in the period) and
the complaint rate (complaints received in the period about the outlet's tickets per
ticket of its volume). Counted here, per outlet of the ticket's assignee
(``Technician.outlet``): the unsatisfied share (of the callbacks done in the period with
an outcome, those whose outcome is not ``satisfied``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from peewee import JOIN, Case, fn

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
    unsatisfied = _unsatisfied_share(start, end)
    outlets = Outlet.select().where(Outlet.active | Outlet.id.in_(list(kpi) or [0]))
    rows = []
    for outlet in outlets.order_by(Outlet.name, Outlet.id):
        row = kpi.get(outlet.id)
        rows.append(
            OutletRow(
                outlet,
                OutletFigures(
                    volume=row.volume if row else 0,
                    on_time_rate=_on_time(row),
                    satisfaction=row.satisfaction_avg if row else None,
                    complaint_rate=row.complaint_rate if row else None,
                    first_time_fix_rate=row.first_time_fix_rate if row else None,
                    unsatisfied_share=unsatisfied.get(outlet.id),
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


def _unsatisfied_share(start: dt.datetime, end: dt.datetime) -> dict[int, float]:
    """Outlet id → the share of the period's callbacks with an outcome that is not
    ``satisfied`` (outlets without such callbacks are left out)."""
    with_outcome = Case(None, [(Callback.outcome.is_null(False), 1)], 0)
    unsatisfied = Case(
        None, [((Callback.outcome.is_null(False)) & (Callback.outcome != "satisfied"), 1)], 0
    )
    query = (
        Callback.select(
            Technician.outlet.alias("outlet"),
            fn.SUM(with_outcome).alias("outcomes"),
            fn.SUM(unsatisfied).alias("unsatisfied"),
        )
        .join(Ticket)
        .join_from(Ticket, Technician, JOIN.INNER, on=(Technician.user == Ticket.assignee))
        .where((Callback.status == "done") & (Callback.done_at >= start) & (Callback.done_at < end))
        .group_by(Technician.outlet)
    )
    return {
        row["outlet"]: int(row["unsatisfied"] or 0) / int(row["outcomes"])
        for row in query.dicts()
        if row["outcomes"]
    }
