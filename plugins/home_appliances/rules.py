"""Per-ticket rules for home-appliance tickets: checks across fields and the entitlement."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from server.plugin_api import Entitlement, Label, ServiceType, TicketInfo, Veto

from . import entitlement as sanbao
from .catalog import WARRANTY_SERVICES
from .settings import Settings

MAX_INSTALL_AGE_YEARS = 10


def repair_resolution_veto(ticket: TicketInfo, new_status: str) -> Veto | None:
    """Refuse to resolve a repair whose fault description is still empty."""
    if new_status != "resolved" or ticket.service != "repair":
        return None
    if str(ticket.attributes.get("fault_description") or "").strip():
        return None
    return Veto(
        Label(
            "维修工单需先填写故障描述才能标记为已解决。",
            "Fill in the fault description before resolving a repair.",
        )
    )


def install_purchase_errors(
    service: ServiceType, ticket: TicketInfo, today: dt.date | None = None
) -> dict[str, list[Label]] | None:
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
            Label(
                f"购买日期早于 {MAX_INSTALL_AGE_YEARS} 年前，请核对。",
                f"The purchase date is more than {MAX_INSTALL_AGE_YEARS} years ago;"
                " please check it.",
            )
        ]
    }


def extended_warranty_errors(
    service: ServiceType, ticket: TicketInfo, settings: Settings
) -> dict[str, list[Label]] | None:
    """An extended warranty needs both its years and the day it was bought, not before
    the purchase; bought later than the window is allowed but not honoured (the
    entitlement's reason says so)."""
    if service.code not in WARRANTY_SERVICES:
        return None
    years = ticket.attributes.get("extended_warranty_years") or 0
    bought = _as_date(ticket.attributes.get("extended_warranty_bought_on"))
    purchased = _as_date(ticket.attributes.get("purchase_date"))
    errors: dict[str, list[Label]] = {}
    if years and bought is None:
        errors["extended_warranty_bought_on"] = [
            Label("请填写延保购买日期。", "Give the day the extended warranty was bought.")
        ]
    if bought is not None and not years:
        errors["extended_warranty_years"] = [
            Label("请填写延保年限（1–3 年）。", "Give the extended warranty's years (1–3).")
        ]
    if years and years > settings.terms.extended_warranty_max_years:
        errors["extended_warranty_years"] = [
            Label(
                f"延保最长 {settings.terms.extended_warranty_max_years} 年。",
                f"At most {settings.terms.extended_warranty_max_years} extra years.",
            )
        ]
    if bought is not None and purchased is None:
        errors["purchase_date"] = [
            Label(
                "有延保时请填写购买日期。",
                "Give the purchase date of an appliance with an extended warranty.",
            )
        ]
    elif bought is not None and purchased is not None and bought < purchased:
        errors["extended_warranty_bought_on"] = [
            Label(
                "延保购买日期不能早于购机日期。",
                "The extended warranty cannot be bought before the appliance.",
            )
        ]
    return errors or None


def install_site_errors(service: ServiceType, ticket: TicketInfo) -> dict[str, list[Label]] | None:
    """An installation's address must look like an address (more than a few characters)."""
    if service.code != "install":
        return None
    address = str(ticket.attributes.get("install_address") or "").strip()
    if len(address) >= 6:
        return None
    return {
        "install_address": [
            Label(
                "请填写完整的安装地址（至少 6 个字）。",
                "Give the full installation address (at least 6 characters).",
            )
        ]
    }


def claim_of(ticket: TicketInfo, settings: Settings) -> sanbao.Claim:
    """The warranty claim the ticket's fields describe; reported on the local date."""
    zone = ZoneInfo(settings.timezone)
    reported = ticket.reported_at.replace(tzinfo=dt.UTC).astimezone(zone).date()
    attributes = ticket.attributes
    return sanbao.Claim(
        category=str(attributes.get("appliance_category") or ""),
        purchased=_as_date(attributes.get("purchase_date")),
        reported=reported,
        fault_kind=str(attributes.get("fault_kind") or sanbao.PERFORMANCE),
        proof_of_purchase=bool(attributes.get("proof_of_purchase")),
        main_component=bool(attributes.get("main_component")),
        previous_repairs=_whole(attributes.get("previous_repairs")),
        extended_years=_whole(attributes.get("extended_warranty_years")),
        extended_bought=_as_date(attributes.get("extended_warranty_bought_on")),
    )


def ticket_entitlement(ticket: TicketInfo, settings: Settings) -> Entitlement | None:
    """三包 for repairs, exchanges and returns; free first installation; paid upkeep."""
    if ticket.service in WARRANTY_SERVICES:
        return sanbao.decide(claim_of(ticket, settings), settings.terms)
    if ticket.service == "install":
        return Entitlement(
            "free_install",
            Label(
                "新购家电首次安装免费（辅材另计）",
                "First installation of a new appliance is free (materials extra)",
            ),
            covered=True,
        )
    if ticket.service in ("maintenance", "dismantle_move", "parts_sale"):
        return Entitlement(
            "paid_service",
            Label(
                "清洗保养、拆移机和配件为收费服务，需先报价并经客户同意",
                "Cleaning, moves and parts are paid: quote first",
            ),
        )
    return None


def _whole(value: Any) -> int:
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


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
