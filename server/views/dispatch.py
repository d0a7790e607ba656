"""The dispatcher board: unassigned and at-risk tickets, assigning by hand or by rule."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for

from server import htmx
from server.auth import require
from server.catalog import current_registry
from server.config import Config
from server.dispatch.assign import auto_assign
from server.dispatch.board import (
    BOARD_ROWS,
    BoardFilter,
    BoardList,
    at_risk,
    board_regions,
    technician_loads,
    unassigned,
)
from server.dispatch.exports import (
    BOARD_LISTS,
    BOARD_TICKET_COLUMNS,
    LOAD_COLUMNS,
    board_rows,
    load_rows,
)
from server.dispatch.models import Outlet
from server.dispatch.outlets import technician_profile
from server.dispatch.readiness import TicketReadiness
from server.forms import BoardAssignForm, CsrfOnlyForm, TicketVersionForm
from server.i18n import gettext, ngettext
from server.inputs import query_text, record_id
from server.messages import reason
from server.models import Ticket, User, utcnow
from server.tabular import export_response, requested_format
from server.templating import current_locale
from server.tickets import StaleTicket, TransitionRefused, assign_ticket

bp = Blueprint("dispatch", __name__)

TECHNICIANS_SHOWN = 100
# an export of a board list holds every row (the page shows BOARD_ROWS)
EXPORT_ROWS = 1_000_000


def _config() -> Config:
    return current_app.extensions["aftersales"].config


def _board_filter(values: Any) -> BoardFilter:
    plugin = query_text(values, "plugin", 50)
    return BoardFilter(
        plugin=plugin if plugin in current_registry().industries else "",
        region=query_text(values, "region", 100),
        outlet_id=values.get("outlet", type=record_id),
    )


def _filter_args(board: BoardFilter) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if board.plugin:
        args["plugin"] = board.plugin
    if board.region:
        args["region"] = board.region
    if board.outlet_id is not None:
        args["outlet"] = board.outlet_id
    return args


def _waiting_for_readiness(lists: list[BoardList]) -> set[int]:
    """Ids of the shown tickets whose service needs a readiness not yet confirmed."""
    registry = current_registry()
    needing = [
        row.ticket.id
        for board_list in lists
        for row in board_list.rows
        if (service := registry.service(row.ticket.plugin, row.ticket.service)) is not None
        and service.readiness is not None
    ]
    if not needing:
        return set()
    confirmed = {
        row.ticket_id
        for row in TicketReadiness.select(TicketReadiness.ticket).where(
            TicketReadiness.ticket.in_(needing)
        )
    }
    return set(needing) - confirmed


def _render_board(board: BoardFilter, status: int = 200, error: str = "") -> Any:
    settings = _config().dispatch
    waiting = unassigned(board)
    risky = at_risk(board, utcnow(), settings.at_risk_minutes)
    loads = technician_loads(board.outlet_id)
    context = {
        "board": board,
        "filter_args": _filter_args(board),
        "waiting": waiting,
        "risky": risky,
        "not_ready": _waiting_for_readiness([waiting, risky]),
        "loads": loads[:TECHNICIANS_SHOWN],
        "all_loads": loads,
        "outlets": list(Outlet.select().where(Outlet.active).order_by(Outlet.name)),
        "regions": board_regions(),
        "industries": current_registry().industries,
        "at_risk_minutes": settings.at_risk_minutes,
        "board_rows": BOARD_ROWS,
        "error": error,
    }
    return htmx.render(
        "dispatch/board.html",
        "dispatch/_board.html",
        status=status,
        push_url=url_for("dispatch.board", **_filter_args(board)),
        **context,
    )


def _after(board: BoardFilter, message: str) -> Any:
    flash(message)
    if htmx.is_partial_request():
        return _render_board(board)
    return redirect(url_for("dispatch.board", **_filter_args(board)), code=303)


@bp.route("/dispatch")
@require("ticket.assign")
def board() -> Any:
    board_filter = _board_filter(request.args)
    fmt = requested_format()
    if fmt:
        return _board_export(board_filter, fmt)
    return _render_board(board_filter)


def _board_export(board: BoardFilter, fmt: str) -> Any:
    """One of the board's lists (``?list=unassigned|at_risk|technicians``), every row."""
    which = request.args.get("list", "unassigned")
    if which not in BOARD_LISTS:
        abort(400, description=gettext("The list must be unassigned, at_risk or technicians."))
    if which == "technicians":
        rows: Any = load_rows(technician_loads(board.outlet_id))
        return export_response("technician-loads", LOAD_COLUMNS, rows, fmt)
    if which == "unassigned":
        chosen = unassigned(board, limit=EXPORT_ROWS)
    else:
        minutes = _config().dispatch.at_risk_minutes
        chosen = at_risk(board, utcnow(), minutes, limit=EXPORT_ROWS)
    rows = board_rows(chosen, current_registry(), current_locale())
    return export_response(which.replace("_", "-"), BOARD_TICKET_COLUMNS, rows, fmt)


