"""The plugin's pages, mounted by the core under ``/p/it_outsourcing/``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, abort, request

from server.plugin_api import customers_with_attribute, render_page, tickets_in_period

from .availability import availability, month_bounds
from .catalog import INDUSTRY
from .entitlement import ZONE
from .settings import Settings

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def blueprint(settings: Settings) -> Blueprint:
    """A fresh blueprint bound to these settings (one per app, no module state)."""
    pages = Blueprint("it_outsourcing", __name__)

    @pages.get("/availability")
    def availability_page() -> Any:
        """One contract's availability in one month: service time, P1 downtime, outages."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        contract = (request.args.get("contract") or "").strip()[:40]
        month = (request.args.get("month") or "").strip()
        if not month:
            month = now.replace(tzinfo=dt.UTC).astimezone(ZONE).strftime("%Y-%m")
        matched = _MONTH.match(month)
        error = None if matched else "月份格式为 YYYY-MM / give the month as YYYY-MM"
        report, customer = None, None
        if contract and matched:
            holders = customers_with_attribute("it_contract_no", contract)
            if not holders:
                abort(404)
            customer = holders[0]
            start, end = month_bounds(int(matched[1]), int(matched[2]))
            spans = tickets_in_period(INDUSTRY.slug, customer.id, start, end, ("incident",))
            tier = str(customer.attributes.get("it_contract_tier") or "bronze")
            report = availability(settings, spans, start, end, tier, now)
        return render_page(
            "it_outsourcing/availability.html",
            "it_outsourcing/_availability_report.html",
            contract=contract,
            month=month,
            error=error,
            customer=customer,
            report=report,
        ), (422 if error else 200)

    return pages
