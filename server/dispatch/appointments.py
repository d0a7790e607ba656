"""Appointments: the time window agreed with the customer, its reschedules, missed windows.

A ticket has at most one current window (``appointment``); every set or reschedule is
kept in ``appointment_change`` with who, when, old → new and the reason. A window that
ended without anyone arriving in it is flagged once by the periodic sweep. Services with
``arrival_within_appointment`` measure the arrival SLA against the window (see
``server.sla.engine``), so every change of the window recomputes the ticket's clocks.
"""

from __future__ import annotations

import datetime as dt

import peewee

from server import workflow
from server.catalog import Registry
from server.customer_mail import mails as customer_mail
from server.db import is_sqlite, write_transaction
from server.dispatch.models import Technician
from server.i18n import gettext
from server.messages import status_word
from server.models import BaseModel, Customer, Ticket, TicketEvent, User, utcnow
from server.sla import engine as sla

# A window longer than this is not an appointment but a vague promise.
MAX_WINDOW = dt.timedelta(hours=12)
# Statuses in which a ticket takes no (new) window: the work is done or abandoned.
CLOSED_STATUSES = ("resolved", "closed", "cancelled")
# The sweep looks this far back for windows that ended unflagged (a worker stopped for
# longer than this leaves older windows unflagged rather than rescanning all history).
MISSED_LOOKBACK = dt.timedelta(days=7)
REASON_MAX = 500


class Appointment(BaseModel):
    """The ticket's current window (naive UTC); ``missed_at`` once it passed unmet."""

    ticket = peewee.ForeignKeyField(
        Ticket, unique=True, backref="appointments", on_delete="CASCADE"
    )
    starts_at = peewee.DateTimeField()
    ends_at = peewee.DateTimeField()
    missed_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "appointment"
        indexes = (
            # the calendar and a technician's day: windows starting in a range (a window
            # lasts at most MAX_WINDOW, so overlaps are found by a bounded range scan)
            (("starts_at", "ends_at"), False),
            # the sweep: windows that ended recently and are not flagged yet
            (("ends_at", "missed_at"), False),
        )


class AppointmentChange(BaseModel):
    """One setting of a ticket's window: the first (no old window) or a reschedule."""

    ticket = peewee.ForeignKeyField(Ticket, backref="appointment_changes", on_delete="CASCADE")
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = peewee.DateTimeField(default=utcnow)
    old_start = peewee.DateTimeField(null=True)
    old_end = peewee.DateTimeField(null=True)
    new_start = peewee.DateTimeField()
    new_end = peewee.DateTimeField()
    reason = peewee.CharField(max_length=REASON_MAX, default="")

    class Meta:
        table_name = "appointment_change"
        indexes = ((("ticket", "at"), False),)


APPOINTMENT_MODELS = (Appointment, AppointmentChange)


class AppointmentError(Exception):
    """A window that cannot be set as asked; the message is one line for the user.

    ``field`` names the form field the message belongs next to (``start``, ``end``,
    ``reason``), or is empty for the whole form.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class StaleAppointment(AppointmentError):
    """The window was changed by someone else since the user saw it; nothing was saved."""


def current_appointment(ticket: Ticket) -> Appointment | None:
    """The ticket's current window, if one was agreed."""
    return Appointment.get_or_none(Appointment.ticket == ticket.id)


def appointment_history(ticket: Ticket) -> list[AppointmentChange]:
    """Every setting of the ticket's window, oldest first, with the actor loaded."""
    return list(
        AppointmentChange.select(AppointmentChange, User)
        .join(User, join_type=peewee.JOIN.LEFT_OUTER, on=(AppointmentChange.actor == User.id))
        .where(AppointmentChange.ticket == ticket.id)
        .order_by(AppointmentChange.at, AppointmentChange.id)
    )


