"""A ticket of a complaint service opens its ledger entry as it is created.

A service whose ``ServiceType.category`` is ``"complaint"`` (home appliances' and
insurance's complaints, power's billing disputes, tobacco's quality and delivery
complaints) is a complaint by definition: ``create_ticket`` calls
:func:`open_for_ticket` inside its own transaction, so the ticket and its complaint are
saved together. The ticket's creator owns the complaint (首问负责); when the form names
a related ticket (``related_ticket``), that ticket's assignee is the staff concerned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from server.complaints.categories import CATEGORIES
from server.complaints.ledger import open_complaint
from server.complaints.models import Complaint
from server.models import Ticket, User
from server.plugin_api import ServiceType

COMPLAINT_CATEGORY = "complaint"

# The ticket's channel → the ledger's (来人、来电、来函、网络).
CHANNEL_OF_TICKET = {
    "phone": "phone",
    "walk_in": "in_person",
    "web": "web",
    "wechat": "web",
    "email": "letter",
    "letter": "letter",
}

# Plugins' choice values that name a ledger category under another key.
CATEGORY_ALIASES = {
    "repeated_repair": "repeated_failure",
    "service": "attitude",
    "late": "timeliness",
}


def is_complaint_service(service: ServiceType | None) -> bool:
    """Tickets of this service are complaints."""
    return service is not None and service.category == COMPLAINT_CATEGORY


def category_from(attributes: Mapping[str, Any]) -> str:
    """The ledger category the ticket's own fields name (in field order), else "other"."""
    for value in attributes.values():
        if not isinstance(value, str):
            continue
        key = CATEGORY_ALIASES.get(value, value)
        if key in CATEGORIES:
            return key
    return "other"


def _description(ticket: Ticket) -> str:
    details = (ticket.attributes or {}).get("complaint_details")
    for text in (ticket.description, details, ticket.title):
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ticket.number


def _staff_of_related_ticket(attributes: Mapping[str, Any]) -> User | None:
    """The assignee of the ticket the complaint form names (``related_ticket``), if any."""
    number = attributes.get("related_ticket")
    if not isinstance(number, str) or not number.strip():
        return None
    related = Ticket.get_or_none(Ticket.number == number.strip().upper())
    return related.assignee if related is not None and related.assignee_id else None


def open_for_ticket(
    ticket: Ticket, service: ServiceType | None, actor: User, now: dt.datetime
) -> Complaint | None:
    """The complaint a new ticket of a complaint service opens (None for other services)."""
    if not is_complaint_service(service):
        return None
    return open_complaint(
        channel=CHANNEL_OF_TICKET.get(ticket.channel, "phone"),
        category=category_from(ticket.attributes or {}),
        description=_description(ticket),
        owner=actor,
        ticket=ticket,
        customer=ticket.customer,
        staff=_staff_of_related_ticket(ticket.attributes or {}),
        now=now,
    )
