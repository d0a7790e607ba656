"""Tickets: create, list with the queue's filters, read with SLA state, change with
If-Match, move through the workflow and comment — each through the core's functions
(``server.tickets``), as the pages do."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

import peewee
from flask import current_app, g, url_for
from pydantic import ConfigDict, Field, field_validator

from server.api import bp
from server.api.attributes import AttributesInvalid, checked_attributes
from server.api.errors import ApiError, invalid
from server.api.shapes import PageQuery, decode_cursor, encode_cursor, naive_utc
from server.api.spec import operation
from server.api.ticket_access import (
    if_match_version,
    naive_cursor_time,
    stale,
    visible_ticket,
    visible_ticket_by_number,
)
from server.api.ticket_inputs import (
    CommentIn,
    TicketIn,
    TicketPatch,
    TransitionIn,
    new_ticket_schema,
)
from server.api.ticket_shapes import TicketOut, TicketsOut, ticket_answer, ticket_out
from server.api.timeline import EventOut, event_out, latest_event
from server.catalog import Registry, current_registry
from server.dispatch.assign import dispatch_new_ticket
from server.forms import service_field_specs
from server.links import cascade_resolution
from server.messages import english
from server.models import PRIORITIES, Asset, Customer, Ticket, User
from server.permissions import sees_only_own_tickets
from server.queue import QueueFilter, filtered_tickets
from server.sla.engine import clocks_by_ticket
from server.tickets import (
    NewTicket,
    StaleTicket,
    TransitionRefused,
    add_comment,
    create_ticket,
    edit_ticket,
    transition_ticket,
    validate_new_ticket,
    validate_ticket_edit,
)
from server.timeutil import local_year
from server.workflow import STATUSES

TAG = "Tickets"


def _plugin_errors(
    registry: Registry, industry: str, service: Any, errors: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The plugins' validate_ticket errors named as the API's fields."""
    plugin_fields = {spec.name for spec in service_field_specs(registry, industry, service)}
    return {
        (f"attributes.{name}" if name in plugin_fields else name): messages
        for name, messages in errors.items()
    }


# --- create -------------------------------------------------------------------------


def _new_ticket(registry: Registry, body: TicketIn) -> NewTicket:
    """The body as the core's NewTicket; every reference checked, errors per field."""
    errors: dict[str, list[str]] = {}
    service = None
    if body.industry not in registry.industries:
        known = ", ".join(registry.industries) or "none"
        errors["industry"] = [f"unknown industry (known: {known})"]
    else:
        service = registry.service(body.industry, body.service)
        if service is None:
            errors["service"] = [f"{body.industry} offers no service {body.service!r}"]
    customer = Customer.get_or_none(Customer.id == body.customer_id)
    if customer is None:
        errors["customer_id"] = ["no such customer"]
    asset = None
    if body.asset_id is not None:
        asset = Asset.get_or_none(Asset.id == body.asset_id)
        if asset is None or (customer is not None and asset.customer_id != customer.id):
            errors["asset_id"] = ["not an asset of this customer"]
    attributes: dict[str, Any] = {}
    if service is not None:
        try:
            attributes = checked_attributes(registry, body.industry, service, body.attributes)
        except AttributesInvalid as exc:
            errors.update(exc.fields)
    if errors:
        raise invalid(errors)
    return NewTicket(
        industry=body.industry,
        service=service,
        customer=customer,
        asset=asset,
        title=body.title,
        description=body.description,
        priority=body.priority,
        channel=body.channel,
        reported_at=naive_utc(body.reported_at) if body.reported_at else None,
        attributes=attributes,
    )


@operation(
    bp,
    "POST",
    "/tickets",
    summary="Create a ticket",
    tag=TAG,
    permission="ticket.create",
    body=TicketIn,
    body_schema=new_ticket_schema,
    response=TicketOut,
    status=201,
    writes=True,
    response_headers=("Location", "ETag"),
)
def create_ticket_api(body: TicketIn) -> Any:
    """Checks the plugin fields and asks the plugins (validate_ticket) as the new-ticket
    page does, then assigns the ticket at once when its service's dispatch rule says
    ``auto``. Errors come back per field, plugin fields as ``attributes.<name>``."""
    registry = current_registry()
    new = _new_ticket(registry, body)
    errors = validate_new_ticket(registry, new)
    if errors:
        raise invalid(_plugin_errors(registry, new.industry, new.service, errors))
    ticket = create_ticket(registry, new, g.user, local_year())
    dispatched = dispatch_new_ticket(
        registry, current_app.extensions["aftersales"].config.dispatch, ticket, g.user
    )
    if dispatched is not None:
        # assigned at once: this object is no longer the latest, read the ticket again
        ticket = Ticket.get_by_id(ticket.id)
    location = url_for("api.get_ticket", ticket_id=ticket.id)
    return ticket_answer(ticket, 201, Location=location)


