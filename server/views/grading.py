"""The outlet grading page: each outlet's grade and settlement factor for a period."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, abort, current_app, request

from server import htmx
from server.auth import require
from server.grading.decide import decide, show
from server.grading.figures import outlet_figures
from server.grading.rules import THRESHOLDS
from server.kpi import Period
from server.plugin_api import Column, label
from server.tabular import export_response, requested_format
from server.timeutil import local_today

bp = Blueprint("grading", __name__, url_prefix="/grading")

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")
COLUMNS = (
    Column("outlet", label("网点", "Outlet")),
    Column("grade", label("等级", "Grade")),
    Column("factor", label("结算系数", "Settlement factor")),
    Column("volume", label("工单量", "Volume")),
    Column("on_time_rate", label("及时率", "On-time rate")),
    Column("satisfaction", label("满意度", "Satisfaction")),
    Column("complaint_rate", label("投诉率", "Complaint rate")),
    Column("first_time_fix_rate", label("一次修复率", "First-time-fix rate")),
    Column("unsatisfied_share", label("不满意占比", "Unsatisfied share")),
    Column("reason", label("依据", "Reason")),
)


def parse_period(text: str) -> Period | None:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year); else None."""
    match = _PERIOD.match(text.strip())
    if not match:
        return None
    year = int(match.group(1))
    if not 2000 <= year <= 2999:
        return None
    if match.group(2):
        month = int(match.group(2))
        return Period.month(year, month) if 1 <= month <= 12 else None
    if match.group(3):
        return Period.quarter(year, int(match.group(3)))
    return Period.year(year)


def _default_period() -> str:
    """Last month: grades settle a finished period."""
    first = local_today().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def _figure_text(key: str, value: float | None) -> str:
    return "—" if value is None else show(key, value)


@bp.route("")
@require("kpi.view")
def grading_page() -> Any:
    """Outlets with their grade, factor, the figures behind it and the deciding threshold."""
    text = request.args.get("period", "") or _default_period()
    period = parse_period(text) or abort(404)
    grades = current_app.extensions["aftersales"].config.grading.grades
    rows = []
    if grades:
        for row in outlet_figures(period):
            decision = decide(grades, row.figures)
            rows.append((row, decision))
    fmt = requested_format()
    if fmt:
        return export_response(f"grading-{text}", COLUMNS, (_export_row(*r) for r in rows), fmt)
    return htmx.render(
        "grading/index.html",
        "grading/_main.html",
        period_text=text,
        period=period,
        grades=grades,
        rows=rows,
        thresholds=THRESHOLDS,
        figure_text=_figure_text,
        show=show,
    )


def _export_row(row: Any, decision: Any) -> dict[str, Any]:
    f = row.figures
    return {
        "outlet": row.outlet.name,
        "grade": decision.grade.grade,
        "factor": decision.grade.factor,
        "volume": f.volume,
        "on_time_rate": f.on_time_rate,
        "satisfaction": f.satisfaction,
        "complaint_rate": f.complaint_rate,
        "first_time_fix_rate": f.first_time_fix_rate,
        "unsatisfied_share": f.unsatisfied_share,
        "reason": decision.reason,
    }
