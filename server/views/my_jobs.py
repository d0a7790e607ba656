"""The technician's day on a phone: today's jobs in order, and one-tap field moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from server import htmx, workflow
from server.auth import require, require_on_ticket
from server.catalog import current_registry
from server.dispatch.day import FIELD_MOVES, field_moves, technician_day
from server.forms import TicketVersionForm
from server.i18n import gettext
from server.inputs import record_id
from server.messages import reason
from server.models import Ticket, User, utcnow
from server.permissions import user_can
from server.templating import translate
from server.tickets import StaleTicket, TransitionRefused, transition_ticket
from server.timeutil import local_to_utc, local_today

bp = Blueprint("my_jobs", __name__)

FIELD_STATUSES = {status for status, _text in FIELD_MOVES}


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else local_today()
    except ValueError:
        return local_today()


def _whose(values: Any) -> User:
    """The technician whose day is shown: oneself, or anyone for those who dispatch."""
    wanted = values.get("technician", type=record_id)
    if wanted is None or wanted == g.user.id:
        return g.user
    if not user_can(g.user, "ticket.assign"):
        abort(403)
    user = User.get_or_none(User.id == wanted)
    if user is None:
        abort(404)
    return user


def _render(day: dt.date, user: User, status: int = 200, error: str = "") -> Any:
    start = local_to_utc(dt.datetime.combine(day, dt.time()))
    end = local_to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    booked, others = technician_day(user, start, end, utcnow())
    own = user.id == g.user.id
    return htmx.render(
        "my_jobs/day.html",
        "my_jobs/_jobs.html",
        status=status,
        day=day,
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        today=local_today(),
        person=user,
        own=own,
        booked=booked,
        others=others,
        moves={job.ticket.id: field_moves(job.ticket) for job in [*booked, *others]},
        error=error,
    )


def _day_args(day: dt.date, user: User) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if day != local_today():
        args["date"] = day.isoformat()
    if user.id != g.user.id:
        args["technician"] = user.id
    return args


@bp.route("/my/jobs")
@require("ticket.view")
def day_view() -> Any:
    return _render(_day(request.args.get("date")), _whose(request.args))


@bp.route("/my/jobs/<number>/move", methods=["POST"])
@require("ticket.transition")
def move(number: str) -> Any:
    """One tap: on my way, on site, waiting for parts, done — then back to the day."""
    ticket = Ticket.get_or_none(Ticket.number == number)
    if ticket is None:
        abort(404)
    require_on_ticket("ticket.transition", ticket)
    day = _day(request.form.get("date"))
    user = _whose(request.form)
    target = request.form.get("to", "")
    form = TicketVersionForm(number=number)
    if target not in FIELD_STATUSES or not form.validate():
        return _render(
            day,
            user,
            422,
            gettext("%(number)s not moved: the form is out of date; reload.", number=number),
        )
    try:
        ticket = transition_ticket(current_registry(), ticket, form.version.data, target, g.user)
    except StaleTicket as exc:
        return _render(
            day,
            user,
            409,
            gettext(
                "%(number)s was changed by %(who)s while you were editing; "
                "your change was not saved.",
                number=exc.current.number,
                who=exc.who,
            ),
        )
    except TransitionRefused as exc:
        return _render(
            day,
            user,
            422,
            gettext("%(number)s not moved: %(reason)s.", number=number, reason=reason(exc)),
        )
    flash(
        gettext(
            "%(number)s: %(status)s.",
            number=ticket.number,
            status=translate(workflow.STATUSES[ticket.status]),
        )
    )
    if htmx.is_partial_request():
        return _render(day, user)
    return redirect(url_for("my_jobs.day_view", **_day_args(day, user)), code=303)