# --- read ---------------------------------------------------------------------------


class TicketsQuery(PageQuery):
    """The queue's filters; newest first."""

    model_config = ConfigDict(extra="ignore")

    status: Literal[("open", *STATUSES)] | None = Field(  # type: ignore[valid-type]
        default=None, description="A status, or `open` for every status not finished."
    )
    plugin: str | None = Field(default=None, max_length=50, description="An industry slug.")
    service: str | None = Field(default=None, max_length=80, description="A service code.")
    priority: Literal[PRIORITIES] | None = None  # type: ignore[valid-type]
    assignee: str | None = Field(
        default=None,
        pattern=r"^(me|none|[1-9][0-9]{0,17})$",
        description="`me`, `none` (unassigned) or a user id.",
    )
    team: str | None = Field(default=None, max_length=100)
    q: str | None = Field(
        default=None,
        max_length=100,
        description="A ticket number, or text in the number, title or customer's name.",
    )

    @field_validator("plugin", "service", "team", "q")
    @classmethod
    def printable(cls, value: str | None) -> str | None:
        if value is not None and not value.isprintable():
            raise ValueError("control characters are not allowed")
        return value


def _queue_filter(query: TicketsQuery) -> QueueFilter:
    filters = QueueFilter(
        status=query.status or "",
        plugin=query.plugin or "",
        service=query.service or "",
        priority=query.priority or "",
        assignee=query.assignee or "",
        team=query.team or "",
        q=(query.q or "").strip(),
    )
    if sees_only_own_tickets(g.user):
        filters = dataclasses.replace(filters, assignee="me")
    return filters


@operation(
    bp,
    "GET",
    "/tickets",
    summary="List tickets",
    tag=TAG,
    permission="ticket.view",
    query=TicketsQuery,
    response=TicketsOut,
)
def list_tickets(query: TicketsQuery) -> TicketsOut:
    """The queue's filters, newest first, a page at a time (``next_cursor``). A
    technician sees only the tickets assigned to them. SLA clocks are as of the ticket's
    last change or the minute's sweep."""
    base = filtered_tickets(_queue_filter(query), g.user.id)
    if query.cursor:
        created, last_id = decode_cursor(query.cursor, (dt.datetime, int))
        created = naive_cursor_time(created)
        base = base.where(
            (Ticket.created_at < created) | ((Ticket.created_at == created) & (Ticket.id < last_id))
        )
    rows = list(
        base.select(Ticket, Customer, User)
        .join_from(Ticket, Customer)
        .join_from(Ticket, User, peewee.JOIN.LEFT_OUTER)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(query.limit + 1)
    )
    page = rows[: query.limit]
    clocks = clocks_by_ticket([ticket.id for ticket in page])
    next_cursor = None
    if len(rows) > query.limit:
        next_cursor = encode_cursor([page[-1].created_at, page[-1].id])
    return TicketsOut(
        items=[ticket_out(ticket, clocks.get(ticket.id, [])) for ticket in page],
        next_cursor=next_cursor,
    )


@operation(
    bp,
    "GET",
    "/tickets/<id:ticket_id>",
    summary="Read a ticket",
    tag=TAG,
    permission="ticket.view",
    response=TicketOut,
    response_headers=("ETag",),
)
def get_ticket(ticket_id: int) -> Any:
    """The ticket with its customer, assignee, plugin fields and live SLA clocks."""
    return ticket_answer(visible_ticket(ticket_id))


@operation(
    bp,
    "GET",
    "/tickets/by-number/<number>",
    summary="Read a ticket by its number",
    tag=TAG,
    permission="ticket.view",
    response=TicketOut,
    response_headers=("ETag",),
)
def get_ticket_by_number(number: str) -> Any:
    """The ticket numbered ``number`` (e.g. ``HA-2026-000123``)."""
    return ticket_answer(visible_ticket_by_number(number))


