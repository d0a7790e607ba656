"""Appointment windows on the ticket page, and the calendar of technicians' windows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, g, request, url_for

from server import htmx
from server.auth import require
from server.dispatch.appointment_calendar import CalendarPage, active_technicians, build_calendar
from server.dispatch.appointments import (
    CLOSED_STATUSES,
    Appointment,
    appointment_history,
    current_appointment,
)
from server.dispatch.exports import CALENDAR_COLUMNS, calendar_rows
from server.dispatch.models import Outlet
from server.forms import AppointmentForm, CalendarForm, options
from server.i18n import gettext
from server.models import Ticket
from server.permissions import OWN_TICKETS_ONLY
from server.tabular import export_response, requested_format
from server.timeutil import local_today, local_zone, to_local

bp = Blueprint("appointments", __name__)

# --- the ticket page's card -------------------------------------------------------------


def _local_form(appointment: Appointment | None, seen: int) -> AppointmentForm:
    """The card's form, showing the current window (in local time) when there is one."""
    if appointment is None:
        return AppointmentForm(formdata=None, seen=seen)
    start, end = to_local(appointment.starts_at), to_local(appointment.ends_at)
    return AppointmentForm(
        formdata=None, date=start.date(), start=start.time(), end=end.time(), seen=seen
    )


def appointment_card(ticket: Ticket, form: AppointmentForm | None = None) -> dict[str, Any]:
    """What ``tickets/_appointment.html`` shows: the window, its history and the form."""
    appointment = current_appointment(ticket)
    history = appointment_history(ticket)
    return {
        "appointment": appointment,
        "appointment_history": history,
        "appointment_form": form or _local_form(appointment, len(history)),
        "appointment_open": ticket.status not in CLOSED_STATUSES,
    }


@bp.app_template_global("appointment_window")
def appointment_window(start: dt.datetime | str | None, end: dt.datetime | str | None) -> str:
    """A window in local time: "2026-11-25 09:00–11:00" (both dates if it spans midnight).

    Takes stored naive-UTC datetimes or their ISO strings (as timeline events keep them).
    """
    if not start or not end:
        return ""
    first = to_local(dt.datetime.fromisoformat(start) if isinstance(start, str) else start)
    last = to_local(dt.datetime.fromisoformat(end) if isinstance(end, str) else end)
    if first.date() == last.date():
        return f"{first:%Y-%m-%d %H:%M}–{last:%H:%M}"
    return f"{first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M}"


@bp.app_template_global("local_moment")
def local_moment(value: str | None) -> str:
    """A stored naive-UTC ISO timestamp (as events keep them) in local time."""
    return f"{to_local(dt.datetime.fromisoformat(value)):%Y-%m-%d %H:%M}" if value else ""


@bp.app_template_global("local_zone_name")
def local_zone_name() -> str:
    """The configured time zone the forms' times are typed in."""
    return str(local_zone())


# --- the calendar ------------------------------------------------------------------------


def _calendar_form() -> CalendarForm:
    """The calendar's GET form, with today's technicians and outlets to choose from."""
    form = CalendarForm(request.args)
    form.technician.choices = options(
        [("", gettext("— everyone —")), *((str(u.id), str(u)) for u in active_technicians())]
    )
    form.outlet.choices = options(
        [
            ("", gettext("— every outlet —")),
            *((str(o.id), o.name) for o in Outlet.select().order_by(Outlet.name)),
        ]
    )
    return form


def _calendar_url(**args: Any) -> str:
    return url_for("appointments.calendar", **{k: v for k, v in args.items() if v})


@bp.route("/calendar")
@require("ticket.view")
def calendar() -> Any:
    """Windows per technician for a day or a week; technicians see only their own."""
    form = _calendar_form()
    own_only = g.user.role in OWN_TICKETS_ONLY
    if own_only:
        # A technician's calendar is their own: asking for anyone else's is refused.
        asked = request.args.get("technician", "")
        if request.args.get("outlet") or asked not in ("", str(g.user.id)):
            abort(403)
    valid = form.validate()
    page = None
    if valid:
        view = form.view.data or "day"
        day = form.date.data or local_today()
        technician = int(form.technician.data) if form.technician.data else None
        outlet = int(form.outlet.data) if form.outlet.data else None
        if own_only:
            technician, outlet = g.user.id, None
        page = build_calendar(view, day, technician, outlet)
        fmt = requested_format()
        if fmt:
            stem = f"calendar-{view}-{page.first.isoformat()}"
            return export_response(stem, CALENDAR_COLUMNS, calendar_rows(page), fmt)
    filters = {
        "view": form.view.data or "day",
        "technician": "" if own_only else form.technician.data or "",
        "outlet": "" if own_only else form.outlet.data or "",
    }
    links = _navigation(page, filters) if page else {}
    return htmx.render(
        "calendar/index.html",
        "calendar/_main.html",
        status=200 if valid else 422,
        push_url=_calendar_url(date=page.first.isoformat() if page else "", **filters),
        form=form,
        page=page,
        links=links,
        own_only=own_only,
    )


def _navigation(page: CalendarPage, filters: dict[str, str]) -> dict[str, str]:
    step = dt.timedelta(days=7 if page.view == "week" else 1)
    return {
        "previous": _calendar_url(date=(page.first - step).isoformat(), **filters),
        "next": _calendar_url(date=(page.first + step).isoformat(), **filters),
        "today": _calendar_url(**filters),
    }
