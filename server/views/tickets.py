"""Ticket pages: the queue, the new-ticket form, the ticket page and its actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from server import htmx, workflow
from server.auth import require, require_on_ticket
from server.catalog import current_registry, split_service_key
from server.config import Config
from server.forms import (
    PLUGIN_FIELD_PREFIX,
    AssignForm,
    AttachmentForm,
    CommentForm,
    TicketEditForm,
    TicketForm,
    TransitionForm,
    form_value,
    options,
    plugin_attributes,
    ticket_form_class,
)
from server.inputs import query_text
from server.models import Asset, Customer, Ticket, User
from server.queue import QueueFilter, ticket_queue
from server.templating import current_locale, translate
from server.tickets import (
    NewTicket,
    StaleTicket,
    TransitionRefused,
    add_comment,
    assign_ticket,
    create_ticket,
    edit_ticket,
    ticket_info,
    timeline,
    transition_ticket,
    validate_new_ticket,
)
from server.timeutil import local_to_utc, local_year, to_local

bp = Blueprint("tickets", __name__)


def _config() -> Config:
    from flask import current_app

    return current_app.extensions["aftersales"].config


def _ticket_or_404(number: str) -> Ticket:
    ticket = Ticket.get_or_none(Ticket.number == number)
    if ticket is None:
        abort(404)
    return ticket


@bp.route("/")
def home() -> Any:
    return redirect(url_for("tickets.queue"))


@bp.route("/tickets")
@require("ticket.view")
def queue() -> Any:
    """The queue; htmx filter changes swap only the results and push the URL."""
    registry = current_registry()
    filters = QueueFilter.from_args(request.args)
    result = ticket_queue(filters, g.user.id, _config().ui.page_size)
    query = filters.query_string()
    return htmx.render(
        "tickets/queue.html",
        "tickets/_queue_results.html",
        push_url=url_for("tickets.queue") + (f"?{query}" if query else ""),
        filters=filters,
        result=result,
        industries=registry.industries,
        services=registry.services,
        statuses=workflow.STATUSES,
        users=_assignable_users(),
    )


def _assignable_users() -> list[User]:
    return list(User.select().where(User.active == True).order_by(User.display_name))  # noqa: E712


# --- new ticket ---------------------------------------------------------------------


def _service_from(key: str | None) -> tuple[str, Any] | None:
    parsed = split_service_key(key or "")
    if parsed is None:
        return None
    service = current_registry().service(*parsed)
    return (parsed[0], service) if service else None


def _asset_choices(customer: Customer) -> list[Any]:
    assets = Asset.select().where(Asset.customer == customer).order_by(Asset.id)
    return options([("", "—"), *((str(a.id), f"{a.kind} · {a.identifier}") for a in assets)])


def _new_ticket_form(customer: Customer, chosen: tuple[str, Any] | None) -> tuple[Any, list]:
    registry = current_registry()
    locale = current_locale()
    if chosen:
        form_class, specs = ticket_form_class(registry, TicketForm, chosen[0], chosen[1], locale)
    else:
        form_class, specs = TicketForm, []
    form = form_class()
    form.service.choices = options([("", "—"), *registry.service_choices(locale)])
    form.asset_id.choices = _asset_choices(customer)
    return form, specs


@bp.route("/tickets/new", methods=["GET", "POST"])
@require("ticket.create")
def new_ticket() -> Any:
    """Step 1 picks the customer (search); step 2 is the ticket form for a service."""
    customer = Customer.get_or_none(Customer.id == request.args.get("customer", type=int))
    if customer is None:
        return _pick_customer()
    chosen = _service_from(request.values.get("service"))
    form, specs = _new_ticket_form(customer, chosen)
    if request.method == "POST" and request.form.get("action") == "choose_service":
        # The no-JavaScript way to swap in the service's fields: re-show, keep input.
        return _render_new(form, customer, chosen)
    if form.validate_on_submit():
        if chosen is None:
            form.service.errors.append("Choose a service.")
        else:
            ticket = _create_from_form(form, customer, chosen, specs)
            if ticket is not None:
                flash(f"Ticket {ticket.number} created.")
                return htmx.redirect(url_for("tickets.detail", number=ticket.number))
    status = 422 if request.method == "POST" else 200
    return _render_new(form, customer, chosen, status)


def _create_from_form(form: Any, customer: Customer, chosen: tuple[str, Any], specs: list) -> Any:
    industry, service = chosen
    asset = Asset.get_or_none(Asset.id == int(form.asset_id.data)) if form.asset_id.data else None
    new = NewTicket(
        industry=industry,
        service=service,
        customer=customer,
        asset=asset,
        title=form.title.data,
        description=form.description.data or "",
        priority=form.priority.data,
        channel=form.channel.data,
        reported_at=local_to_utc(form.reported_at.data) if form.reported_at.data else None,
        attributes=plugin_attributes(form, specs),
    )
    errors = validate_new_ticket(current_registry(), new)
    if errors:
        attach_errors(form, errors)
        return None
    return create_ticket(current_registry(), new, g.user, local_year())


def attach_errors(form: Any, errors: dict[str, list[str]]) -> None:
    """Show plugin validation errors next to their fields (or at the top of the form)."""
    for name, messages in errors.items():
        field = form._fields.get(PLUGIN_FIELD_PREFIX + name) or form._fields.get(name)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
            field.errors = target
        target.extend(messages)


def _render_new(form: Any, customer: Customer, chosen: Any, status: int = 200) -> Any:
    return htmx.render(
        "tickets/new.html",
        "tickets/_new_form.html",
        status=status,
        form=form,
        customer=customer,
        chosen=chosen,
        plugin_fields=_plugin_field_names(form),
    )


def _plugin_field_names(form: Any) -> list[str]:
    return [name for name in form._fields if name.startswith(PLUGIN_FIELD_PREFIX)]


def _pick_customer() -> Any:
    text = query_text(request.args, "q")
    customers: list[Customer] = []
    if text:
        pattern = f"%{text}%"
        customers = list(
            Customer.select()
            .where((Customer.name**pattern) | (Customer.phone**pattern))
            .order_by(Customer.name)
            .limit(20)
        )
    return htmx.render(
        "tickets/pick_customer.html",
        "tickets/_customer_matches.html",
        q=text,
        customers=customers,
        service=request.args.get("service", ""),
    )


@bp.route("/tickets/new/fields")
@require("ticket.create")
def new_ticket_fields() -> Any:
    """The plugin fields for the chosen service (htmx swaps them into the form)."""
    customer = Customer.get_or_none(Customer.id == request.args.get("customer", type=int))
    if customer is None:
        abort(404)
    chosen = _service_from(request.args.get("service"))
    form, _specs = _new_ticket_form(customer, chosen)
    return htmx.render(
        "tickets/new.html",
        "tickets/_plugin_fields.html",
        form=form,
        customer=customer,
        chosen=chosen,
        plugin_fields=_plugin_field_names(form),
    )


# --- the ticket page ----------------------------------------------------------------


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
        [("", "— nobody —"), *((str(u.id), f"{u} ({u.role})") for u in _assignable_users())]
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
        ),
        key=list(workflow.STATUSES).index,
    )
    panels = registry.ticket_hook(ticket.plugin, "ticket_detail_panels")(ticket=ticket_info(ticket))
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
        "panels": [panel for result in panels for panel in result or []],
        "transition_form": forms.get("transition")
        or TransitionForm(formdata=None, version=ticket.version),
        "assign_form": forms.get("assign") or _assign_form(ticket),
        "comment_form": forms.get("comment") or CommentForm(formdata=None),
        "attachment_form": AttachmentForm(formdata=None),
        "attachments": list(ticket.attachments),
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
    return _render_detail(_ticket_or_404(number))


def _after_action(ticket: Ticket, message: str) -> Any:
    flash(message)
    if htmx.is_partial_request():
        return _render_detail(ticket)
    return redirect(url_for("tickets.detail", number=ticket.number), code=303)


@bp.route("/tickets/<number>/transition", methods=["POST"])
@require("ticket.transition")
def transition(number: str) -> Any:
    ticket = _ticket_or_404(number)
    require_on_ticket("ticket.transition", ticket)
    form = TransitionForm()
    if not form.validate():
        return _render_detail(ticket, 422, "Not moved: see the marked field.", transition=form)
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
        return _render_detail(exc.current, 409, str(exc))
    except TransitionRefused as exc:
        return _render_detail(ticket, 422, f"Not moved: {exc}.", transition=form)
    status_name = translate(workflow.STATUSES[ticket.status])
    return _after_action(ticket, f"{ticket.number} is now {status_name}.")


@bp.route("/tickets/<number>/assign", methods=["POST"])
@require("ticket.assign")
def assign(number: str) -> Any:
    ticket = _ticket_or_404(number)
    form = _assign_form(ticket, formdata=request.form)
    if not form.validate():
        return _render_detail(ticket, 422, "Not assigned: see the marked field.", assign=form)
    assignee = User.get_or_none(User.id == int(form.assignee.data)) if form.assignee.data else None
    try:
        ticket = assign_ticket(ticket, form.version.data, assignee, form.team.data or "", g.user)
    except StaleTicket as exc:
        return _render_detail(exc.current, 409, str(exc))
    except TransitionRefused as exc:
        form.assignee.errors.append(f"{str(exc).capitalize()}.")
        return _render_detail(ticket, 422, "Not assigned.", assign=form)
    who = str(assignee) if assignee else "nobody"
    return _after_action(ticket, f"{ticket.number} assigned to {who}.")


@bp.route("/tickets/<number>/comment", methods=["POST"])
@require("ticket.comment")
def comment(number: str) -> Any:
    ticket = _ticket_or_404(number)
    form = CommentForm()
    if not form.validate():
        return _render_detail(ticket, 422, "Comment not added: see the marked field.", comment=form)
    add_comment(ticket, form.text.data, g.user)
    return _after_action(Ticket.get_by_id(ticket.id), "Comment added.")


# --- editing ------------------------------------------------------------------------


@bp.route("/tickets/<number>/edit", methods=["GET", "POST"])
@require("ticket.edit")
def edit(number: str) -> Any:
    """Edit a ticket; a stale version is refused and the other person's change kept."""
    ticket = _ticket_or_404(number)
    require_on_ticket("ticket.edit", ticket)
    registry = current_registry()
    service = registry.service(ticket.plugin, ticket.service)
    if service is None:
        abort(404)
    form_class, specs = ticket_form_class(
        registry, TicketEditForm, ticket.plugin, service, current_locale()
    )
    form = form_class(data=_initial_data(ticket, specs) if request.method == "GET" else None)
    form.asset_id.choices = _asset_choices(ticket.customer)
    conflict = ""
    if form.validate_on_submit():
        fields = {
            "title": form.title.data,
            "description": form.description.data or "",
            "priority": form.priority.data,
            "channel": form.channel.data,
            "asset_id": int(form.asset_id.data) if form.asset_id.data else None,
        }
        shown = _initial_data(ticket, specs)["reported_at"]
        if form.reported_at.data and form.reported_at.data != shown:
            fields["reported_at"] = local_to_utc(form.reported_at.data)
        attributes = plugin_attributes(form, specs)
        errors = validate_new_ticket(
            registry,
            NewTicket(
                industry=ticket.plugin,
                service=service,
                customer=ticket.customer,
                title=fields["title"],
                priority=fields["priority"],
                asset=Asset.get_or_none(Asset.id == fields["asset_id"]),
                reported_at=fields.get("reported_at", ticket.reported_at),
                attributes=attributes,
            ),
        )
        try:
            if errors:
                attach_errors(form, errors)
                raise _Invalid
            ticket = edit_ticket(ticket, form.version.data, fields, attributes, g.user)
        except _Invalid:
            pass
        except StaleTicket as exc:
            conflict = str(exc)
            ticket = exc.current
            form = form_class(formdata=None, data=_initial_data(ticket, specs))
            form.asset_id.choices = _asset_choices(ticket.customer)
        else:
            flash(f"{ticket.number} saved.")
            return htmx.redirect(url_for("tickets.detail", number=ticket.number))
    status = 409 if conflict else (422 if request.method == "POST" else 200)
    return htmx.render(
        "tickets/edit.html",
        "tickets/_edit_form.html",
        status=status,
        form=form,
        ticket=ticket,
        conflict=conflict,
        plugin_fields=_plugin_field_names(form),
    )


class _Invalid(Exception):
    """A plugin refused the edit; its errors are on the form."""


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
