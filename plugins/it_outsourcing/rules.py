"""Checks on IT tickets and contracts: escalation reasons, change approval, contract dates."""

from __future__ import annotations

from server.plugin_api import (
    CustomerInfo,
    Label,
    ServiceType,
    TicketInfo,
    Veto,
    current_user,
    saved_ticket,
)

APPROVERS = ("supervisor", "admin")
# A change may be logged and assigned before approval; the work itself waits for it.
WORK_STATUSES = ("in_progress", "en_route", "on_site", "resolved")


def ticket_errors(service: ServiceType, ticket: TicketInfo) -> dict[str, list[Label]] | None:
    """A second-line escalation gives its reason; only a supervisor approves a change."""
    errors: dict[str, list[Label]] = {}
    attributes = ticket.attributes
    if attributes.get("support_line") == "second" and not attributes.get("escalation_reason"):
        errors["escalation_reason"] = [
            Label("升级到二线时请说明原因", "Give the reason for escalating to the second line.")
        ]
    if service.code == "change_request":
        saved = saved_ticket(ticket.id)
        before = bool(saved.attributes.get("change_approved")) if saved else False
        after = bool(attributes.get("change_approved"))
        user = current_user()
        if after != before and (user is None or user.role not in APPROVERS):
            errors["change_approved"] = [
                Label(
                    "只有主管可以批准或撤销变更",
                    "Only a supervisor approves or withdraws a change.",
                )
            ]
    return errors or None


def change_veto(ticket: TicketInfo, new_status: str) -> Veto | None:
    """A change request's work cannot start (or be resolved) before it is approved."""
    if ticket.service != "change_request" or new_status not in WORK_STATUSES:
        return None
    if ticket.attributes.get("change_approved"):
        return None
    return Veto(
        Label("变更尚未经主管批准", "The change has not been approved by a supervisor yet.")
    )


def contract_errors(customer: CustomerInfo) -> dict[str, list[Label]] | None:
    """A contract has a tier, a start and an end, and ends on or after it starts."""
    attributes = customer.attributes
    names = ("it_contract_tier", "it_contract_start", "it_contract_end")
    given = [name for name in names if attributes.get(name)]
    if not given and not attributes.get("it_contract_no"):
        return None
    errors: dict[str, list[Label]] = {
        name: [Label("运维合同需填写等级及起止日期", "A contract needs its tier, start and end.")]
        for name in names
        if not attributes.get(name)
    }
    start, end = attributes.get("it_contract_start"), attributes.get("it_contract_end")
    if start and end and str(end) < str(start):
        errors["it_contract_end"] = [
            Label("合同结束日期不能早于开始日期", "The contract cannot end before it starts.")
        ]
    return errors or None
