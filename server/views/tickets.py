"""Ticket pages: the queue and the new-ticket form (the ticket page is in ticket_page)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for

from server import htmx, workflow
from server.auth import require
from server.catalog import current_registry, split_service_key
from server.config import Config
from server.customers import customer_matches
from server.dispatch.assign import dispatch_new_ticket
from server.forms import (
    PLUGIN_FIELD_PREFIX,
    TicketForm,
    options,
    plugin_attributes,
    ticket_form_class,
)
from server.i18n import gettext
from server.inputs import query_text, record_id
from server.list_exports import TICKET_COLUMNS, ticket_rows
from server.messages import reason
from server.messages import text as message_text
from server.models import Asset, Customer, Ticket, User
from server.permissions import sees_only_own_tickets
from server.queue import QueueFilter, ticket_queue
from server.sla.engine import clocks_by_ticket
from server.tabular import export_response, requested_format
from server.templating import current_locale
from server.tickets import (
    NewTicket,
    create_ticket,
    validate_new_ticket,
)
from server.timeutil import local_to_utc, local_year

bp = Blueprint("tickets", __name__)


def _config() -> Config:
    return current_app.extensions["aftersales"].config


def ticket_or_404(number: str) -> Ticket:
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
    if sees_only_own_tickets(g.user):
        filters = dataclasses.replace(filters, assignee="me")
    fmt = requested_format()
    if fmt:
        rows = ticket_rows(filters, g.user.id, registry, current_locale())
        return export_response("tickets", TICKET_COLUMNS, rows, fmt)
    result = ticket_queue(filters, g.user.id, _config().ui.page_size)
    query = filters.query_string()
    clocks = clocks_by_ticket([ticket.id for ticket in result.tickets])
    return htmx.render(
        "tickets/queue.html",
        "tickets/_queue_results.html",
        push_url=url_for("tickets.queue") + (f"?{query}" if query else ""),
        filters=filters,
        result=result,
        clocks=clocks,
        industries=registry.industries,
        services=registry.services,
        statuses=workflow.STATUSES,
        users=assignable_users(),
    )


def assignable_users() -> list[User]:
    return list(User.select().where(User.active == True).order_by(User.display_name))  # noqa: E712


# --- new ticket ---------------------------------------------------------------------


def _service_from(key: str | None) -> tuple[str, Any] | None:
    parsed = split_service_key(key or "")
    if parsed is None:
        return None
    service = current_registry().service(*parsed)
    return (parsed[0], service) if service else None


def asset_choices(customer: Customer) -> list[Any]:
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
    form.asset_id.choices = asset_choices(customer)
    return form, specs


@bp.route("/tickets/new", methods=["GET", "POST"])
@require("ticket.create")
def new_ticket() -> Any:
    """Step 1 picks the customer (search); step 2 is the ticket form for a service."""
    customer = Customer.get_or_none(Customer.id == request.args.get("customer", type=record_id))
    if customer is None:
        return _pick_customer()
    chosen = _service_from(request.values.get("service"))
    form, specs = _new_ticket_form(customer, chosen)
    if request.method == "POST" and request.form.get("action") == "choose_service":
        # The no-JavaScript way to swap in the service's fields: re-show, keep input.
        return _render_new(form, customer, chosen)
    if form.validate_on_submit():
        if chosen is None:
            form.service.errors.append(gettext("Choose a service."))
        else:
            ticket = _create_from_form(form, customer, chosen, specs)
            if ticket is not None:
                flash(gettext("Ticket %(number)s created.", number=ticket.number))
                _dispatch_at_once(ticket)
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


def _dispatch_at_once(ticket: Ticket) -> None:
    """Run the service's assignment rule now when it says ``auto``; say what happened."""
    outcome = dispatch_new_ticket(current_registry(), _config().dispatch, ticket, g.user)
    if outcome is None:
        return
    if outcome.assigned:
        flash(
            gettext(
                "Assigned automatically to %(who)s (%(reason)s).",
                who=outcome.ticket.assignee,
                reason=reason(outcome.reason),
            )
        )
    else:
        flash(gettext("Not assigned automatically: %(reason)s.", reason=reason(outcome.reason)))


def attach_errors(form: Any, errors: dict[str, list[str]]) -> None:
    """Show plugin validation errors next to their fields (or at the top of the form)."""
    for name, messages in errors.items():
        field = form._fields.get(PLUGIN_FIELD_PREFIX + name) or form._fields.get(name)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
            field.errors = target
        target.extend(message_text(message) for message in messages)


def _render_new(form: Any, customer: Customer, chosen: Any, status: int = 200) -> Any:
    return htmx.render(
        "tickets/new.html",
        "tickets/_new_form.html",
        status=status,
        form=form,
        customer=customer,
        chosen=chosen,
        plugin_fields=plugin_field_names(form),
    )


def plugin_field_names(form: Any) -> list[str]:
    return [name for name in form._fields if name.startswith(PLUGIN_FIELD_PREFIX)]


def _pick_customer() -> Any:
    text = query_text(request.args, "q")
    customers = customer_matches(text)
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
    customer = Customer.get_or_none(Customer.id == request.args.get("customer", type=record_id))
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
        plugin_fields=plugin_field_names(form),
    )


# The ticket page and its actions register their routes on this blueprint too.
from server.views import kb_ticket, ticket_page  # noqa: E402, F401
