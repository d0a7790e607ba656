"""Opening complaints: numbering, first-contact owner, the first stage's deadline.

Every write goes through one transaction: the complaint, the first line of its own log
and (when it concerns a ticket) the ``complaint`` event on the ticket's timeline are
saved together or not at all.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

from server.complaints.categories import CATEGORIES
from server.complaints.models import COMPLAINT_CHANNELS, SOURCES, Complaint, ComplaintStep
from server.complaints.settings import ComplaintSettings
from server.db import write_transaction
from server.i18n import gettext
from server.models import Customer, Ticket, TicketEvent, User, utcnow
from server.tickets import next_ticket_number

NUMBER_PREFIX = "CP"


class ComplaintError(ValueError):
    """The complaint cannot be recorded or moved on; ``field`` names the bad input."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def complaint_settings() -> ComplaintSettings:
    """The current app's ``[complaints]`` settings."""
    return current_app.extensions["aftersales"].config.complaints


def stage_deadline(stage: str, start: dt.datetime) -> dt.datetime:
    """When ``stage``, begun at ``start`` (naive UTC), is due: its working hours later.

    Counted in the ``[complaints] calendar`` as the SLA engine counts working time, so
    nights, weekends and holidays do not use the time up. Returns naive UTC.
    """
    settings = complaint_settings()
    calendar = current_app.extensions["aftersales"].registry.calendars[settings.calendar]
    due = calendar.add(start.replace(tzinfo=dt.UTC), settings.stage_seconds(stage))
    return due.astimezone(dt.UTC).replace(tzinfo=None)


def _local_year(now: dt.datetime) -> int:
    zone = ZoneInfo(current_app.extensions["aftersales"].config.locale.timezone)
    return now.replace(tzinfo=dt.UTC).astimezone(zone).year


def ticket_event(
    complaint: Complaint, actor: User | None, at: dt.datetime, kind: str, **data: object
) -> None:
    """A line on the related ticket's timeline (nothing when there is no ticket)."""
    if complaint.ticket_id is None:
        return
    TicketEvent.create(
        ticket=complaint.ticket_id,
        actor=actor,
        at=at,
        kind=kind,
        data={"complaint_id": complaint.id, "number": complaint.number, **data},
    )


def open_complaint(
    *,
    channel: str,
    category: str,
    description: str,
    owner: User,
    ticket: Ticket | None = None,
    customer: Customer | None = None,
    staff: User | None = None,
    source: str = "inbound",
    callback_id: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Record a complaint in the ledger, at stage "record", owned by ``owner`` (首问负责).

    :param channel: how it came in: ``in_person``, ``phone``, ``letter`` or ``web``.
    :param category: a key of :data:`server.complaints.categories.CATEGORIES`.
    :param description: what the customer complains about (required).
    :param owner: the first-contact owner, who answers for it until it is closed.
    :param ticket: the related ticket; its timeline gets a ``complaint`` event.
    :param customer: the customer; defaults to the ticket's customer.
    :param staff: the staff member the complaint is about, if any.
    :param source: ``inbound`` or ``callback`` (raised from a callback).
    :param callback_id: the callback it came from, when ``source`` is ``callback``.
    :param now: naive UTC time of receipt; defaults to the present.
    :returns: the saved complaint, its record stage due after its working hours.
    :raises ComplaintError: on an unknown channel, category or source, or no description.
    """
    description = (description or "").strip()
    if channel not in COMPLAINT_CHANNELS:
        raise ComplaintError("channel", gettext("unknown channel %(value)s", value=repr(channel)))
    if category not in CATEGORIES:
        raise ComplaintError(
            "category", gettext("unknown category %(value)s", value=repr(category))
        )
    if source not in SOURCES:
        raise ComplaintError("source", gettext("unknown source %(value)s", value=repr(source)))
    if not description:
        raise ComplaintError("description", gettext("describe the complaint"))
    now = now or utcnow()
    if customer is None and ticket is not None:
        customer = ticket.customer
    due = stage_deadline("record", now)
    with write_transaction():
        complaint = Complaint.create(
            number=next_ticket_number(NUMBER_PREFIX, _local_year(now)),
            ticket=ticket,
            customer=customer,
            channel=channel,
            category=category,
            description=description,
            staff=staff,
            owner=owner,
            stage="record",
            stage_due_at=due,
            escalation_level=0,
            source=source,
            callback_id=callback_id,
            received_at=now,
            created_at=now,
        )
        ComplaintStep.create(
            complaint=complaint, stage="record", at=now, actor=owner, note=description, due_at=due
        )
        ticket_event(complaint, owner, now, "complaint", stage="record", note=description)
    return complaint
