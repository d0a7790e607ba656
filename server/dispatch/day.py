"""A technician's day: the jobs to do, in the order to do them, and the one-tap moves.

Jobs with an appointment window on the day come first, by window start; then the
technician's other open jobs, nearest SLA deadline first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import peewee

from server import workflow
from server.catalog import current_registry
from server.dispatch.appointments import appointments_between, window_missed
from server.dispatch.board import open_tickets_with_deadline
from server.models import Ticket, User
from server.plugin_api import Label, label
from server.sla.models import TicketDeadline

# The moves a technician makes from the field, in the order of a visit.
FIELD_MOVES: tuple[tuple[str, Label], ...] = (
    ("en_route", label("出发", "On my way")),
    ("on_site", label("已到达", "On site")),
    ("waiting_parts", label("等配件", "Waiting for parts")),
    ("resolved", label("完成", "Done")),
)
MAX_OTHER_JOBS = 100


@dataclass(frozen=True)
class Job:
    ticket: Ticket
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    missed: bool = False
    due_at: dt.datetime | None = None
    metric: str = ""
    # Where to go: the service's site address when the ticket has one, else the customer's.
    address: str = ""


def site_address(ticket: Ticket) -> str:
    """The ticket's first filled ``site_address`` field, else the customer's address."""
    service = current_registry().service(ticket.plugin, ticket.service)
    attributes = ticket.attributes or {}
    for spec in service.fields if service is not None else ():
        value = attributes.get(spec.name) if spec.site_address else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ticket.customer.address or ""


def field_moves(ticket: Ticket) -> list[tuple[str, Label]]:
    """The field moves the workflow allows from the ticket's status right now."""
    has_assignee = ticket.assignee_id is not None
    return [
        (status, text)
        for status, text in FIELD_MOVES
        if workflow.check_move(ticket.status, status, has_assignee).allowed
    ]


def _open_jobs_of(user: User) -> peewee.ModelSelect:
    return open_tickets_with_deadline().where(Ticket.assignee == user.id)


def _job(ticket: Ticket, **window: object) -> Job:
    deadline = getattr(ticket, "deadline", None)
    due_at = deadline.due_at if deadline is not None else None
    return Job(ticket, due_at=due_at, metric=deadline.metric if due_at else "", **window)


def technician_day(
    user: User, day_start: dt.datetime, day_end: dt.datetime, now: dt.datetime
) -> tuple[list[Job], list[Job]]:
    """(jobs with a window in [day_start, day_end) by start, the other open jobs).

    Moments are naive UTC; the day's bounds are the technician's local midnight.
    """
    booked = []
    seen = set()
    for appointment, ticket in appointments_between(day_start, day_end, [user.id]):
        if ticket.status not in workflow.OPEN_STATUSES:
            continue
        seen.add(ticket.id)
        booked.append(
            Job(
                ticket,
                window_start=appointment.starts_at,
                window_end=appointment.ends_at,
                missed=window_missed(appointment, ticket, now),
            )
        )
    deadlines = {
        row.ticket_id: row
        for row in TicketDeadline.select().where(TicketDeadline.ticket.in_(list(seen) or [0]))
    }
    booked = [
        Job(
            job.ticket,
            job.window_start,
            job.window_end,
            job.missed,
            deadlines[job.ticket.id].due_at if job.ticket.id in deadlines else None,
            deadlines[job.ticket.id].metric if job.ticket.id in deadlines else "",
        )
        for job in booked
    ]
    others_query = _open_jobs_of(user).order_by(
        TicketDeadline.due_at.is_null(), TicketDeadline.due_at, Ticket.created_at
    )
    if seen:
        others_query = others_query.where(Ticket.id.not_in(list(seen)))
    others = [_job(ticket) for ticket in others_query.limit(MAX_OTHER_JOBS)]
    return _with_address(booked), _with_address(others)


def _with_address(jobs: list[Job]) -> list[Job]:
    return [replace(job, address=site_address(job.ticket)) for job in jobs]
