"""What a retailer is entitled to: service while its tobacco retail licence is valid."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from server.plugin_api import Entitlement, Label, TicketInfo, asset_info

from .catalog import RETAIL_LICENCE
from .sla import CALENDAR

# Licences run by the local calendar day: a call at 00:30 in Hangzhou is on that day.
_ZONE = ZoneInfo(CALENDAR.timezone)


def licence_entitlement(ticket: TicketInfo) -> Entitlement | None:
    """Valid on the day of the call (both ends included): covered; otherwise not.

    The wholesaler's services are free for licensed retailers; before the licence starts
    or after it ends the retailer is not (yet, or any more) licensed.
    """
    asset = asset_info(ticket.asset_id)
    if asset is None or asset.kind != RETAIL_LICENCE.code:
        return None
    day = ticket.reported_at.replace(tzinfo=dt.UTC).astimezone(_ZONE).date()
    start, end = asset.coverage_start, asset.coverage_end
    if start is not None and day < start:
        return Entitlement(
            "licence_not_yet_valid",
            Label(
                f"许可证 {asset.identifier} 自 {start} 起有效",
                f"Licence {asset.identifier} is valid from {start}",
            ),
        )
    if end is not None and day > end:
        return Entitlement(
            "licence_expired",
            Label(
                f"许可证 {asset.identifier} 已于 {end} 到期",
                f"Licence {asset.identifier} expired on {end}",
            ),
        )
    if end:
        reason = Label(
            f"许可证 {asset.identifier} 有效，至 {end}",
            f"Licence {asset.identifier} is valid until {end}",
        )
    else:
        reason = Label(
            f"许可证 {asset.identifier} 有效，长期",
            f"Licence {asset.identifier} is valid with no end date",
        )
    return Entitlement("licence_valid", reason, covered=True)
