"""The status lookup: a ticket number and the phone or email on it, and what may be shown.

A wrong number and a wrong contact must be indistinguishable from outside: both run the
same single query, compare both contacts in constant time against real or stand-in
values, and get the same answer from the view.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from server.dispatch.appointments import current_appointment
from server.models import Customer, Ticket, TicketEvent
from server.public.intake import email_key, phone_key

# The timeline entries a customer may see; everything else (comments, field changes,
# fees, SLA notes, callbacks, complaints, the web form's contact note) stays internal.
PUBLIC_EVENT_KINDS = ("created", "status", "assigned", "appointment_set", "appointment_rescheduled")
MAX_NUMBER = 40
MAX_CONTACT = 200


def normal_number(number: str) -> str:
    return (number or "").strip().upper()[:MAX_NUMBER]


def _same(given: str, stored: str) -> bool:
    """Constant-time equality; an empty side never matches (nor takes less time)."""
    filler = secrets.token_hex(16)
    equal = hmac.compare_digest(
        (given or filler).encode("utf-8"), (stored or filler[::-1]).encode("utf-8")
    )
    return equal and bool(given) and bool(stored)


def find_ticket(number: str, contact: str) -> Ticket | None:
    """The ticket with ``number`` whose customer's phone or email is ``contact``, else None.

    One query whether or not the number exists; both contacts are always compared.
    """
    row = (
        Ticket.select(Ticket, Customer)
        .join(Customer)
        .where(Ticket.number == normal_number(number))
        .first()
    )
    stored_phone = phone_key(row.customer.phone) if row is not None else ""
    stored_email = email_key(row.customer.email) if row is not None else ""
    contact = (contact or "")[:MAX_CONTACT]
    phone_ok = _same(phone_key(contact), stored_phone)
    email_ok = _same(email_key(contact), stored_email)
    return row if (phone_ok or email_ok) and row is not None else None


@dataclass(frozen=True)
class PublicEntry:
    """One line of the customer's timeline."""

    at: dt.datetime
    kind: str
    # the new status (status), the window (appointments), the person (assigned, when
    # staff names are shown; else empty)
    status: str = ""
    start: dt.datetime | str | None = None
    end: dt.datetime | str | None = None
    who: str = ""


def public_timeline(ticket: Ticket, show_staff_names: bool) -> list[PublicEntry]:
    """The ticket's events a customer may see, oldest first, without notes or reasons."""
    events = (
        TicketEvent.select()
        .where((TicketEvent.ticket == ticket) & TicketEvent.kind.in_(PUBLIC_EVENT_KINDS))
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    entries = []
    for event in events:
        entry = _entry(event, show_staff_names)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(event: TicketEvent, show_staff_names: bool) -> PublicEntry | None:
    data: dict[str, Any] = event.data or {}
    if event.kind == "status":
        return PublicEntry(event.at, "status", status=str(data.get("new", "")))
    if event.kind == "assigned":
        if not data.get("new"):
            return None  # unassigned again: nothing the customer needs to read
        who = str(data["new"]) if show_staff_names else ""
        return PublicEntry(event.at, "assigned", who=who)
    if event.kind in ("appointment_set", "appointment_rescheduled"):
        return PublicEntry(
            event.at, event.kind, start=data.get("new_start"), end=data.get("new_end")
        )
    return PublicEntry(event.at, event.kind)


@dataclass(frozen=True)
class PublicStatus:
    """What the status page shows about a ticket."""

    number: str
    plugin: str
    service: str
    status: str
    created_at: dt.datetime
    appointment_start: dt.datetime | None
    appointment_end: dt.datetime | None
    assignee: str
    timeline: list[PublicEntry]


def public_status(ticket: Ticket, show_staff_names: bool) -> PublicStatus:
    appointment = current_appointment(ticket)
    assignee = ""
    if show_staff_names and ticket.assignee_id is not None:
        assignee = str(ticket.assignee)
    return PublicStatus(
        number=ticket.number,
        plugin=ticket.plugin,
        service=ticket.service,
        status=ticket.status,
        created_at=ticket.created_at,
        appointment_start=appointment.starts_at if appointment else None,
        appointment_end=appointment.ends_at if appointment else None,
        assignee=assignee,
        timeline=public_timeline(ticket, show_staff_names),
    )
