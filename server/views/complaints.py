"""The complaint ledger's pages: the list (filters, pages, export), recording a complaint,
a complaint with its log and the form finishing its current stage, handing it over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, request, url_for

from server import htmx
from server.auth import require
from server.catalog import current_registry
from server.complaints.categories import CATEGORIES, CHANNEL_NAMES, STAGE_NAMES, category_label
from server.complaints.forms import (
    CHANNEL_LABELS,
    STAGE_LABELS,
    ComplaintFilterForm,
    ComplaintForm,
    OwnerForm,
    StageForm,
)
from server.complaints.ledger import ComplaintError, open_complaint
from server.complaints.models import Complaint
from server.complaints.queries import ComplaintFilters, filtered, is_overdue
from server.complaints.steps import (
    complaint_log,
    finish_action,
    finish_feedback,
    finish_follow_up,
    finish_investigation,
    finish_record,
    reassign_owner,
)
from server.forms import options
from server.i18n import _l, gettext
from server.messages import sentence
from server.models import Customer, Ticket, User, utcnow
from server.permissions import user_can
from server.plugin_api import Column, label
from server.tabular import export_response, requested_format
from server.templating import current_locale, translate
from server.timeutil import local_to_utc, to_local

bp = Blueprint("complaints", __name__)

STAFF_ROLES = ("admin", "supervisor", "dispatcher")


def _complaint_or_404(number: str) -> Complaint:
    complaint = Complaint.get_or_none(Complaint.number == number)
    if complaint is None:
        abort(404)
    return complaint


def _active_users(roles: tuple[str, ...] | None = None) -> list[User]:
    query = User.select().where(User.active == True)  # noqa: E712
    if roles is not None:
        query = query.where(User.role.in_(list(roles)))
    return list(query.order_by(User.display_name, User.id))


def _user_choices(blank: str, roles: tuple[str, ...] | None = None) -> list:
    return options([("", blank), *((str(u.id), f"{u} ({u.role})") for u in _active_users(roles))])


@bp.app_template_filter("money")
def money(cents: int | None) -> str:
    """Integer cents as an amount with two decimals."""
    cents = cents or 0
    return f"{cents // 100}.{cents % 100:02d}"


@bp.app_template_global("complaint_category")
def complaint_category(key: str) -> str:
    """A complaint category's name in the user's language (the ticket page uses it)."""
    return category_label(key, current_locale())


@bp.app_template_global("complaint_stage")
def complaint_stage(key: str) -> str:
    """A complaint stage's name in the user's language."""
    name = STAGE_NAMES.get(key)
    return name.get(current_locale()) if name else key


def _page_context() -> dict[str, Any]:
    return {
        "stage_labels": STAGE_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "category_text": lambda key: category_label(key, current_locale()),
        "currency": current_app.extensions["aftersales"].config.fees.currency,
    }


# --- the ledger ------------------------------------------------------------------------

COLUMNS = (
    Column("number", label("编号", "Number")),
    Column("received_at", label("受理时间", "Received")),
    Column("channel", label("渠道", "Channel")),
    Column("category", label("类别", "Category")),
    Column("stage", label("环节", "Stage")),
    Column("stage_due_at", label("环节时限", "Stage due")),
    Column("overdue", label("超时", "Overdue")),
    Column("owner", label("首问负责人", "Owner")),
    Column("ticket", label("工单", "Ticket")),
    Column("plugin", label("行业", "Industry")),
    Column("customer", label("客户", "Customer")),
    Column("staff", label("被投诉人", "Staff concerned")),
    Column("upheld", label("是否有责", "Upheld")),
    Column("compensation", label("赔付金额", "Compensation")),
    Column("escalation_level", label("升级级别", "Escalation level")),
    Column("closed_at", label("结案时间", "Closed")),
    Column("description", label("投诉内容", "Description")),
)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    local = to_local(value)
    return local.replace(tzinfo=None) if local is not None else None


def _export_row(c: Complaint, now: dt.datetime) -> dict[str, Any]:
    return {
        "number": c.number,
        "received_at": _local(c.received_at),
        "channel": CHANNEL_NAMES.get(c.channel, c.channel),
        "category": CATEGORIES.get(c.category, c.category),
        "stage": STAGE_NAMES.get(c.stage, c.stage),
        "stage_due_at": _local(c.stage_due_at),
        "overdue": is_overdue(c, now),
        "owner": str(c.owner),
        "ticket": c.ticket.number if c.ticket_id else "",
        "plugin": c.ticket.plugin if c.ticket_id else "",
        "customer": c.customer.name if c.customer_id else "",
        "staff": str(c.staff) if c.staff_id else "",
        "upheld": c.upheld,
        "compensation": money(c.compensation_cents),
        "escalation_level": c.escalation_level,
        "closed_at": _local(c.closed_at),
        "description": c.description,
    }


def _filter_form() -> ComplaintFilterForm:
    form = ComplaintFilterForm(request.args)
    registry = current_registry()
    form.plugin.choices = options(
        [
            ("", "— any —"),
            *((slug, translate(industry.label)) for slug, industry in registry.industries.items()),
        ]
    )
    form.owner.choices = _user_choices(gettext("— anyone —"), STAFF_ROLES)
    return form


def _filters(form: ComplaintFilterForm) -> ComplaintFilters:
    def day_start(day: dt.date | None) -> dt.datetime | None:
        return local_to_utc(dt.datetime.combine(day, dt.time())) if day else None

    return ComplaintFilters(
        stage=form.stage.data or "",
        channel=form.channel.data or "",
        category=form.category.data or "",
        plugin=form.plugin.data or "",
        owner_id=int(form.owner.data) if form.owner.data else None,
        overdue=bool(form.overdue.data),
        start=day_start(form.start.data),
        end=day_start(form.end.data + dt.timedelta(days=1)) if form.end.data else None,
    )


def _page_number() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 1_000_000))


@bp.route("/complaints")
@require("complaint.manage")
def complaint_list() -> Any:
    """The ledger, newest first; ``?format=csv|xlsx`` downloads every matching row."""
    form = _filter_form()
    valid = form.validate()
    filters = _filters(form) if valid else ComplaintFilters()
    now = utcnow()
    query = filtered(filters, now)
    fmt = requested_format()
    if fmt is not None:
        if not valid:
            abort(400, description=gettext("Fix the filters first."))
        # Read now: the connection is closed before a streamed response is consumed.
        rows = [_export_row(c, now) for c in query.iterator()]
        return export_response("complaints", COLUMNS, rows, fmt)
    page_size = current_app.extensions["aftersales"].config.ui.page_size
    total = query.count()
    pages = max(1, -(-total // page_size))
    page = min(_page_number(), pages)
    rows = list(query.paginate(page, page_size))
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "format")]
    return htmx.render(
        "complaints/list.html",
        "complaints/_rows.html",
        status=200 if valid else 422,
        form=form,
        complaints=rows,
        total=total,
        page=page,
        pages=pages,
        kept=kept,
        now=now,
        is_overdue=is_overdue,
        **_page_context(),
    )


# --- recording -------------------------------------------------------------------------


def _complaint_form(formdata: Any = None, **initial: Any) -> ComplaintForm:
    form = ComplaintForm(formdata=formdata, **initial) if formdata is None else ComplaintForm()
    form.staff.choices = _user_choices(gettext("— nobody in particular —"))
    form.owner.choices = _user_choices(gettext("— me —"), STAFF_ROLES)
    return form


def _render_new(form: ComplaintForm, status: int) -> Any:
    return htmx.render(
        "complaints/new.html",
        "complaints/_form.html",
        status=status,
        form=form,
        may_reassign=user_can(g.user, "complaint.reassign"),
        **_page_context(),
    )


def _find_customer(form: ComplaintForm, ticket: Ticket | None) -> tuple[bool, Customer | None]:
    """The customer the form names (by exact phone, else exact name); errors on the field."""
    wanted = form.customer.data or ""
    if not wanted:
        return True, None
    matches = list(
        Customer.select().where((Customer.phone == wanted) | (Customer.name == wanted)).limit(2)
    )
    if not matches:
        form.customer.errors.append(gettext("No customer with this name or phone."))
        return False, None
    if len(matches) > 1:
        form.customer.errors.append(gettext("Several customers match: enter the phone number."))
        return False, None
    customer = matches[0]
    if ticket is not None and ticket.customer_id != customer.id:
        form.customer.errors.append(
            gettext("%(number)s is another customer's ticket.", number=ticket.number)
        )
        return False, None
    return True, customer


def _chosen_user(field: Any) -> User | None:
    return User.get_or_none(User.id == int(field.data)) if field.data else None


@bp.route("/complaints/new", methods=["GET", "POST"])
@require("complaint.manage")
def complaint_new() -> Any:
    """Record a complaint; the recording user owns it unless a supervisor names another."""
    if request.method == "GET":
        initial: dict[str, Any] = {}
        ticket = Ticket.get_or_none(Ticket.number == request.args.get("ticket", ""))
        if ticket is not None:
            initial = {"ticket": ticket.number, "staff": str(ticket.assignee_id or "")}
        return _render_new(_complaint_form(**initial), 200)
    form = _complaint_form(formdata=request.form)
    if not form.validate_on_submit():
        return _render_new(form, 422)
    ticket = None
    if form.ticket.data:
        ticket = Ticket.get_or_none(Ticket.number == form.ticket.data.upper())
        if ticket is None:
            form.ticket.errors.append(gettext("No ticket with this number."))
            return _render_new(form, 422)
    found, customer = _find_customer(form, ticket)
    if not found:
        return _render_new(form, 422)
    owner = g.user
    if form.owner.data:
        if not user_can(g.user, "complaint.reassign"):
            form.owner.errors.append(gettext("Only a supervisor names another owner."))
            return _render_new(form, 422)
        owner = _chosen_user(form.owner)
    try:
        complaint = open_complaint(
            channel=form.channel.data,
            category=form.category.data,
            description=form.description.data or "",
            owner=owner,
            ticket=ticket,
            customer=customer,
            staff=_chosen_user(form.staff),
        )
    except ComplaintError as exc:
        getattr(form, exc.field, form.description).errors.append(sentence(exc))
        return _render_new(form, 422)
    flash(gettext("Complaint %(number)s recorded.", number=complaint.number))
    return htmx.redirect(url_for("complaints.complaint_detail", number=complaint.number))


# --- one complaint ---------------------------------------------------------------------


def _owner_form(complaint: Complaint) -> OwnerForm:
    form = OwnerForm(formdata=None, owner=str(complaint.owner_id))
    form.owner.choices = _user_choices(gettext("— choose —"), STAFF_ROLES)
    return form


NOTE_LABELS = {
    "record": _l("What was recorded (facts checked with the customer)"),
    "investigate": _l("Finding"),
    "act": _l("Action taken"),
    "feedback": _l("How the customer was answered"),
    "follow_up": _l("Note (optional)"),
}


def _render_detail(
    complaint: Complaint,
    status: int = 200,
    stage_form: StageForm | None = None,
    owner_form: OwnerForm | None = None,
    error: str = "",
) -> Any:
    stage_form = stage_form or StageForm(formdata=None, stage=complaint.stage)
    stage_form.note.label.text = str(NOTE_LABELS.get(complaint.stage, _l("Note")))
    return htmx.render(
        "complaints/detail.html",
        "complaints/_detail.html",
        status=status,
        complaint=complaint,
        log=complaint_log(complaint),
        overdue=is_overdue(complaint, utcnow()),
        stage_form=stage_form,
        owner_form=owner_form or _owner_form(complaint),
        error=error,
        **_page_context(),
    )


@bp.route("/complaints/<number>")
@require("complaint.manage")
def complaint_detail(number: str) -> Any:
    return _render_detail(_complaint_or_404(number))


_FIELD_OF_ERROR = {"finding": "note", "action": "note", "answer": "note"}


def _finish_stage(complaint: Complaint, form: StageForm) -> Complaint:
    """Call the stage's write path with the form's values (raises ComplaintError)."""
    note = form.note.data or ""
    stage = complaint.stage
    if stage == "record":
        return finish_record(complaint, g.user, note)
    if stage == "investigate":
        if form.upheld.data not in ("yes", "no"):
            raise ComplaintError("upheld", gettext("Decide whether the complaint is upheld."))
        return finish_investigation(complaint, g.user, form.upheld.data == "yes", note)
    if stage == "act":
        cents = int((form.compensation.data or 0) * 100)
        return finish_action(complaint, g.user, note, cents, form.compensation_note.data or "")
    if stage == "feedback":
        return finish_feedback(complaint, g.user, note)
    if not form.satisfaction.data:
        raise ComplaintError("satisfaction", gettext("Choose the customer's satisfaction."))
    return finish_follow_up(complaint, g.user, int(form.satisfaction.data), note)


@bp.route("/complaints/<number>/step", methods=["POST"])
@require("complaint.manage")
def complaint_step(number: str) -> Any:
    """Finish the complaint's current stage with what its form recorded."""
    complaint = _complaint_or_404(number)
    form = StageForm()
    if not form.validate_on_submit():
        return _render_detail(complaint, 422, stage_form=form)
    if form.stage.data != complaint.stage or complaint.stage == "closed":
        message = gettext(
            "%(number)s is now at %(stage)s: someone finished that stage meanwhile. "
            "Nothing was saved.",
            number=complaint.number,
            stage=STAGE_LABELS.get(complaint.stage),
        )
        return _render_detail(complaint, 409, error=message)
    try:
        finished = complaint.stage
        complaint = _finish_stage(complaint, form)
    except ComplaintError as exc:
        if exc.field == "stage":
            return _render_detail(_complaint_or_404(number), 409, error=sentence(exc))
        field = getattr(form, _FIELD_OF_ERROR.get(exc.field, exc.field), form.note)
        field.errors.append(sentence(exc))
        return _render_detail(complaint, 422, stage_form=form)
    flash(
        gettext(
            "%(number)s: %(stage)s done.", number=complaint.number, stage=STAGE_LABELS[finished]
        )
    )
    return htmx.redirect(url_for("complaints.complaint_detail", number=complaint.number))


@bp.route("/complaints/<number>/owner", methods=["POST"])
@require("complaint.reassign")
def complaint_owner(number: str) -> Any:
    """A supervisor hands the complaint to another owner."""
    complaint = _complaint_or_404(number)
    form = OwnerForm()
    form.owner.choices = _user_choices(gettext("— choose —"), STAFF_ROLES)
    if not form.validate_on_submit() or not form.owner.data:
        if not form.owner.errors:
            form.owner.errors.append(gettext("Choose the new owner."))
        return _render_detail(complaint, 422, owner_form=form)
    try:
        complaint = reassign_owner(complaint, _chosen_user(form.owner), g.user)
    except ComplaintError as exc:
        form.owner.errors.append(sentence(exc))
        return _render_detail(complaint, 422, owner_form=form)
    flash(
        gettext(
            "%(number)s now belongs to %(owner)s.", number=complaint.number, owner=complaint.owner
        )
    )
    return htmx.redirect(url_for("complaints.complaint_detail", number=complaint.number))
