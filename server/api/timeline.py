"""A ticket's timeline through the API: its events, oldest first, a page at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee
from pydantic import AwareDatetime, BaseModel, Field

from server.api import bp
from server.api.shapes import PageQuery, aware, decode_cursor, encode_cursor
from server.api.spec import operation
from server.api.ticket_access import naive_cursor_time, visible_ticket
from server.models import Ticket, TicketEvent, User


class EventOut(BaseModel):
    id: int
    at: AwareDatetime
    kind: str = Field(description="created, status, field, assigned, comment, callback, …")
    actor: str | None = Field(description="The username of who did it; null for the system.")
    data: dict[str, Any]


class EventsOut(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


def event_out(event: TicketEvent) -> EventOut:
    return EventOut(
        id=event.id,
        at=aware(event.at),
        kind=event.kind,
        actor=event.actor.username if event.actor_id else None,
        data=dict(event.data or {}),
    )


def events_after(
    ticket: Ticket, after: tuple[dt.datetime, int] | None, limit: int
) -> list[TicketEvent]:
    """Up to ``limit`` of the ticket's events after the key ``(at, id)``, in the
    timeline's order, with their actors loaded in the same query."""
    query = (
        TicketEvent.select(TicketEvent, User)
        .join(User, join_type=peewee.JOIN.LEFT_OUTER, on=(TicketEvent.actor == User.id))
        .where(TicketEvent.ticket == ticket)
    )
    if after is not None:
        at, event_id = after
        query = query.where(
            (TicketEvent.at > at) | ((TicketEvent.at == at) & (TicketEvent.id > event_id))
        )
    return list(query.order_by(TicketEvent.at, TicketEvent.id).limit(limit))


def latest_event(ticket: Ticket, kind: str, actor: User) -> TicketEvent:
    """The last event of ``kind`` the actor wrote on the ticket (the one just added)."""
    return (
        TicketEvent.select(TicketEvent, User)
        .join(User, join_type=peewee.JOIN.LEFT_OUTER, on=(TicketEvent.actor == User.id))
        .where(
            (TicketEvent.ticket == ticket)
            & (TicketEvent.kind == kind)
            & (TicketEvent.actor == actor)
        )
        .order_by(TicketEvent.id.desc())
        .get()
    )


@operation(
    bp,
    "GET",
    "/tickets/<id:ticket_id>/events",
    summary="A ticket's timeline",
    tag="Tickets",
    permission="ticket.view",
    query=PageQuery,
    response=EventsOut,
)
def list_ticket_events(ticket_id: int, query: PageQuery) -> EventsOut:
    """Everything that happened to the ticket, oldest first, a page at a time."""
    ticket = visible_ticket(ticket_id)
    after = None
    if query.cursor:
        at, event_id = decode_cursor(query.cursor, (dt.datetime, int))
        after = (naive_cursor_time(at), event_id)
    rows = events_after(ticket, after, query.limit + 1)
    page = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit:
        next_cursor = encode_cursor([page[-1].at, page[-1].id])
    return EventsOut(items=[event_out(event) for event in page], next_cursor=next_cursor)
