"""The ticket page: facts, timeline, the actions on it (move, assign, comment) and editing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, g, redirect, request, url_for

from server import htmx, workflow
from server.auth import require, require_on_ticket
from server.catalog import current_registry
from server.complaints.queries import complaints_of_ticket
from server.dispatch.appointments import (
    AppointmentError,
    StaleAppointment,
    current_appointment,
    set_appointment,
)
from server.dispatch.readiness import confirm_readiness, confirmation, readiness_required
from server.dispatch.reports import report_context
from server.followup.schedule import close_refusal, latest_callback
from server.forms import (
    PLUGIN_FIELD_PREFIX,
    AppointmentForm,
    AssignForm,
    AttachmentForm,
    CommentForm,
    LinkForm,
    ReadinessForm,
    TicketEditForm,
    TransitionForm,
    form_value,
    options,
    plugin_attributes,
    ticket_form_class,
)
from server.i18n import gettext
from server.kb.panel import kb_panel
from server.links import (
    LinkRefused,
    cascade_message,
    cascade_resolution,
    children_of,
    link_ticket,
    parent_of,
    unlink_ticket,
)
from server.messages import reason, sentence, text
from server.models import Ticket, User
from server.sla.engine import live_clocks
from server.templating import current_locale, translate
from server.tickets import (
    StaleTicket,
    TransitionRefused,
    add_comment,
    assign_ticket,
    detail_panels,
    edit_ticket,
    timeline,
    transition_ticket,
    validate_ticket_edit,
)
from server.timeutil import local_to_utc, to_local
from server.views.appointments import appointment_card, appointment_window
from server.views.tickets import (
    asset_choices,
    assignable_users,
    attach_errors,
    bp,
    plugin_field_names,
    ticket_or_404,
)


def _assign_form(ticket: Ticket, formdata: Any = None) -> AssignForm:
    """The assign form; ``formdata=None`` shows the ticket's current values."""
    if formdata is None:
        form = AssignForm(
            formdata=None,
            assignee=str(ticket.assignee_id or ""),
            team=ticket.team,
            version=ticket.version,
        )
    else:
        form = AssignForm()
    form.assignee.choices = options(
        [("", gettext("— nobody —")), *((str(u.id), f"{u} ({u.role})") for u in assignable_users())]
    )
    return form


def _detail_context(ticket: Ticket, forms: dict[str, Any]) -> dict[str, Any]:
    registry = current_registry()
    service = registry.service(ticket.plugin, ticket.service)
    has_assignee = ticket.assignee_id is not None
    moves = sorted(
        (
            new
            for new in workflow.MOVES.get(ticket.status, frozenset())
            if workflow.check_move(ticket.status, new, has_assignee).allowed
            # Closing waits for the callback when the service needs one (its card links it).
            and close_refusal(registry, ticket, ticket.status, new) is None
        ),
        key=list(workflow.STATUSES).index,
    )
    specs = []
    if service is not None:
        _cls, specs = ticket_form_class(
            registry, TicketEditForm, ticket.plugin, service, current_locale()
        )
    return {
        "ticket": ticket,
        "service": service,
        "field_specs": specs,
        "events": timeline(ticket),
        "moves": [(new, translate(workflow.action_label(ticket.status, new))) for new in moves],
        "panels": detail_panels(registry, ticket),
        "clocks": live_clocks(registry, ticket),
        "readiness": readiness_required(registry, ticket),
        "readiness_done": confirmation(ticket),
        "readiness_form": forms.get("readiness") or ReadinessForm(formdata=None),
        "policies": registry.policies,
        "transition_form": forms.get("transition")
        or TransitionForm(formdata=None, version=ticket.version),
        "assign_form": forms.get("assign") or _assign_form(ticket),
        "comment_form": forms.get("comment") or CommentForm(formdata=None),
        "attachment_form": AttachmentForm(formdata=None),
        "attachments": list(ticket.attachments),
        **report_context(ticket),
        **appointment_card(ticket, forms.get("appointment")),
        "link_parent": parent_of(ticket),
        "link_children": children_of(ticket),
        "link_form": forms.get("link") or LinkForm(formdata=None),
        "callback": latest_callback(ticket),
        "complaints": complaints_of_ticket(ticket),
        **kb_panel(ticket, forms.get("kb")),
    }


def _render_detail(ticket: Ticket, status: int = 200, error: str = "", **forms: Any) -> Any:
    """The ticket page; ``forms`` are submitted forms to show again with their errors."""
    context = _detail_context(ticket, forms)
    if error:
        context["error"] = error
    return htmx.render("tickets/detail.html", "tickets/_detail_main.html", status=status, **context)


@bp.route("/tickets/<number>")
@require("ticket.view")
def detail(number: str) -> Any:
    ticket = ticket_or_404(number)
    require_on_ticket("ticket.view", ticket)
    return _render_detail(ticket)


def _after_action(ticket: Ticket, message: str) -> Any:
    flash(message)
    if htmx.is_partial_request():
        return _render_detail(ticket)
    return redirect(url_for("tickets.detail", number=ticket.number), code=303)


