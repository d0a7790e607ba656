"""The plugin's pages, mounted by the core under ``/p/it_outsourcing/``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, abort, request

from server.plugin_api import (
    Column,
    Label,
    customers_with_attribute,
    export_response,
    label,
    render_page,
    requested_format,
    tickets_in_period,
)

from .availability import Availability, availability, month_bounds
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
        error = None if matched else Label("月份格式为 YYYY-MM", "Give the month as YYYY-MM.")
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
        fmt = requested_format()
        if fmt and report is not None and customer is not None:
            rows = _availability_rows(report, contract, month, customer.name, tier)
            return export_response(f"availability-{contract}-{month}", _COLUMNS, rows, fmt)
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


_COLUMNS = (
    Column("contract", label("合同编号", "Contract no.")),
    Column("customer", label("客户", "Customer")),
    Column("tier", label("合同等级", "Tier")),
    Column("month", label("月份", "Month")),
    Column("service_minutes", label("服务时间（分钟）", "Service time (minutes)")),
    Column("downtime_minutes", label("P1 停机（分钟）", "P1 downtime (minutes)")),
    Column("availability", label("可用率 %", "Availability %")),
    Column("ticket", label("工单", "Ticket")),
    Column("reported_at", label("报告时间 (UTC)", "Reported (UTC)")),
    Column("resolved_at", label("解决时间 (UTC)", "Resolved (UTC)")),
)


def _availability_rows(
    report: Availability, contract: str, month: str, customer: str, tier: str
) -> list[dict[str, Any]]:
    """The report as export rows: one per P1 outage (one without a ticket when none)."""
    head = {
        "contract": contract,
        "customer": customer,
        "tier": tier,
        "month": month,
        "service_minutes": report.service_minutes,
        "downtime_minutes": report.downtime_minutes,
        "availability": round(report.percent, 3),
    }
    if not report.outages:
        return [head]
    return [
        {
            **head,
            "ticket": span.ticket.number,
            "reported_at": span.ticket.reported_at,
            "resolved_at": span.resolved_at,
        }
        for span in report.outages
    ]