def check_window(
    ticket: Ticket,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    current: Appointment | None,
    now: dt.datetime,
) -> None:
    """Raise :class:`AppointmentError` unless the window may be set on ``ticket``."""
    if ticket.status in CLOSED_STATUSES:
        raise AppointmentError(
            gettext(
                "A %(status)s ticket takes no appointment.",
                status=status_word(workflow.STATUSES[ticket.status]),
            )
        )
    if end <= start:
        raise AppointmentError(gettext("The window must end after it starts."), "end")
    if end - start > MAX_WINDOW:
        raise AppointmentError(gettext("A window may last at most 12 hours."), "end")
    if end <= now:
        raise AppointmentError(
            gettext("This window has already ended; choose a later time."), "end"
        )
    if current is not None:
        if (current.starts_at, current.ends_at) == (start, end):
            raise AppointmentError(gettext("That is the current window already."), "start")
        if not reason.strip():
            raise AppointmentError(gettext("Give the reason for the reschedule."), "reason")
    if len(reason) > REASON_MAX:
        raise AppointmentError(
            gettext("Keep the reason under %(n)s characters.", n=REASON_MAX), "reason"
        )


def _lock_ticket(ticket: Ticket) -> Ticket:
    """The ticket, re-read under a row lock (SQLite's BEGIN IMMEDIATE locks already)."""
    query = Ticket.select().where(Ticket.id == ticket.id)
    if not is_sqlite():
        query = query.for_update()
    return query.get()


def set_appointment(
    registry: Registry,
    ticket: Ticket,
    start: dt.datetime,
    end: dt.datetime,
    actor: User,
    reason: str = "",
    now: dt.datetime | None = None,
    *,
    seen_changes: int | None = None,
) -> Appointment:
    """Agree a window (naive UTC) with the customer, or reschedule the agreed one.

    A first window needs no reason; a reschedule does. Refused (:class:`AppointmentError`)
    for an empty, over-long or already-ended window and for a finished ticket. The window,
    its history row, the timeline event and the SLA clocks are written in one transaction.
    ``seen_changes`` is how many settings the user's page showed: if the window changed
    since, :class:`StaleAppointment` is raised instead of overwriting it unseen.
    """
    now = now or utcnow()
    reason = reason.strip()
    with write_transaction():
        fresh = _lock_ticket(ticket)
        if seen_changes is not None:
            _check_seen(fresh, seen_changes)
        current = current_appointment(fresh)
        check_window(fresh, start, end, reason, current, now)
        if current is None:
            appointment = Appointment.create(
                ticket=fresh, starts_at=start, ends_at=end, created_at=now, updated_at=now
            )
            old_start = old_end = None
        else:
            old_start, old_end = current.starts_at, current.ends_at
            Appointment.update(starts_at=start, ends_at=end, missed_at=None, updated_at=now).where(
                Appointment.id == current.id
            ).execute()
            appointment = Appointment.get_by_id(current.id)
        AppointmentChange.create(
            ticket=fresh,
            actor=actor,
            at=now,
            old_start=old_start,
            old_end=old_end,
            new_start=start,
            new_end=end,
            reason=reason,
        )
        TicketEvent.create(
            ticket=fresh,
            actor=actor,
            at=now,
            kind="appointment_set" if current is None else "appointment_rescheduled",
            data={
                "old_start": _iso(old_start),
                "old_end": _iso(old_end),
                "new_start": _iso(start),
                "new_end": _iso(end),
                "reason": reason,
            },
        )
        sla.refresh_ticket_sla(registry, fresh, now)
        customer_mail.appointment_agreed(registry, fresh, start, end, current is not None, now)
    return appointment


