"""Checks on a quality complaint's outcome and compensation, beyond each field's own."""

from __future__ import annotations

import decimal

from server.plugin_api import ServiceType, TicketInfo


def complaint_outcome_errors(
    service: ServiceType, ticket: TicketInfo
) -> dict[str, list[str]] | None:
    """Compensation goes with the "compensated" outcome, and that outcome needs an amount."""
    if service.code != "quality_complaint":
        return None
    outcome = ticket.attributes.get("outcome")
    raw = ticket.attributes.get("compensation")
    amount = decimal.Decimal(raw) if raw not in (None, "") else None
    if outcome == "compensated" and not amount:
        return {"compensation": ["Enter the compensation paid (赔偿结果需填写赔偿金额)."]}
    if amount and outcome != "compensated":
        return {
            "outcome": [
                "A compensation needs the outcome “Compensated” (有赔偿金额时处理结果应为赔偿)."
            ]
        }
    return None
