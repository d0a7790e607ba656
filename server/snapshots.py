"""Read-only snapshots of rows, as plugins receive them (never the peewee objects)."""

from __future__ import annotations

from server.models import Customer, Ticket, User
from server.plugin_api import CustomerInfo, TicketInfo, UserInfo


def user_info(user: User) -> UserInfo:
    return UserInfo(id=user.id, username=user.username, display_name=str(user), role=user.role)


def customer_info(customer: Customer) -> CustomerInfo:
    return CustomerInfo(
        id=customer.id,
        name=customer.name,
        kind=customer.kind,
        region=customer.region,
        tier=customer.tier,
        attributes=dict(customer.attributes or {}),
    )


def ticket_info(ticket: Ticket) -> TicketInfo:
    return TicketInfo(
        id=ticket.id,
        number=ticket.number,
        plugin=ticket.plugin,
        service=ticket.service,
        status=ticket.status,
        priority=ticket.priority,
        customer=customer_info(ticket.customer),
        asset_id=ticket.asset_id,
        assignee_id=ticket.assignee_id,
        reported_at=ticket.reported_at,
        attributes=dict(ticket.attributes or {}),
    )
