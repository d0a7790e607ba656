"""Ticket-page panels: an outage incident's linked reports, and a report's incident."""

from __future__ import annotations

from server.plugin_api import Label, Panel, TicketInfo, label, linked_tickets, parent_ticket

_CLOSED = ("resolved", "closed", "cancelled")


def panels(ticket: TicketInfo) -> list[Panel]:
    """How many reports an outage gathers (and how many are still open); a report's outage."""
    if ticket.service == "outage":
        reports = linked_tickets(ticket.id)
        still_open = [r for r in reports if r.status not in _CLOSED]
        return [
            Panel(
                label("停电事件", "Outage incident"),
                (
                    (Label("关联的客户报修", "Customer reports linked"), str(len(reports))),
                    (Label("尚未处理完", "Still open"), str(len(still_open))),
                    (
                        Label("影响户数（估）", "Estimated customers affected"),
                        str(ticket.attributes.get("affected_customers") or "—"),
                    ),
                ),
            )
        ]
    parent = parent_ticket(ticket.id)
    if parent is not None and parent.service == "outage":
        return [
            Panel(
                label("所属停电事件", "Part of an outage"),
                (
                    (Label("停电事件", "Outage incident"), parent.number),
                    (Label("停电线路/台区", "Feeder"), str(parent.attributes.get("feeder", "—"))),
                ),
            )
        ]
    return []