# --- change -------------------------------------------------------------------------


def _edit_fields(ticket: Ticket, body: TicketPatch) -> dict[str, Any]:
    sent = body.model_fields_set
    for name in sent - {"asset_id"}:
        if getattr(body, name) is None:
            raise invalid({name: ["must not be null (leave it out to keep the value)"]})
    fields = {name: getattr(body, name) for name in sent if name != "attributes"}
    if "reported_at" in fields:
        fields["reported_at"] = naive_utc(fields["reported_at"])
    if fields.get("asset_id") is not None:
        asset = Asset.get_or_none(Asset.id == fields["asset_id"])
        if asset is None or asset.customer_id != ticket.customer_id:
            raise invalid({"asset_id": ["not an asset of this ticket's customer"]})
    return fields


@operation(
    bp,
    "PATCH",
    "/tickets/<id:ticket_id>",
    summary="Change a ticket",
    tag=TAG,
    permission="ticket.edit",
    body=TicketPatch,
    response=TicketOut,
    writes=True,
    if_match=True,
    response_headers=("ETag",),
)
def update_ticket(ticket_id: int, body: TicketPatch) -> Any:
    """Only the fields sent change, each one a line on the timeline. ``If-Match`` must
    name the version read (its ETag); a ticket changed since is a 409 and nothing is
    saved."""
    registry = current_registry()
    ticket = visible_ticket(ticket_id, "ticket.edit")
    expected = if_match_version(required=True)
    service = registry.service(ticket.plugin, ticket.service)
    if service is None:
        raise ApiError(
            409, "conflict", "This ticket's service is not offered by any enabled plugin any more."
        )
    fields = _edit_fields(ticket, body)
    attributes: dict[str, Any] = {}
    if body.attributes:
        try:
            attributes = checked_attributes(
                registry, ticket.plugin, service, body.attributes, current=ticket.attributes or {}
            )
        except AttributesInvalid as exc:
            raise invalid(exc.fields) from None
    errors = validate_ticket_edit(registry, ticket, service, fields, attributes)
    if errors:
        raise invalid(_plugin_errors(registry, ticket.plugin, service, errors))
    try:
        ticket = edit_ticket(registry, ticket, expected, fields, attributes, g.user)
    except StaleTicket as exc:
        raise stale(exc, expected) from None
    return ticket_answer(ticket)


@operation(
    bp,
    "POST",
    "/tickets/<id:ticket_id>/transitions",
    summary="Move a ticket to another status",
    tag=TAG,
    permission="ticket.transition",
    body=TransitionIn,
    response=TicketOut,
    errors=(409,),
    writes=True,
    response_headers=("ETag",),
)
def transition_ticket_api(ticket_id: int, body: TransitionIn) -> Any:
    """A move the workflow allows and no plugin vetoes; otherwise a 422
    ``transition_refused`` with the reason. ``If-Match`` is optional: when sent, a ticket
    changed since that version is a 409. Resolving a parent resolves its linked tickets,
    as on the ticket page."""
    registry = current_registry()
    ticket = visible_ticket(ticket_id, "ticket.transition")
    sent = if_match_version(required=False)
    expected = ticket.version if sent is None else sent
    try:
        ticket = transition_ticket(registry, ticket, expected, body.to, g.user, body.note)
    except StaleTicket as exc:
        raise stale(exc, expected) from None
    except TransitionRefused as exc:
        raise ApiError(
            422,
            "transition_refused",
            f"Not moved: {english(exc)}.",
            {"to": [english(exc)]},
        ) from None
    if ticket.status == "resolved":
        cascade_resolution(registry, ticket, g.user)
    return ticket_answer(ticket)


@operation(
    bp,
    "POST",
    "/tickets/<id:ticket_id>/comments",
    summary="Comment on a ticket",
    tag=TAG,
    permission="ticket.comment",
    body=CommentIn,
    response=EventOut,
    status=201,
    writes=True,
)
def comment_on_ticket(ticket_id: int, body: CommentIn) -> EventOut:
    """Adds a comment to the timeline (a first staff comment is the first response)."""
    ticket = visible_ticket(ticket_id, "ticket.comment")
    add_comment(current_registry(), ticket, body.text, g.user)
    return event_out(latest_event(ticket, "comment", g.user))
