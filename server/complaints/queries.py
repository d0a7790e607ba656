"""Reading the ledger: the filtered list (page and export) and a ticket's complaints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee

from server.complaints.models import OPEN_STAGES, STAGES, Complaint
from server.models import Customer, Ticket, User


@dataclass(frozen=True)
class ComplaintFilters:
    """What the ledger is narrowed to; empty values do not filter."""

    stage: str = ""  # a stage, or "open" for every open stage
    channel: str = ""
    category: str = ""
    plugin: str = ""  # the industry of the related ticket
    owner_id: int | None = None
    overdue: bool = False
    start: dt.datetime | None = None  # received at or after (naive UTC)
    end: dt.datetime | None = None  # received before (naive UTC)


def filtered(filters: ComplaintFilters, now: dt.datetime) -> peewee.ModelSelect:
    """The complaints matching ``filters``, newest first (owner, staff, ticket, customer
    joined, so a page or an export reads each row once)."""
    owner = User.alias("owner")
    staff = User.alias("staff")
    query = (
        Complaint.select(Complaint, owner, staff, Ticket, Customer)
        .join(owner, on=(Complaint.owner == owner.id), attr="owner")
        .switch(Complaint)
        .join(staff, peewee.JOIN.LEFT_OUTER, on=(Complaint.staff == staff.id), attr="staff")
        .switch(Complaint)
        .join(Ticket, peewee.JOIN.LEFT_OUTER, on=(Complaint.ticket == Ticket.id), attr="ticket")
        .switch(Complaint)
        .join(
            Customer,
            peewee.JOIN.LEFT_OUTER,
            on=(Complaint.customer == Customer.id),
            attr="customer",
        )
    )
    conditions = []
    if filters.stage == "open":
        conditions.append(Complaint.stage.in_(list(OPEN_STAGES)))
    elif filters.stage in STAGES:
        conditions.append(Complaint.stage == filters.stage)
    if filters.channel:
        conditions.append(Complaint.channel == filters.channel)
    if filters.category:
        conditions.append(Complaint.category == filters.category)
    if filters.plugin:
        conditions.append(Ticket.plugin == filters.plugin)
    if filters.owner_id is not None:
        conditions.append(Complaint.owner == filters.owner_id)
    if filters.overdue:
        conditions.append(Complaint.stage.in_(list(OPEN_STAGES)) & (Complaint.stage_due_at < now))
    if filters.start is not None:
        conditions.append(Complaint.received_at >= filters.start)
    if filters.end is not None:
        conditions.append(Complaint.received_at < filters.end)
    if conditions:
        query = query.where(*conditions)
    return query.order_by(Complaint.received_at.desc(), Complaint.id.desc())


def complaints_of_ticket(ticket: Ticket) -> list[Complaint]:
    """The complaints about ``ticket``, oldest first."""
    return list(
        Complaint.select()
        .where(Complaint.ticket == ticket.id)
        .order_by(Complaint.received_at, Complaint.id)
    )


def is_overdue(complaint: Complaint, now: dt.datetime) -> bool:
    """The current stage is past its deadline."""
    return (
        complaint.stage in OPEN_STAGES
        and complaint.stage_due_at is not None
        and complaint.stage_due_at < now
    )