def _form_ticket(number: str | None) -> Ticket | None:
    return Ticket.get_or_none(Ticket.number == (number or ""))


@bp.route("/dispatch/assign", methods=["POST"])
@require("ticket.assign")
def assign() -> Any:
    """Assign one ticket to the technician typed (username) in its row."""
    board_filter = _board_filter(request.form)
    form = BoardAssignForm()
    ticket = _form_ticket(form.number.data)
    if not form.validate() or ticket is None:
        problems = [
            f"{field.label.text}: {'; '.join(field.errors)}" for field in form if field.errors
        ]
        if ticket is None:
            problems.append(gettext("no such ticket"))
        return _render_board(
            board_filter,
            422,
            gettext("Not assigned: %(problems)s.", problems="; ".join(problems)),
        )
    technician = User.get_or_none((User.username == form.assignee.data) & User.active)
    if technician is None:
        return _render_board(
            board_filter,
            422,
            gettext("Not assigned: there is no active user “%(name)s”.", name=form.assignee.data),
        )
    team = _team_of(technician)
    try:
        ticket = assign_ticket(
            current_registry(), ticket, form.version.data, technician, team, g.user
        )
    except StaleTicket as exc:
        return _render_board(board_filter, 409, _conflict(exc))
    except TransitionRefused as exc:
        return _render_board(board_filter, 422, _not_assigned(ticket, exc))
    return _after(
        board_filter,
        gettext("%(number)s assigned to %(who)s.", number=ticket.number, who=technician),
    )


def _not_assigned(ticket: Ticket, why: object) -> str:
    return gettext("%(number)s not assigned: %(reason)s.", number=ticket.number, reason=reason(why))


def _team_of(user: User) -> str:
    outlet, _skills, _regions = technician_profile(user)
    return outlet.name if outlet is not None else ""


def _conflict(exc: StaleTicket) -> str:
    current = exc.current
    if current.assignee_id:
        return gettext(
            "%(number)s was just changed by %(who)s; your change was not saved and it is now "
            "assigned to %(assignee)s.",
            number=current.number,
            who=exc.who,
            assignee=current.assignee,
        )
    return gettext(
        "%(number)s was just changed by %(who)s; your change was not saved and it is unassigned.",
        number=current.number,
        who=exc.who,
    )


@bp.route("/dispatch/auto", methods=["POST"])
@require("ticket.assign")
def auto() -> Any:
    """Assign one ticket by its service's rule (or record why nobody fits)."""
    board_filter = _board_filter(request.form)
    form = TicketVersionForm()
    ticket = _form_ticket(form.number.data)
    if not form.validate() or ticket is None:
        return _render_board(
            board_filter, 422, gettext("Not assigned: the form is out of date; reload.")
        )
    try:
        outcome = auto_assign(
            current_registry(), _config().dispatch, ticket, form.version.data, g.user
        )
    except StaleTicket as exc:
        return _render_board(board_filter, 409, _conflict(exc))
    except TransitionRefused as exc:
        return _render_board(board_filter, 422, _not_assigned(ticket, exc))
    if outcome.assigned:
        message = gettext(
            "%(number)s assigned to %(who)s (%(reason)s).",
            number=ticket.number,
            who=outcome.ticket.assignee,
            reason=reason(outcome.reason),
        )
    else:
        message = _not_assigned(ticket, outcome.reason)
    return _after(board_filter, message)


@bp.route("/dispatch/auto-all", methods=["POST"])
@require("ticket.assign")
def auto_all() -> Any:
    """Run the rules on the unassigned tickets the board shows (one page at a time)."""
    board_filter = _board_filter(request.form)
    form = CsrfOnlyForm()
    if not form.validate():
        return _render_board(
            board_filter, 422, gettext("Nothing assigned: the form is out of date.")
        )
    assigned = failed = 0
    for row in unassigned(board_filter).rows:
        try:
            outcome = auto_assign(
                current_registry(), _config().dispatch, row.ticket, row.ticket.version, g.user
            )
        except (StaleTicket, TransitionRefused):
            failed += 1
            continue
        if outcome.assigned:
            assigned += 1
        else:
            failed += 1
    if failed:
        message = ngettext(
            "Assigned %(num)d ticket by rule; %(failed)d left unassigned (the reasons are on "
            "their timelines).",
            "Assigned %(num)d tickets by rule; %(failed)d left unassigned (the reasons are on "
            "their timelines).",
            assigned,
            failed=failed,
        )
    else:
        message = ngettext(
            "Assigned %(num)d ticket by rule.", "Assigned %(num)d tickets by rule.", assigned
        )
    return _after(board_filter, message)
