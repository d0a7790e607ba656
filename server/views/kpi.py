"""The KPI dashboard ``/kpi``: figures per period and group, the previous period beside
them, SVG charts each above its table, and every table as CSV/XLSX
(``?table=summary|groups|trend|outlets|heatmap&format=csv|xlsx``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request
from markupsafe import Markup

from server import htmx
from server.auth import require
from server.catalog import current_registry
from server.forms import options
from server.i18n import gettext
from server.kpi import dashboard as board_data
from server.kpi import svg
from server.kpi.cache import app_cache
from server.kpi.dashboard import TABLES, WEEKDAYS, Dashboard, build_dashboard, overall_on_time
from server.kpi.figures import GROUPINGS
from server.kpi.form import KpiForm
from server.tabular import export_response, requested_format
from server.templating import translate
from server.timeutil import local_today, local_zone

bp = Blueprint("kpi", __name__)


def _form() -> KpiForm:
    form = KpiForm(request.args)
    industries = current_registry().industries
    form.plugin.choices = options(
        [("", "— every plugin —"), *((slug, translate(i.label)) for slug, i in industries.items())]
    )
    return form


@bp.route("/kpi")
@require("kpi.view")
def dashboard() -> Any:
    """The dashboard; a 422 with the form's messages for a bad period."""
    form = _form()
    fmt = requested_format()
    valid = form.validate()
    board = None
    if valid:
        period = form.chosen_period(local_today())
        board = build_dashboard(
            period,
            form.group.data or "outlet",
            local_zone(),
            plugin=form.plugin.data or None,
            cache=app_cache(),
        )
        if fmt is not None:
            return _export(board, fmt)
    elif fmt is not None:
        abort(400, description=gettext("Fix the period before exporting."))
    return htmx.render(
        "kpi/index.html",
        "kpi/_main.html",
        status=200 if valid else 422,
        push_url=request.full_path.rstrip("?"),
        form=form,
        board=board,
        charts=_charts(board) if board else {},
        group_label=GROUPINGS.get(form.group.data or "outlet"),
        weekdays=WEEKDAYS,
        metric_label=board_data.metric_label,
        overall_on_time=overall_on_time,
        delta=board_data.delta,
    )


def _export(board: Dashboard, fmt: str) -> Any:
    table = request.args.get("table", "groups")
    if table not in TABLES:
        abort(
            400,
            description=gettext("The table must be one of %(tables)s.", tables=", ".join(TABLES)),
        )
    stem = f"kpi-{table}-{board.period}".replace(" ", "")
    if table == "groups":
        columns = board_data.group_columns(board, GROUPINGS[board.group_by])
        return export_response(stem, columns, board_data.group_rows(board), fmt)
    columns, rows = {
        "summary": board_data.summary_rows,
        "trend": board_data.trend_table,
        "outlets": board_data.outlet_table,
        "heatmap": board_data.heatmap_table,
    }[table](board)
    return export_response(stem, columns, rows, fmt)


def _percent(value: float) -> str:
    return f"{value:.0f}%"


def _charts(board: Dashboard) -> dict[str, Markup]:
    """The page's SVG charts; their tables are rendered by the template from ``board``."""
    no_data = gettext("No data for this period")
    weekly = board.trend_step == "week"
    labels = [
        p.period.start.strftime("%m-%d" if board.trend_step == "week" else "%Y-%m")
        for p in board.trend
    ]
    outlets = board.outlets
    return {
        "volume": svg.line_chart(
            gettext("Tickets created per week") if weekly else gettext("Tickets created per month"),
            labels,
            [svg.Series(gettext("Volume"), [p.volume for p in board.trend])],
            no_data=no_data,
        ),
        "on_time": svg.line_chart(
            gettext("On-time rate per week") if weekly else gettext("On-time rate per month"),
            labels,
            [
                svg.Series(
                    gettext("On time"),
                    [None if p.on_time_rate is None else 100 * p.on_time_rate for p in board.trend],
                )
            ],
            y_max=100,
            y_format=_percent,
            no_data=no_data,
        ),
        "outlet_on_time": svg.bar_chart(
            gettext("On-time rate by outlet"),
            [
                (
                    translate(r.label),
                    None if overall_on_time(r) is None else 100 * overall_on_time(r),
                )
                for r in outlets
            ],
            x_max=100,
            value_format=_percent,
            no_data=no_data,
        ),
        "outlet_satisfaction": svg.bar_chart(
            gettext("Satisfaction by outlet (1–5)"),
            [(translate(r.label), r.satisfaction_avg) for r in outlets],
            x_max=5,
            value_format=lambda v: f"{v:.2f}",
            no_data=no_data,
        ),
        "heatmap": svg.heatmap(
            gettext("SLA breaches by weekday and hour they fell due"),
            board.heatmap,
            [translate(day) for day in WEEKDAYS],
            [f"{hour:02d}" for hour in range(24)],
            no_data=no_data,
        ),
    }
