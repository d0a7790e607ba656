"""Shared set-up of the survey tests: a resolved repair (which schedules its callback)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.catalog import current_registry
from server.followup.models import Callback
from server.models import Customer, Ticket
from server.tickets import assign_ticket, transition_ticket
from tests.conftest import add_ticket, ensure_user


def resolved_repair(
    app: Any, customer: Customer, resolved_at: dt.datetime, description: str = ""
) -> Ticket:
    """A sample repair of ``customer``, assigned to a technician and resolved at
    ``resolved_at`` (naive UTC), which schedules its callback."""
    actor = ensure_user(app, "dispatcher", "dispatcher")
    tech = ensure_user(app, "tech", "technician")
    ticket = add_ticket(
        app,
        service="repair",
        customer=customer,
        attributes={"serial": "AB1234"},
        description=description,
        now=resolved_at - dt.timedelta(hours=1),
    )
    with app.app_context():
        registry = current_registry()
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", actor, now=resolved_at)
        return transition_ticket(
            registry, ticket, ticket.version, "resolved", tech, now=resolved_at
        )


def callback_of(app: Any, ticket: Ticket) -> Callback:
    with app.app_context():
        return Callback.get(Callback.ticket == ticket.id)
