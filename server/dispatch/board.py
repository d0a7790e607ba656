"""The dispatcher board's lists: unassigned tickets and assigned ones at risk of a breach.

Both lists are ordered by the nearest open SLA deadline (``ticket_deadline``, kept by the
write paths), most urgent first; unassigned tickets without any deadline follow, oldest
first. Each list is one query plus one for its rows' clocks, whatever the number of
technicians or open tickets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee

from server import workflow
from server.dispatch.assign import open_loads
from server.dispatch.models import Outlet, Technician, TechnicianRegion
from server.models import Customer, Ticket, User
from server.sla.models import TicketDeadline

BOARD_ROWS = 50
COUNT_CAP = 10_000


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows: one industry, one customer region, one outlet (at-risk list)."""

    plugin: str = ""
    region: str = ""
    outlet_id: int | None = None


@dataclass(frozen=True)
class BoardRow:
    ticket: Ticket
    due_at: dt.datetime | None
    metric: str


@dataclass(frozen=True)
class TechnicianLoad:
    user: User
    outlet: str
    open_tickets: int


@dataclass(frozen=True)
class BoardList:
    rows: list[BoardRow]
    total: int
    capped: bool


def open_tickets_with_deadline() -> peewee.ModelSelect:
    """Open tickets with their customer and (as ``ticket.deadline``) nearest deadline."""
    return (
        Ticket.select(Ticket, Customer, TicketDeadline)
        .join(Customer, on=(Ticket.customer == Customer.id))
        .switch(Ticket)
        .join(
            TicketDeadline,
            peewee.JOIN.LEFT_OUTER,
            on=(TicketDeadline.ticket == Ticket.id),
            attr="deadline",
        )
        .where(Ticket.status.in_(sorted(workflow.OPEN_STATUSES)))
    )


def _open_tickets(board: BoardFilter) -> peewee.ModelSelect:
    query = open_tickets_with_deadline()
    if board.plugin:
        query = query.where(Ticket.plugin == board.plugin)
    if board.region:
        query = query.where(Customer.region == board.region)
    return query


def _rows(query: peewee.ModelSelect) -> list[BoardRow]:
    rows = []
    for ticket in query:
        deadline = getattr(ticket, "deadline", None)
        due_at = deadline.due_at if deadline is not None else None
        rows.append(BoardRow(ticket, due_at, deadline.metric if due_at else ""))
    return rows


def _count(query: peewee.ModelSelect) -> tuple[int, bool]:
    """How many rows ``query`` has, counted up to the cap (the board says "more than")."""
    capped = query.order_by().limit(COUNT_CAP + 1)
    total = capped.count()
    return min(total, COUNT_CAP), total > COUNT_CAP


def unassigned(board: BoardFilter, limit: int = BOARD_ROWS) -> BoardList:
    """Open tickets nobody works yet: nearest deadline first, then the oldest."""
    query = _open_tickets(board).where(Ticket.assignee.is_null())
    total, capped = _count(query)
    ordered = query.order_by(
        TicketDeadline.due_at.is_null(), TicketDeadline.due_at, Ticket.created_at, Ticket.id
    ).limit(limit)
    return BoardList(_rows(ordered), total, capped)


def at_risk(
    board: BoardFilter, now: dt.datetime, minutes: int, limit: int = BOARD_ROWS
) -> BoardList:
    """Assigned open tickets whose nearest deadline is within ``minutes`` or already past."""
    horizon = now + dt.timedelta(minutes=minutes)
    assignee = User.alias("assignee")
    query = (
        _open_tickets(board)
        .select_extend(assignee.id, assignee.username, assignee.display_name)
        .switch(Ticket)
        .join(assignee, on=(Ticket.assignee == assignee.id), attr="assignee")
        .where(TicketDeadline.due_at <= horizon)
    )
    if board.outlet_id is not None:
        members = Technician.select(Technician.user).where(Technician.outlet == board.outlet_id)
        query = query.where(Ticket.assignee.in_(members))
    total, capped = _count(query)
    ordered = query.order_by(TicketDeadline.due_at, Ticket.id).limit(limit)
    return BoardList(_rows(ordered), total, capped)


def technician_loads(outlet_id: int | None = None) -> list[TechnicianLoad]:
    """Every active technician with their outlet and open tickets, least loaded first."""
    query = (
        User.select(User, Outlet.name.alias("outlet_name"))
        .join(Technician, peewee.JOIN.LEFT_OUTER, on=(Technician.user == User.id))
        .join(Outlet, peewee.JOIN.LEFT_OUTER, on=(Technician.outlet == Outlet.id))
        .where(User.active & (User.role == "technician"))
    )
    if outlet_id is not None:
        query = query.where(Technician.outlet == outlet_id)
    users = list(query.objects())  # only technicians: a few hundred rows
    loads = open_loads([u.id for u in users])
    rows = [TechnicianLoad(u, u.outlet_name or "", loads.get(u.id, 0)) for u in users]
    rows.sort(key=lambda row: (row.open_tickets, row.outlet, row.user.display_name))
    return rows


def board_regions() -> list[str]:
    """The regions outlets and technicians serve, for the board's filter."""
    outlets = Outlet.select(Outlet.region).where(Outlet.region != "").distinct()
    served = TechnicianRegion.select(TechnicianRegion.region).distinct()
    return sorted({row.region for row in outlets} | {row.region for row in served})