@bp.route("/tickets/<number>/transition", methods=["POST"])
@require("ticket.transition")
def transition(number: str) -> Any:
    ticket = ticket_or_404(number)
    require_on_ticket("ticket.transition", ticket)
    form = TransitionForm()
    if not form.validate():
        return _render_detail(
            ticket, 422, gettext("Not moved: see the marked field."), transition=form
        )
    try:
        ticket = transition_ticket(
            current_registry(),
            ticket,
            form.version.data,
            form.to.data,
            g.user,
            form.note.data or "",
        )
    except StaleTicket as exc:
        return _render_detail(exc.current, 409, text(exc))
    except TransitionRefused as exc:
        return _render_detail(
            ticket, 422, gettext("Not moved: %(reason)s.", reason=reason(exc)), transition=form
        )
    status_name = translate(workflow.STATUSES[ticket.status])
    message = gettext("%(number)s is now %(status)s.", number=ticket.number, status=status_name)
    if ticket.status == "resolved":
        # resolving a parent resolves its linked tickets, each through the normal path
        cascaded = cascade_message(cascade_resolution(current_registry(), ticket, g.user))
        message = " ".join(part for part in (message, cascaded) if part)
    return _after_action(ticket, message)


@bp.route("/tickets/<number>/link", methods=["POST"])
@require("ticket.assign")
def link(number: str) -> Any:
    """Link this ticket under the parent ticket named in the form."""
    ticket = ticket_or_404(number)
    form = LinkForm()
    if form.validate():
        parent = Ticket.get_or_none(Ticket.number == form.parent.data.upper())
        if parent is None:
            form.parent.errors.append(
                gettext("There is no ticket %(number)s.", number=form.parent.data)
            )
        else:
            try:
                link_ticket(ticket, parent, g.user)
            except LinkRefused as exc:
                form.parent.errors.append(sentence(exc))
            else:
                return _after_action(
                    Ticket.get_by_id(ticket.id),
                    gettext(
                        "%(child)s linked to %(parent)s.",
                        child=ticket.number,
                        parent=parent.number,
                    ),
                )
    return _render_detail(ticket, 422, gettext("Not linked: see the marked field."), link=form)


@bp.route("/tickets/<number>/unlink", methods=["POST"])
@require("ticket.assign")
def unlink(number: str) -> Any:
    """Take this ticket from under its parent (a no-op when it has none)."""
    ticket = ticket_or_404(number)
    parent = unlink_ticket(ticket, g.user)
    message = (
        gettext("%(child)s unlinked from %(parent)s.", child=ticket.number, parent=parent.number)
        if parent
        else gettext("Not linked.")
    )
    back = request.form.get("back", "")
    if back and Ticket.get_or_none(Ticket.number == back) is not None:
        flash(message)
        if htmx.is_partial_request():
            return _render_detail(Ticket.get(Ticket.number == back))
        return redirect(url_for("tickets.detail", number=back), code=303)
    return _after_action(Ticket.get_by_id(ticket.id), message)


@bp.route("/tickets/<number>/assign", methods=["POST"])
@require("ticket.assign")
def assign(number: str) -> Any:
    ticket = ticket_or_404(number)
    form = _assign_form(ticket, formdata=request.form)
    if not form.validate():
        return _render_detail(
            ticket, 422, gettext("Not assigned: see the marked field."), assign=form
        )
    assignee = User.get_or_none(User.id == int(form.assignee.data)) if form.assignee.data else None
    try:
        ticket = assign_ticket(
            current_registry(), ticket, form.version.data, assignee, form.team.data or "", g.user
        )
    except StaleTicket as exc:
        return _render_detail(exc.current, 409, text(exc))
    except TransitionRefused as exc:
        form.assignee.errors.append(sentence(exc))
        return _render_detail(ticket, 422, gettext("Not assigned."), assign=form)
    if assignee is None:
        return _after_action(
            ticket, gettext("%(number)s assigned to nobody.", number=ticket.number)
        )
    return _after_action(
        ticket, gettext("%(number)s assigned to %(who)s.", number=ticket.number, who=assignee)
    )


@bp.route("/tickets/<number>/readiness", methods=["POST"])
@require("ticket.assign")
def readiness(number: str) -> Any:
    """Confirm the service's site-readiness condition, which dispatch waits for."""
    ticket = ticket_or_404(number)
    if readiness_required(current_registry(), ticket) is None:
        abort(404)
    form = ReadinessForm()
    if not form.validate():
        return _render_detail(
            ticket, 422, gettext("Not confirmed: see the marked field."), readiness=form
        )
    confirm_readiness(ticket, g.user, form.note.data or "")
    return _after_action(Ticket.get_by_id(ticket.id), gettext("Site readiness confirmed."))