def _check_seen(ticket: Ticket, seen_changes: int) -> None:
    changes = AppointmentChange.select().where(AppointmentChange.ticket == ticket.id)
    if changes.count() != seen_changes:
        history = appointment_history(ticket)
        latest = history[-1] if history else None
        if latest is not None and latest.actor_id:
            message = gettext(
                "The appointment was changed by %(who)s while you were looking; "
                "your change was not saved. The current window is shown.",
                who=str(latest.actor),
            )
        else:
            message = gettext(
                "The appointment was changed by someone else while you were looking; "
                "your change was not saved. The current window is shown."
            )
        raise StaleAppointment(message)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def appointments_between(
    start: dt.datetime,
    end: dt.datetime,
    assignee_ids: list[int] | None = None,
    outlet_id: int | None = None,
) -> list[tuple[Appointment, Ticket]]:
    """Windows overlapping [start, end) (naive UTC), by start, with their tickets.

    ``assignee_ids`` keeps the tickets assigned to those users; ``outlet_id`` those whose
    assignee belongs to that outlet. Cancelled tickets are left out. The ticket comes
    with its customer and assignee loaded.
    """
    assignee = User.alias()
    query = (
        Appointment.select(Appointment, Ticket, Customer, assignee)
        .join(Ticket)
        .join(Customer)
        .switch(Ticket)
        .join(assignee, peewee.JOIN.LEFT_OUTER, on=(Ticket.assignee == assignee.id))
        .where(
            # starts_at bounds the index range: no window is longer than MAX_WINDOW
            (Appointment.starts_at >= start - MAX_WINDOW)
            & (Appointment.starts_at < end)
            & (Appointment.ends_at > start)
            & (Ticket.status != "cancelled")
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    if assignee_ids is not None:
        query = query.where(Ticket.assignee.in_(assignee_ids or [0]))
    if outlet_id is not None:
        members = Technician.select(Technician.user).where(Technician.outlet == outlet_id)
        query = query.where(Ticket.assignee.in_(members))
    return [(row, row.ticket) for row in query]


def window_missed(appointment: Appointment, ticket: Ticket, now: dt.datetime) -> bool:
    """The window is over and nobody arrived within it (arriving after it counts as
    missed). A ticket resolved before the window ended without a visit, or cancelled,
    missed nothing."""
    if now < appointment.ends_at:
        return False
    if ticket.arrived_at is not None:
        return ticket.arrived_at > appointment.ends_at
    if ticket.status == "cancelled":
        return False
    return not (ticket.resolved_at is not None and ticket.resolved_at <= appointment.ends_at)


def _missed_candidates(now: dt.datetime) -> peewee.ModelSelect:
    arrived = Ticket.arrived_at
    resolved_in_time = Ticket.resolved_at.is_null(False) & (
        Ticket.resolved_at <= Appointment.ends_at
    )
    return (
        Appointment.select(Appointment, Ticket)
        .join(Ticket)
        .where(
            (Appointment.ends_at > now - MISSED_LOOKBACK)
            & (Appointment.ends_at <= now)
            & Appointment.missed_at.is_null()
            & (
                (arrived > Appointment.ends_at)
                | (arrived.is_null() & (Ticket.status != "cancelled") & ~resolved_in_time)
            )
        )
        .order_by(Appointment.ends_at, Appointment.id)
    )


def flag_missed_appointments(now: dt.datetime | None = None) -> int:
    """Flag every window that ended unmet since the last run; returns how many.

    Each is claimed with a conditional UPDATE (still unflagged, still the same window),
    so overlapping sweeps flag it — and write its ``appointment_missed`` event — once.
    """
    now = now or utcnow()
    flagged = 0
    for appointment in list(_missed_candidates(now)):
        ticket = appointment.ticket
        if not window_missed(appointment, ticket, now):
            continue
        with write_transaction():
            claimed = (
                Appointment.update(missed_at=now)
                .where(
                    (Appointment.id == appointment.id)
                    & Appointment.missed_at.is_null()
                    & (Appointment.starts_at == appointment.starts_at)
                    & (Appointment.ends_at == appointment.ends_at)
                )
                .execute()
            )
            if claimed != 1:
                continue
            TicketEvent.create(
                ticket=ticket,
                actor=None,
                at=now,
                kind="appointment_missed",
                data={
                    "start": _iso(appointment.starts_at),
                    "end": _iso(appointment.ends_at),
                    "arrived_at": _iso(ticket.arrived_at),
                },
            )
            flagged += 1
    return flagged
