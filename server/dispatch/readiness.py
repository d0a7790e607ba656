"""Site readiness: a service may require a confirmation before its tickets are dispatched."""

from __future__ import annotations

import datetime as dt

import peewee

from server.catalog import Registry
from server.db import write_transaction
from server.models import BaseModel, Ticket, TicketEvent, User, utcnow
from server.plugin_api import Label


class TicketReadiness(BaseModel):
    """Who confirmed that the site is ready for the ticket's service, and when."""

    ticket = peewee.ForeignKeyField(Ticket, primary_key=True, on_delete="CASCADE")
    confirmed_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    confirmed_at = peewee.DateTimeField(default=utcnow)
    note = peewee.CharField(max_length=500, default="")

    class Meta:
        table_name = "ticket_readiness"


def readiness_required(registry: Registry, ticket: Ticket) -> Label | None:
    """The condition the ticket's service wants confirmed before dispatch, if any."""
    service = registry.service(ticket.plugin, ticket.service)
    return service.readiness if service is not None else None


def confirmation(ticket: Ticket) -> TicketReadiness | None:
    return TicketReadiness.get_or_none(TicketReadiness.ticket == ticket.id)


def missing_readiness(registry: Registry, ticket: Ticket) -> Label | None:
    """The unconfirmed condition that stops dispatch, or None when dispatch may go on."""
    required = readiness_required(registry, ticket)
    if required is None or confirmation(ticket) is not None:
        return None
    return required


def confirm_readiness(
    ticket: Ticket, actor: User, note: str = "", now: dt.datetime | None = None
) -> TicketReadiness:
    """Record the confirmation (once; a second one changes nothing) on the timeline."""
    now = now or utcnow()
    with write_transaction():
        existing = confirmation(ticket)
        if existing is not None:
            return existing
        row = TicketReadiness.create(
            ticket=ticket, confirmed_by=actor, confirmed_at=now, note=note[:500]
        )
        TicketEvent.create(
            ticket=ticket,
            actor=actor,
            at=now,
            kind="readiness_confirmed",
            data={"note": note[:500]},
        )
        return row
