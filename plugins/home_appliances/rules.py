"""Per-ticket rules for home-appliance tickets: resolving repairs and install purchase dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.plugin_api import ServiceType, TicketInfo, Veto

MAX_INSTALL_AGE_YEARS = 10


def repair_resolution_veto(ticket: TicketInfo, new_status: str) -> Veto | None:
    """Refuse to resolve a repair whose fault description is still empty."""
    if new_status != "resolved" or ticket.service != "repair":
        return None
    if str(ticket.attributes.get("fault_description") or "").strip():
        return None
    return Veto(
        "维修工单需先填写故障描述才能标记为已解决。"
        " / Fill in the fault description before resolving a repair."
    )


def install_purchase_errors(
    service: ServiceType, ticket: TicketInfo, today: dt.date | None = None
) -> dict[str, list[str]] | None:
    """Flag an installation whose purchase date lies more than ten years back."""
    if service.code != "install":
        return None
    purchased = _as_date(ticket.attributes.get("purchase_date"))
    if purchased is None:
        return None
    limit = _years_before(today or dt.date.today(), MAX_INSTALL_AGE_YEARS)
    if purchased >= limit:
        return None
    return {
        "purchase_date": [
            f"购买日期早于 {MAX_INSTALL_AGE_YEARS} 年前，请核对。"
            f" / The purchase date is more than {MAX_INSTALL_AGE_YEARS} years ago;"
            " please check it."
        ]
    }


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)
