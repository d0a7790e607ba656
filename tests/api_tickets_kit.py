"""Shared set-up of the ticket API tests: all five plugins, a customer, valid bodies."""

from __future__ import annotations

from typing import Any

from flask import Flask

from server.catalog import current_registry
from server.models import Customer, Ticket
from server.testing import api_headers, ensure_user
from server.tickets import assign_ticket, transition_ticket

ALL = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]

REPAIR_ATTRIBUTES = {
    "repair_location": "on_site",
    "appliance_category": "refrigerator",
    "fault_description": "冷藏室不制冷",
    "fault_kind": "performance",
}


def repair_body(customer_id: int, **changes: Any) -> dict[str, Any]:
    """A valid POST /tickets body for a home-appliance repair."""
    body: dict[str, Any] = {
        "industry": "home_appliances",
        "service": "repair",
        "customer_id": customer_id,
        "title": "冰箱不制冷",
        "priority": "high",
        "channel": "phone",
        "attributes": dict(REPAIR_ATTRIBUTES),
    }
    body.update(changes)
    return body


def new_customer(app: Flask, name: str = "王女士") -> int:
    with app.app_context():
        return Customer.create(name=name, phone="13800000000", region="朝阳").id


def headers(app: Flask, role: str, username: str | None = None) -> dict[str, str]:
    return api_headers(app, username or role, role)


def create(app: Flask, client: Any, **changes: Any) -> dict[str, Any]:
    """A repair ticket made through the API by a dispatcher; its JSON."""
    body = repair_body(new_customer(app), **changes)
    response = client.post("/api/v1/tickets", json=body, headers=headers(app, "dispatcher"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assign(app: Flask, ticket_id: int, username: str = "tech") -> Ticket:
    """Assign the ticket to the technician ``username`` through the core."""
    user = ensure_user(app, username, "technician")
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        ticket = Ticket.get_by_id(ticket_id)
        return assign_ticket(current_registry(), ticket, ticket.version, user, "", actor)


def move(app: Flask, ticket_id: int, *statuses: str) -> Ticket:
    """Move the ticket through ``statuses`` as the dispatcher, through the core."""
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        ticket = Ticket.get_by_id(ticket_id)
        for status in statuses:
            ticket = transition_ticket(current_registry(), ticket, ticket.version, status, actor)
        return ticket
