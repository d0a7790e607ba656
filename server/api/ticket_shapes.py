"""What the API answers about a ticket: its facts, customer, assignee and SLA clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

import peewee
from pydantic import AwareDatetime, BaseModel, Field

from server.api.shapes import aware
from server.api.ticket_access import etag
from server.catalog import current_registry
from server.models import Customer, Ticket, User, utcnow
from server.sla import clock
from server.sla.engine import live_clocks, stored_clocks
from server.sla.models import TicketSla

SlaState = Literal["running", "paused", "met", "breached", "cancelled"]


class CustomerSummaryOut(BaseModel):
    id: int
    name: str
    kind: str
    phone: str


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str


class SlaMetricOut(BaseModel):
    """One SLA metric's clock, as the ticket page's Service level panel shows it."""

    metric: str = Field(description="first_response, arrival, resolution, …")
    policy: str
    calendar: str
    due: AwareDatetime
    target_minutes: int
    elapsed_minutes: float = Field(description="Working time counted so far.")
    paused_minutes: float
    state: SlaState
    breached: bool
    time_left_seconds: int | None = Field(
        description="Seconds until `due` while the clock still counts (negative once "
        "overdue); null when the metric is met or cancelled."
    )


class TicketOut(BaseModel):
    id: int
    number: str
    industry: str
    service: str
    status: str
    priority: str
    channel: str
    title: str
    description: str
    team: str
    customer: CustomerSummaryOut
    asset_id: int | None
    assignee: UserOut | None
    reported_at: AwareDatetime
    created_at: AwareDatetime
    updated_at: AwareDatetime
    first_response_at: AwareDatetime | None
    arrived_at: AwareDatetime | None
    resolved_at: AwareDatetime | None
    closed_at: AwareDatetime | None
    attributes: dict[str, Any] = Field(description="The service's plugin fields, as stored.")
    version: int = Field(description="Send it back in If-Match to change the ticket.")
    sla: list[SlaMetricOut]


class TicketsOut(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None


def user_out(user: User | None) -> UserOut | None:
    if user is None:
        return None
    return UserOut(id=user.id, username=user.username, display_name=user.display_name)


def sla_out(ticket: Ticket, rows: Iterable[TicketSla], now: dt.datetime | None = None) -> list[Any]:
    """The clocks as output; time left as the ticket page counts it (``now`` naive UTC)."""
    now = now or utcnow()
    out = []
    for row in rows:
        counting = (
            row.stopped_at is None
            and row.state in (*clock.OPEN_STATES, clock.BREACHED)
            and ticket.status != "cancelled"
        )
        out.append(
            SlaMetricOut(
                metric=row.metric,
                policy=row.policy,
                calendar=row.calendar,
                due=aware(row.due_at),
                target_minutes=row.target_seconds // 60,
                elapsed_minutes=round(row.elapsed_seconds / 60, 2),
                paused_minutes=round(row.paused_seconds / 60, 2),
                state=row.state,
                breached=row.state == clock.BREACHED,
                time_left_seconds=int((row.due_at - now).total_seconds()) if counting else None,
            )
        )
    return out


def ticket_out(ticket: Ticket, clocks: Iterable[TicketSla]) -> TicketOut:
    """``ticket`` (with its customer and assignee loaded) and its SLA ``clocks``."""
    customer = ticket.customer
    return TicketOut(
        id=ticket.id,
        number=ticket.number,
        industry=ticket.plugin,
        service=ticket.service,
        status=ticket.status,
        priority=ticket.priority,
        channel=ticket.channel,
        title=ticket.title,
        description=ticket.description,
        team=ticket.team,
        customer=CustomerSummaryOut(
            id=customer.id, name=customer.name, kind=customer.kind, phone=customer.phone
        ),
        asset_id=ticket.asset_id,
        assignee=user_out(ticket.assignee) if ticket.assignee_id else None,
        reported_at=aware(ticket.reported_at),
        created_at=aware(ticket.created_at),
        updated_at=aware(ticket.updated_at),
        first_response_at=aware(ticket.first_response_at),
        arrived_at=aware(ticket.arrived_at),
        resolved_at=aware(ticket.resolved_at),
        closed_at=aware(ticket.closed_at),
        attributes=dict(ticket.attributes or {}),
        version=ticket.version,
        sla=sla_out(ticket, clocks),
    )


def ticket_answer(
    ticket: Ticket, status: int = 200, **headers: str
) -> tuple[TicketOut, int, dict[str, str]]:
    """The ticket as it is now (live SLA clocks), with its ETag: what a view returns.

    A ticket object a write has just produced (create, move, assign, edit) carries the
    clocks that write stored: it is answered as it is, nothing is read back."""
    clocks = stored_clocks(ticket)
    if clocks is not None:
        return ticket_out(ticket, clocks), status, {**etag(ticket), **headers}
    fresh = (
        Ticket.select(Ticket, Customer, User)
        .join_from(Ticket, Customer)
        .join_from(Ticket, User, peewee.JOIN.LEFT_OUTER)
        .where(Ticket.id == ticket.id)
        .get()
    )
    out = ticket_out(fresh, live_clocks(current_registry(), fresh))
    return out, status, {**etag(fresh), **headers}
