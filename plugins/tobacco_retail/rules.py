"""Checks on a quality complaint's outcome and compensation, beyond each field's own."""

from __future__ import annotations

import decimal

from server.plugin_api import Label, ServiceType, TicketInfo


def complaint_outcome_errors(
    service: ServiceType, ticket: TicketInfo
) -> dict[str, list[Label]] | None:
    """Compensation goes with the "compensated" outcome, and that outcome needs an amount."""
    if service.code != "quality_complaint":
        return None
    outcome = ticket.attributes.get("outcome")
    raw = ticket.attributes.get("compensation")
    amount = decimal.Decimal(raw) if raw not in (None, "") else None
    if outcome == "compensated" and not amount:
        return {
            "compensation": [
                Label("处理结果为赔偿时需填写赔偿金额。", "Enter the compensation paid.")
            ]
        }
    if amount and outcome != "compensated":
        return {
            "outcome": [
                Label(
                    "有赔偿金额时处理结果应为“赔偿”。",
                    "A compensation needs the outcome “Compensated”.",
                )
            ]
        }
    return None
