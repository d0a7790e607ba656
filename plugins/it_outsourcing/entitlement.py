"""What a customer is entitled to: its contract's tier while the contract and asset run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from server.plugin_api import AssetInfo, Entitlement, Label

ZONE = ZoneInfo("Asia/Shanghai")
TIERS = ("gold", "silver", "bronze")
OUT_OF_CONTRACT = "out_of_contract"
CONFIGURATION_ITEM = "it_asset"


def local_day(reported_at: dt.datetime) -> dt.date:
    """The local calendar day of a naive-UTC time: contracts run by Beijing days."""
    return reported_at.replace(tzinfo=dt.UTC).astimezone(ZONE).date()


def contract_entitlement(
    contract: Mapping[str, Any], asset: AssetInfo | None, day: dt.date
) -> Entitlement:
    """Covered at the contract's tier when the contract (and the asset's coverage) run on
    ``day``, both ends included; otherwise out of contract, shown and charged.

    ``contract`` is the customer's attributes (``it_contract_tier``, ``it_contract_start``,
    ``it_contract_end`` as ``YYYY-MM-DD``); ``asset`` the ticket's configuration item, if
    any — a ticket without one (an inspection) is judged by the contract alone.
    """
    tier = contract.get("it_contract_tier")
    start = _date(contract.get("it_contract_start"))
    end = _date(contract.get("it_contract_end"))
    if tier not in TIERS or start is None or end is None:
        return Entitlement(OUT_OF_CONTRACT, Label("无运维合同", "No service contract on file"))
    if day < start:
        return Entitlement(
            OUT_OF_CONTRACT, Label(f"合同自 {start} 起生效", f"The contract starts on {start}")
        )
    if day > end:
        return Entitlement(
            OUT_OF_CONTRACT, Label(f"合同已于 {end} 到期", f"The contract ended on {end}")
        )
    if asset is not None:
        if asset.kind != CONFIGURATION_ITEM:
            return Entitlement(
                OUT_OF_CONTRACT,
                Label(
                    f"{asset.identifier} 不在合同范围",
                    f"{asset.identifier} is not a covered asset",
                ),
            )
        if (asset.coverage_start and day < asset.coverage_start) or (
            asset.coverage_end and day > asset.coverage_end
        ):
            return Entitlement(
                OUT_OF_CONTRACT,
                Label(
                    f"资产 {asset.identifier} 当日不在合同覆盖期",
                    f"Asset {asset.identifier} is not covered on {day}",
                ),
            )
    reason = Label(f"{tier} 级合同有效至 {end}", f"{tier} contract until {end}")
    if asset is not None:
        reason = Label(
            f"资产 {asset.identifier}，{reason.zh}", f"Asset {asset.identifier}: {reason.en}"
        )
    return Entitlement(
        f"contract_{tier}",
        reason,
        covered=True,
    )


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
