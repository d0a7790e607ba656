"""Merit pages: the month's overview, a person's statement, the manual entry form."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from flask import Blueprint, abort, flash, g, request, url_for

from server import htmx
from server.auth import require
from server.i18n import gettext
from server.merit.ledger import MeritEntryError, add_manual_entry
from server.merit.levels import LEVEL_LABELS, LEVELS, POINTS
from server.merit.statements import (
    SORTS,
    next_month,
    overview,
    parse_month,
    previous_month,
    statement,
)
from server.merit_forms import MeritEntryForm, amount_cents
from server.messages import text
from server.models import Ticket, User
from server.permissions import user_can
from server.plugin_api import Column, label
from server.tabular import export_response, requested_format
from server.timeutil import local_to_utc, local_today, to_local

bp = Blueprint("merit", __name__, url_prefix="/merit")


def _month() -> dt.date:
    """The ``month`` query parameter (YYYY-MM), this month when absent; 404 when bad."""
    raw = request.args.get("month", "")
    if not raw:
        today = local_today()
        return dt.date(today.year, today.month, 1)
    return parse_month(raw) or abort(404)


def _common(month: dt.date) -> dict[str, Any]:
    return {
        "month": month,
        "previous": previous_month(month).strftime("%Y-%m"),
        "next": next_month(month).strftime("%Y-%m"),
        "levels": LEVELS,
        "level_labels": LEVEL_LABELS,
        "points": POINTS,
        "yuan": yuan,
    }


def yuan(cents: int) -> str:
    """Signed cents as yuan with two decimals: -2050 → "-20.50"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _money(cents: int) -> decimal.Decimal:
    return (decimal.Decimal(cents) / 100).quantize(decimal.Decimal("0.01"))


OVERVIEW_COLUMNS = (
    Column("username", label("用户名", "Username")),
    Column("name", label("姓名", "Name")),
    *(Column(level, LEVEL_LABELS[level]) for level in LEVELS),
    Column("net_points", label("净分", "Net points")),
    Column("money", label("奖罚金额（元）", "Money (yuan)")),
    Column("dismissal_review", label("辞退审查", "Dismissal review")),
)
STATEMENT_COLUMNS = (
    Column("at", label("时间", "When")),
    Column("level", label("等级", "Level")),
    Column("points", label("分", "Points")),
    Column("money", label("金额（元）", "Yuan")),
    Column("reason", label("原因", "Reason")),
    Column("ticket", label("工单", "Ticket")),
    Column("source", label("来源", "Source")),
    Column("entered_by", label("录入人", "Entered by")),
)


def _overview_row(row: Any) -> dict[str, Any]:
    summary = row.summary
    return {
        "username": row.user.username,
        "name": str(row.user),
        **{level: summary.totals[level] for level in LEVELS},
        "net_points": summary.net_points,
        "money": _money(summary.money_cents),
        "dismissal_review": summary.dismissal_review,
    }


def _entry_row(entry: Any) -> dict[str, Any]:
    return {
        "at": to_local(entry.at).replace(tzinfo=None),
        "level": LEVEL_LABELS.get(entry.level, entry.level),
        "points": POINTS.get(entry.level, 0),
        "money": _money(entry.amount_cents),
        "reason": entry.reason,
        "ticket": entry.ticket.number if entry.ticket_id else "",
        "source": gettext("rule %(rule)s", rule=entry.rule)
        if entry.source == "rule"
        else gettext("manual"),
        "entered_by": str(entry.entered_by) if entry.entered_by_id else "",
    }


@bp.route("")
@require("merit.view")
def overview_page() -> Any:
    """Everyone's month for supervisors and admins; one's own row for everyone else."""
    month = _month()
    sort = request.args.get("sort", "name")
    if sort.lstrip("-") not in SORTS:
        sort = "name"
    manager = user_can(g.user, "merit.manage")
    rows = overview(month, sort, user_id=None if manager else g.user.id)
    fmt = requested_format()
    if fmt:
        return export_response(
            f"merit-{month:%Y-%m}", OVERVIEW_COLUMNS, (_overview_row(r) for r in rows), fmt
        )
    return htmx.render(
        "merit/overview.html",
        "merit/_overview.html",
        rows=rows,
        sort=sort,
        manager=manager,
        **_common(month),
    )


@bp.route("/<id:user_id>")
@require("merit.view")
def statement_page(user_id: int) -> Any:
    """A person's monthly statement: their own for anyone, anyone's for supervisors."""
    if user_id != g.user.id and not user_can(g.user, "merit.manage"):
        abort(403)
    user = User.get_or_none(User.id == user_id) or abort(404)
    month = _month()
    fmt = requested_format()
    if fmt:
        entries = statement(user, month).entries
        return export_response(
            f"merit-{user.username}-{month:%Y-%m}",
            STATEMENT_COLUMNS,
            (_entry_row(entry) for entry in entries),
            fmt,
        )
    return htmx.render(
        "merit/statement.html",
        "merit/_statement.html",
        statement=statement(user, month),
        manager=user_can(g.user, "merit.manage"),
        **_common(month),
    )


@bp.route("/new", methods=["GET", "POST"])
@require("merit.manage")
def entry_new() -> Any:
    """Enter a commendation … major demerit by hand; the reason is required."""
    form = MeritEntryForm()
    people = User.select().where(User.active).order_by(User.display_name, User.username)
    form.user.choices = [("", gettext("— choose —"))] + [
        (str(u.id), f"{u} ({u.username})") for u in people
    ]
    if request.method == "GET" and request.args.get("user", "").isdigit():
        form.user.data = request.args["user"]
    if form.validate_on_submit():
        user = User.get_or_none((User.id == int(form.user.data)) & User.active)
        ticket = None
        if form.ticket.data:
            ticket = Ticket.get_or_none(Ticket.number == form.ticket.data.upper())
            if ticket is None:
                form.ticket.errors.append(gettext("No ticket has this number."))
        if user is None:
            form.user.errors.append(gettext("Choose a person."))
        if user is not None and not form.ticket.errors:
            at = None
            if form.date.data and form.date.data != local_today():
                at = local_to_utc(dt.datetime.combine(form.date.data, dt.time(12)))
            try:
                entry = add_manual_entry(
                    user=user,
                    level=form.level.data,
                    reason=form.reason.data or "",
                    entered_by=g.user,
                    amount_cents=amount_cents(form.amount.data),
                    ticket=ticket,
                    at=at,
                )
            except MeritEntryError as exc:
                form[exc.field].errors.append(text(exc))
            else:
                flash(
                    gettext(
                        "%(level)s entered for %(who)s.",
                        level=text(LEVEL_LABELS[entry.level]),
                        who=user,
                    )
                )
                month = (form.date.data or local_today()).strftime("%Y-%m")
                return htmx.redirect(url_for("merit.statement_page", user_id=user.id, month=month))
    return htmx.render(
        "merit/entry_form.html",
        "merit/_entry_form.html",
        status=422 if request.method == "POST" else 200,
        form=form,
    )
