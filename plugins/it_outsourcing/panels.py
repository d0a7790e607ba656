"""The ticket page's IT panel: P-level, escalation and a change's approval."""

from __future__ import annotations

from server.plugin_api import Label, Panel, TicketInfo, label

from .priority import priority_level
from .settings import Settings


def service_desk_panel(settings: Settings, ticket: TicketInfo) -> list[Panel]:
    """P1–P4 from impact × urgency, the support line, and a change's approval."""
    attributes = ticket.attributes
    rows: list[tuple[Label, Label | str]] = []
    level = priority_level(settings, attributes)
    if level:
        rows.append(
            (
                Label("优先级（影响×紧急）", "Priority (impact × urgency)"),
                f"{level} ({attributes['impact']} × {attributes['urgency']})",
            )
        )
    if attributes.get("support_line") == "second":
        rows.append(
            (Label("支持线", "Support line"), Label("二线（已升级）", "Second line (escalated)"))
        )
    if ticket.service == "change_request":
        approved = (
            Label("已批准", "Approved")
            if attributes.get("change_approved")
            else Label("待批准", "Awaiting approval")
        )
        rows.append((Label("变更审批", "Change approval"), approved))
    if not rows:
        return []
    return [Panel(label("服务台", "Service desk"), tuple(rows))]
