"""Read-only snapshots of rows, as plugins receive them (never the peewee objects)."""

from __future__ import annotations

import datetime as dt

from server.models import Attachment, Customer, Ticket, User
from server.plugin_api import CustomerInfo, TicketInfo, UserInfo
from server.sla.models import TicketStatusPeriod


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


def ticket_info(
    ticket: Ticket,
    status_since: dt.datetime | None = None,
    attachment_count: int | None = None,
) -> TicketInfo:
    """The snapshot of ``ticket``; a caller that knows when its status began and how many
    files it has (a ticket being created: now, none) passes them and saves two reads."""
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
        status_since=status_since if status_since is not None else _status_since(ticket),
        attachment_count=(
            attachment_count if attachment_count is not None else _attachment_count(ticket)
        ),
    )


def _attachment_count(ticket: Ticket) -> int:
    """How many files are attached to the ticket (one indexed count)."""
    if ticket.id is None:
        return 0
    return Attachment.select().where(Attachment.ticket == ticket.id).count()


def _status_since(ticket: Ticket) -> dt.datetime | None:
    """The start of the ticket's open status period (one indexed lookup)."""
    if ticket.id is None:
        return None
    period = (
        TicketStatusPeriod.select(TicketStatusPeriod.started_at)
        .where(TicketStatusPeriod.ticket == ticket.id, TicketStatusPeriod.ended_at.is_null())
        .order_by(TicketStatusPeriod.started_at.desc())
        .first()
    )
    return period.started_at if period is not None else None
