"""The ticket page's panel for quality complaints: who took it first, and how it ended."""

from __future__ import annotations

from server.plugin_api import Label, Panel, TicketInfo, label, ticket_creator

from .catalog import COMPLAINT_OUTCOMES

_OUTCOMES = dict(COMPLAINT_OUTCOMES)


def complaint_panel(ticket: TicketInfo) -> list[Panel]:
    """First-contact owner (the user who recorded the complaint), outcome, compensation."""
    if ticket.service != "quality_complaint" or ticket.id is None:
        return []
    owner = ticket_creator(ticket.id)
    outcome = _OUTCOMES.get(ticket.attributes.get("outcome") or "pending")
    compensation = ticket.attributes.get("compensation")
    rows = (
        (Label("首问责任人", "First-contact owner"), owner.display_name if owner else "—"),
        (Label("处理结果", "Outcome"), outcome or "—"),
        (Label("赔偿金额", "Compensation"), f"¥{compensation}" if compensation else "—"),
    )
    return [Panel(label("质量投诉处理", "Quality complaint handling"), rows)]
