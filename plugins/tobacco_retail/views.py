"""The plugin's pages, mounted by the core under ``/p/tobacco_retail/``."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, request

from server.plugin_api import (
    current_user,
    current_user_can,
    customers_with_attribute,
    latest_tickets,
    render_page,
)

from .catalog import INDUSTRY, VISIT_SERVICES, VISIT_TIMES
from .settings import Settings
from .visits import local_today, visits_due

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
