"""The appointment calendar: windows of a day or a week, one row per technician."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from server.dispatch.appointments import Appointment, appointments_between
from server.dispatch.models import Technician
from server.models import Ticket, User
from server.timeutil import local_to_utc, to_local


@dataclass
class CalendarRow:
    """One technician's line (``user`` None: windows of unassigned tickets)."""

    user: User | None
    # per column (one for the day view, seven for the week): the windows in it
    cells: list[list[tuple[Appointment, Ticket]]] = field(default_factory=list)


@dataclass
class CalendarPage:
    """What the calendar shows: its view, its days (one or seven) and its rows."""

    view: str
    days: list[dt.date]
    rows: list[CalendarRow]

    @property
    def first(self) -> dt.date:
        return self.days[0]

    @property
    def count(self) -> int:
        return sum(len(cell) for row in self.rows for cell in row.cells)


def active_technicians() -> list[User]:
    """Active users with the technician role, by name (the calendar's default rows)."""
    return list(
        User.select()
        .where((User.role == "technician") & (User.active == True))  # noqa: E712
        .order_by(User.display_name, User.id)
    )


def _days(view: str, day: dt.date) -> list[dt.date]:
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return [monday + dt.timedelta(days=n) for n in range(7)]
    return [day]


def _local_midnight(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day``, as naive UTC."""
    return local_to_utc(dt.datetime.combine(day, dt.time.min))


def build_calendar(
    view: str, day: dt.date, technician_id: int | None, outlet_id: int | None
) -> CalendarPage:
    """The windows of a day or a week (Monday first), one row per technician.

    With neither filter, every active technician has a row (also when free), plus a row
    for each other assignee and one for unassigned tickets that have windows.
    """
    days = _days(view, day)
    start, end = _local_midnight(days[0]), _local_midnight(days[-1] + dt.timedelta(days=1))
    if technician_id is not None:
        people = list(User.select().where(User.id == technician_id))
        found = appointments_between(start, end, assignee_ids=[technician_id])
    elif outlet_id is not None:
        people = list(
            User.select()
            .join(Technician, on=(Technician.user == User.id))
            .where((Technician.outlet == outlet_id) & (User.active == True))  # noqa: E712
            .order_by(User.display_name, User.id)
        )
        found = appointments_between(start, end, outlet_id=outlet_id)
    else:
        people = active_technicians()
        found = appointments_between(start, end)
    rows: dict[int | None, CalendarRow] = {u.id: CalendarRow(u) for u in people}
    for appointment, ticket in found:
        key = ticket.assignee_id
        if key not in rows:
            rows[key] = CalendarRow(ticket.assignee if key is not None else None)
        row = rows[key]
        if not row.cells:
            row.cells = [[] for _ in days]
        local_day = to_local(appointment.starts_at).date()
        column = min(max((local_day - days[0]).days, 0), len(days) - 1)
        row.cells[column].append((appointment, ticket))
    for row in rows.values():
        row.cells = row.cells or [[] for _ in days]
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.user is None, str(r.user or ""), r.user.id if r.user else 0),
    )
    return CalendarPage(view, days, ordered)
