"""The plugin's pages, mounted by the core under ``/p/tobacco_retail/``."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, request

from server.plugin_api import (
    Column,
    current_user,
    current_user_can,
    customers_with_attribute,
    export_response,
    label,
    latest_tickets,
    render_page,
    requested_format,
)

from .catalog import INDUSTRY, VISIT_SERVICES, VISIT_TIMES
from .settings import Settings
from .visits import local_day, local_today, visits_due

# Everyone with customer.view reaches the list; looking at another manager's list is for
# those who assign work (dispatchers, supervisors, admins).
OTHERS_PERMISSION = "ticket.assign"
_LOGIN = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")
SOON_DAYS = 7


def blueprint(settings: Settings) -> Blueprint:
    """A fresh blueprint bound to these settings (one per app, no module state)."""
    pages = Blueprint("tobacco_retail", __name__)

    @pages.get("/visits-due")
    def visits_due_page() -> Any:
        """The retailers of one customer manager, the never-visited and most overdue first."""
        user = current_user()
        assert user is not None  # the core requires a login for every plugin page
        manager = (request.args.get("manager") or "").strip() or user.username
        if manager != user.username:
            if not current_user_can(OTHERS_PERMISSION):
                abort(403)
            if not _LOGIN.match(manager):
                abort(404)
        customers = customers_with_attribute("tr_manager", manager)
        ids = [c.id for c in customers if c.id is not None]
        last = latest_tickets(INDUSTRY.slug, VISIT_SERVICES, ids)
        today = local_today()
        rows = visits_due(customers, last, settings)
        fmt = requested_format()
        if fmt:
            export = [_export_row(row, today) for row in rows]
            return export_response(f"visits-due-{manager}", _COLUMNS, export, fmt)
        return render_page(
            "tobacco_retail/visits_due.html",
            "tobacco_retail/_visits_due_rows.html",
            rows=rows,
            manager=manager,
            own=manager == user.username,
            may_pick=current_user_can(OTHERS_PERMISSION),
            today=today,
            soon_days=SOON_DAYS,
            settings=settings,
            visit_times=dict(VISIT_TIMES),
            may_record=current_user_can("ticket.create"),
        )

    return pages


_COLUMNS = (
    Column("retailer", label("零售户", "Retailer")),
    Column("licence_no", label("许可证号", "Licence no.")),
    Column("grade", label("档位", "Grade")),
    Column("cycle_days", label("周期（天）", "Cycle (days)")),
    Column("last_visit", label("上次走访", "Last visit")),
    Column("last_visit_on", label("上次走访日期", "Last visit date")),
    Column("due_on", label("应访日期", "Due")),
    Column("overdue", label("已逾期", "Overdue")),
    Column("visit_time", label("方便时间", "Visit time")),
    Column("vulnerable", label("弱势群体", "Vulnerable group")),
)


def _export_row(row: Any, today: Any) -> dict[str, Any]:
    """One retailer of the visits-due list as an export row."""
    attributes = row.customer.attributes
    visit = row.last_visit
    return {
        "retailer": attributes.get("tr_store_name") or row.customer.name,
        "licence_no": attributes.get("tr_licence_no") or "",
        "grade": row.grade,
        "cycle_days": row.cycle_days,
        "last_visit": visit.number if visit else "",
        "last_visit_on": local_day(visit.reported_at) if visit else None,
        "due_on": row.due_on,
        "overdue": row.overdue(today),
        "visit_time": dict(VISIT_TIMES).get(attributes.get("tr_visit_time"), ""),
        "vulnerable": bool(attributes.get("tr_vulnerable")),
    }