@bp.route("/tickets/<number>/appointment", methods=["POST"])
@require("appointment.set")
def appointment(number: str) -> Any:
    """Set or reschedule the ticket's window; errors are shown next to their field."""
    ticket = ticket_or_404(number)
    require_on_ticket("appointment.set", ticket)
    form = AppointmentForm()
    if form.validate():
        start = local_to_utc(dt.datetime.combine(form.date.data, form.start.data))
        end = local_to_utc(dt.datetime.combine(form.date.data, form.end.data))
        rescheduling = current_appointment(ticket) is not None
        try:
            set_appointment(
                current_registry(),
                ticket,
                start,
                end,
                g.user,
                form.reason.data or "",
                seen_changes=form.seen.data,
            )
        except StaleAppointment as exc:
            return _render_detail(ticket, 409, text(exc))
        except AppointmentError as exc:
            if not exc.field:
                return _render_detail(
                    ticket, 422, gettext("Appointment not saved: %(reason)s", reason=text(exc))
                )
            form[exc.field].errors.append(text(exc))
        else:
            window = appointment_window(start, end)
            if rescheduling:
                done = gettext("Appointment rescheduled: %(window)s.", window=window)
            else:
                done = gettext("Appointment set: %(window)s.", window=window)
            return _after_action(Ticket.get_by_id(ticket.id), done)
    return _render_detail(
        ticket, 422, gettext("Appointment not saved: see the marked field."), appointment=form
    )


@bp.route("/tickets/<number>/comment", methods=["POST"])
@require("ticket.comment")
def comment(number: str) -> Any:
    ticket = ticket_or_404(number)
    require_on_ticket("ticket.comment", ticket)
    form = CommentForm()
    if not form.validate():
        return _render_detail(
            ticket, 422, gettext("Comment not added: see the marked field."), comment=form
        )
    add_comment(current_registry(), ticket, form.text.data, g.user)
    return _after_action(Ticket.get_by_id(ticket.id), gettext("Comment added."))


# --- editing ------------------------------------------------------------------------


@bp.route("/tickets/<number>/edit", methods=["GET", "POST"])
@require("ticket.edit")
def edit(number: str) -> Any:
    """Edit a ticket; a stale version is refused and the other person's change kept."""
    ticket = ticket_or_404(number)
    require_on_ticket("ticket.edit", ticket)
    registry = current_registry()
    service = registry.service(ticket.plugin, ticket.service)
    if service is None:
        abort(409, gettext("This ticket's service is not offered by any enabled plugin any more."))
    form_class, specs = ticket_form_class(
        registry, TicketEditForm, ticket.plugin, service, current_locale()
    )
    form = form_class(data=_initial_data(ticket, specs) if request.method == "GET" else None)
    form.asset_id.choices = asset_choices(ticket.customer)
    if not form.validate_on_submit():
        return _render_edit(form, ticket, 422 if request.method == "POST" else 200)
    fields = _submitted_fields(form, ticket, specs)
    attributes = plugin_attributes(form, specs)
    errors = validate_ticket_edit(registry, ticket, service, fields, attributes)
    if errors:
        attach_errors(form, errors)
        return _render_edit(form, ticket, 422)
    try:
        ticket = edit_ticket(registry, ticket, form.version.data, fields, attributes, g.user)
    except StaleTicket as exc:
        current = form_class(formdata=None, data=_initial_data(exc.current, specs))
        current.asset_id.choices = asset_choices(exc.current.customer)
        return _render_edit(current, exc.current, 409, conflict=text(exc))
    flash(gettext("%(number)s saved.", number=ticket.number))
    return htmx.redirect(url_for("tickets.detail", number=ticket.number))


def _render_edit(form: Any, ticket: Ticket, status: int, conflict: str = "") -> Any:
    return htmx.render(
        "tickets/edit.html",
        "tickets/_edit_form.html",
        status=status,
        form=form,
        ticket=ticket,
        conflict=conflict,
        plugin_fields=plugin_field_names(form),
    )


def _submitted_fields(form: Any, ticket: Ticket, specs: list) -> dict[str, Any]:
    """The core fields from the form; reported_at only if the user changed what was shown."""
    fields: dict[str, Any] = {
        "title": form.title.data,
        "description": form.description.data or "",
        "priority": form.priority.data,
        "channel": form.channel.data,
        "asset_id": int(form.asset_id.data) if form.asset_id.data else None,
    }
    shown = _initial_data(ticket, specs)["reported_at"]
    if form.reported_at.data and form.reported_at.data != shown:
        fields["reported_at"] = local_to_utc(form.reported_at.data)
    return fields


def _initial_data(ticket: Ticket, specs: list) -> dict[str, Any]:
    reported = to_local(ticket.reported_at)
    data: dict[str, Any] = {
        "title": ticket.title,
        "description": ticket.description,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "asset_id": str(ticket.asset_id or ""),
        "reported_at": reported.replace(tzinfo=None, second=0, microsecond=0) if reported else None,
        "version": ticket.version,
    }
    for spec in specs:
        data[PLUGIN_FIELD_PREFIX + spec.name] = form_value(
            spec, (ticket.attributes or {}).get(spec.name)
        )
    return data
