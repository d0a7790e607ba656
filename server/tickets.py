"""Creating and changing tickets: numbering, edits with version checks, moves, timeline."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import peewee

from server import workflow
from server.catalog import Registry
from server.customer_mail import mails as customer_mail
from server.db import write_transaction
from server.dispatch.readiness import missing_readiness
from server.followup import schedule as callbacks
from server.i18n import gettext
from server.messages import status_word, text
from server.models import (
    PRIORITIES,
    Asset,
    Customer,
    Ticket,
    TicketCounter,
    TicketEvent,
    User,
    utcnow,
)
from server.plugin_api import Panel, ServiceType, TicketInfo, Veto
from server.search import index_ticket
from server.sla import engine as sla
from server.snapshots import customer_info, ticket_info, user_info
from server.webhooks import outbox as webhooks

EDITABLE_FIELDS = ("title", "description", "priority", "channel", "asset_id", "reported_at")


class StaleTicket(Exception):
    """The ticket changed since the user loaded it; their change was not saved."""

    def __init__(self, ticket: Ticket) -> None:
        self.current = ticket
        self.who = who = _last_actor_name(ticket)
        super().__init__(
            gettext(
                "%(number)s was changed by %(who)s while you were editing; "
                "your change was not saved. The current values are shown below.",
                number=ticket.number,
                who=who,
            )
        )


class TransitionRefused(Exception):
    """The move is not allowed by the workflow table or a plugin vetoed it."""


@dataclass(frozen=True)
class NewTicket:
    industry: str
    service: ServiceType
    customer: Customer
    title: str
    description: str = ""
    priority: str = "normal"
    channel: str = "phone"
    asset: Asset | None = None
    reported_at: dt.datetime | None = None
    attributes: Mapping[str, Any] | None = None


def next_ticket_number(prefix: str, year: int) -> str:
    """Hand out the next number for ``prefix`` and ``year`` in one atomic statement.

    The upsert increments the counter row and returns the new value, so two writers can
    never get the same value. It runs inside the creating transaction: if creation fails,
    the increment rolls back with it, so numbers have no gaps; and because the counter is
    never derived from existing tickets, a deleted ticket's number is never handed out again.
    """
    query = (
        TicketCounter.insert(prefix=prefix, year=year, value=1)
        .on_conflict(
            conflict_target=[TicketCounter.prefix, TicketCounter.year],
            update={TicketCounter.value: TicketCounter.value + 1},
        )
        .returning(TicketCounter.value)
    )
    value = next(iter(query.execute())).value
    return f"{prefix}-{year}-{value:06d}"


def validate_new_ticket(registry: Registry, new: NewTicket) -> dict[str, list[str]]:
    """Ask the service's plugin (and cross-cutting ones) to check a ticket before saving."""
    draft = TicketInfo(
        id=None,
        number="",
        plugin=new.industry,
        service=new.service.code,
        status="new",
        priority=derived_priority(registry, new.industry, new.service, new.attributes or {})
        or new.priority,
        customer=customer_info(new.customer),
        asset_id=new.asset.id if new.asset else None,
        assignee_id=None,
        reported_at=new.reported_at or utcnow(),
        attributes=dict(new.attributes or {}),
    )
    return _ask_validate(registry, new.service, draft)


def validate_ticket_edit(
    registry: Registry,
    ticket: Ticket,
    service: ServiceType,
    fields: Mapping[str, Any],
    attributes: Mapping[str, Any],
) -> dict[str, list[str]]:
    """Ask the plugins to check a ticket as ``edit_ticket`` would save it."""
    current = ticket_info(ticket)
    draft = dataclasses.replace(
        current,
        priority=fields.get("priority", current.priority),
        asset_id=fields.get("asset_id", current.asset_id),
        reported_at=fields.get("reported_at", current.reported_at),
        attributes={**current.attributes, **attributes},
    )
    return _ask_validate(registry, service, draft)


def derived_priority(
    registry: Registry, industry: str, service: ServiceType, attributes: Mapping[str, Any]
) -> str | None:
    """The priority the plugins derive from the ticket's fields, or None to keep the chosen."""
    answer = registry.ticket_hook(industry, "derive_priority")(
        service=service, attributes=dict(attributes)
    )
    if answer is not None and answer not in PRIORITIES:
        raise ValueError(f"derive_priority returned {answer!r}, not one of {PRIORITIES}")
    return answer


def _ask_validate(
    registry: Registry, service: ServiceType, draft: TicketInfo
) -> dict[str, list[str]]:
    results = registry.ticket_hook(draft.plugin, "validate_ticket")(service=service, ticket=draft)
    return _merge_errors(results)


def detail_panels(registry: Registry, ticket: Ticket) -> list[Panel]:
    """The panels the ticket's plugins add to its page, their rows' texts in the page's
    language (a plugin may give a row's label or value as a :class:`Label`)."""
    results = registry.ticket_hook(ticket.plugin, "ticket_detail_panels")(
        ticket=ticket_info(ticket)
    )
    return [
        Panel(panel.title, tuple((text(label), text(value)) for label, value in panel.rows))
        for result in results
        for panel in result or []
    ]


def _merge_errors(results: list[dict[str, list[Any]] | None]) -> dict[str, list[str]]:
    """The plugins' errors by field; a :class:`Label` message in the request's language
    (English in the JSON API)."""
    errors: dict[str, list[str]] = {}
    for result in results:
        for name, messages in (result or {}).items():
            errors.setdefault(name, []).extend(text(message) for message in messages)
    return errors


def create_ticket(
    registry: Registry, new: NewTicket, actor: User, year: int, now: dt.datetime | None = None
) -> Ticket:
    """Save a validated ticket with the next number, record "created", tell the plugins.

    ``now`` (naive UTC) defaults to the present; the demo and tests pass other times.
    """
    prefix = registry.industries[new.industry].ticket_prefix
    now = now or utcnow()
    priority = (
        derived_priority(registry, new.industry, new.service, new.attributes or {}) or new.priority
    )
    with write_transaction():
        ticket = Ticket.create(
            number=next_ticket_number(prefix, year),
            plugin=new.industry,
            service=new.service.code,
            customer=new.customer,
            asset=new.asset,
            title=new.title,
            description=new.description,
            channel=new.channel,
            priority=priority,
            reported_at=min(new.reported_at or now, now),
            created_at=now,
            updated_at=now,
            attributes=dict(new.attributes or {}),
        )
        TicketEvent.create(ticket=ticket, actor=actor, at=now, kind="created", data={})
        index_ticket(ticket)
        period = sla.open_first_period(ticket, now)
        # what the plugins are shown: known without reading it back
        info = ticket_info(ticket, status_since=now, attachment_count=0)
        sla.refresh_ticket_sla(registry, ticket, now, periods=[period], info=info, new=True)
        # A ticket of a complaint service opens its complaint in the same transaction.
        from server.complaints.from_tickets import open_for_ticket

        open_for_ticket(ticket, new.service, actor, now)
        webhooks.ticket_created(ticket, now)
        customer_mail.ticket_received(registry, ticket, now)
    registry.ticket_hook(new.industry, "ticket_created")(ticket=info, actor=user_info(actor))
    return ticket


def _bump(
    ticket: Ticket, expected_version: int, changes: dict[Any, Any], now: dt.datetime
) -> Ticket:
    """Write ``changes`` only if the ticket is still at ``expected_version``."""
    changes[Ticket.version] = Ticket.version + 1
    changes[Ticket.updated_at] = now
    updated = (
        Ticket.update(changes)
        .where((Ticket.id == ticket.id) & (Ticket.version == expected_version))
        .execute()
    )
    fresh = Ticket.get_by_id(ticket.id)
    if updated != 1:
        raise StaleTicket(fresh)
    customer = ticket.__rel__.get("customer")
    if customer is not None and customer.id == fresh.customer_id:
        fresh.customer = customer  # already loaded: spare the plugins' snapshot a read
    return fresh


def _check_version(ticket: Ticket, expected_version: int) -> None:
    """Refuse early, before any rule is checked against values the user has not seen."""
    if ticket.version != expected_version:
        raise StaleTicket(ticket)


def _event(ticket: Ticket, actor: User, at: dt.datetime, kind: str, **data: Any) -> None:
    TicketEvent.create(ticket=ticket, actor=actor, at=at, kind=kind, data=data)


def _first_response(ticket: Ticket, changes: dict[Any, Any], now: dt.datetime) -> None:
    if ticket.first_response_at is None:
        changes[Ticket.first_response_at] = now


def edit_ticket(
    registry: Registry,
    ticket: Ticket,
    expected_version: int,
    fields: Mapping[str, Any],
    attributes: Mapping[str, Any],
    actor: User,
    now: dt.datetime | None = None,
) -> Ticket:
    """Apply an edit; every changed value becomes a "field" event with old and new.

    An edit that changes nothing is still checked against the version, but writes nothing.
    """
    _check_version(ticket, expected_version)
    now = now or utcnow()
    service = registry.service(ticket.plugin, ticket.service)
    if service is not None:
        derived = derived_priority(
            registry, ticket.plugin, service, {**(ticket.attributes or {}), **attributes}
        )
        if derived is not None:
            fields = {**fields, "priority": derived}
    changes: dict[Any, Any] = {}
    diffs = []
    for name in EDITABLE_FIELDS:
        if name not in fields:
            continue
        old, new = getattr(ticket, name), fields[name]
        if old != new:
            changes[getattr(Ticket, name.removesuffix("_id") if name.endswith("_id") else name)] = (
                new
            )
            diffs.append((name, old, new))
    old_attributes = dict(ticket.attributes or {})
    new_attributes = {**old_attributes, **attributes}
    for name in sorted(set(new_attributes) | set(old_attributes)):
        if _changed(old_attributes.get(name), new_attributes.get(name)):
            diffs.append((f"attributes.{name}", old_attributes.get(name), new_attributes.get(name)))
    if new_attributes != old_attributes:
        changes[Ticket.attributes] = new_attributes
    if not diffs:
        return ticket
    with write_transaction():
        fresh = _bump(ticket, expected_version, changes, now)
        for name, old, new in diffs:
            _event(fresh, actor, now, "field", field=name, old=_plain(old), new=_plain(new))
        # priority, reported_at or plugin fields may choose other targets or a policy
        sla.refresh_ticket_sla(registry, fresh, now)
        index_ticket(fresh)
    return fresh


def _changed(old: Any, new: Any) -> bool:
    """An unset box and an unticked one are the same answer; anything else is a change."""
    return old != new and not (old is None and new is False)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def assign_ticket(
    registry: Registry,
    ticket: Ticket,
    expected_version: int,
    assignee: User | None,
    team: str,
    actor: User,
    now: dt.datetime | None = None,
    reason: str = "",
) -> Ticket:
    """Set who works the ticket; a new ticket with an assignee becomes "assigned".

    ``reason`` (why this person: an assignment rule's explanation) goes on the timeline.
    """
    _check_version(ticket, expected_version)
    now = now or utcnow()
    changes: dict[Any, Any] = {Ticket.assignee: assignee, Ticket.team: team}
    moved = ticket.status == "new" and assignee is not None
    if moved:
        changes[Ticket.status] = "assigned"
    if assignee is None and ticket.status in workflow.NEEDS_ASSIGNEE:
        raise TransitionRefused(
            gettext(
                "a ticket that is %(status)s needs an assignee",
                status=status_word(workflow.STATUSES[ticket.status]),
            )
        )
    missing = missing_readiness(registry, ticket) if assignee is not None else None
    if missing is not None:
        raise TransitionRefused(
            gettext(
                "the site readiness is not confirmed yet (%(missing)s); confirm it first",
                missing=text(missing),
            )
        )
    _first_response(ticket, changes, now)
    with write_transaction():
        fresh = _bump(ticket, expected_version, changes, now)
        _event(
            fresh,
            actor,
            now,
            "assigned",
            old=str(ticket.assignee) if ticket.assignee_id else None,
            new=str(assignee) if assignee else None,
            team=team,
            **({"reason": reason[:500]} if reason else {}),
        )
        if moved:
            _event(fresh, actor, now, "status", old="new", new="assigned")
            sla.record_status_change(fresh, "assigned", now, "")
            webhooks.status_changed(fresh, "new", "assigned", "", now)
        sla.refresh_ticket_sla(registry, fresh, now)
    return fresh


def transition_ticket(
    registry: Registry,
    ticket: Ticket,
    expected_version: int,
    new_status: str,
    actor: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> Ticket:
    """Move a ticket; refused by the core table or a plugin's veto, with the reason.

    Resolving schedules the service's callback (回访) and reopening cancels it; closing a
    resolved ticket whose service needs a callback waits for a satisfied one
    (``server.followup.schedule``).
    """
    _check_version(ticket, expected_version)
    old_status = ticket.status
    check = workflow.check_move(old_status, new_status, ticket.assignee_id is not None)
    if not check.allowed:
        raise TransitionRefused(check.reason)
    refusal = callbacks.close_refusal(registry, ticket, old_status, new_status)
    if refusal is not None:
        raise TransitionRefused(refusal)
    before = ticket_info(ticket)
    veto: Veto | None = registry.ticket_hook(ticket.plugin, "before_transition")(
        ticket=before,
        old_status=old_status,
        new_status=new_status,
        actor=user_info(actor),
    )
    if veto is not None:
        raise TransitionRefused(veto.reason)
    now = now or utcnow()
    changes: dict[Any, Any] = {Ticket.status: new_status}
    _first_response(ticket, changes, now)
    if new_status == "on_site" and ticket.arrived_at is None:
        changes[Ticket.arrived_at] = now
    if new_status == "resolved":
        changes[Ticket.resolved_at] = now
    if new_status == "closed":
        changes[Ticket.closed_at] = now
    if workflow.is_reopen(old_status, new_status):
        changes[Ticket.resolved_at] = None
        changes[Ticket.closed_at] = None
    with write_transaction():
        fresh = _bump(ticket, expected_version, changes, now)
        _event(fresh, actor, now, "status", old=old_status, new=new_status, note=note)
        sla.record_status_change(fresh, new_status, now, note)
        # its new status began now; its files are those it had
        after = ticket_info(fresh, status_since=now, attachment_count=before.attachment_count)
        sla.refresh_ticket_sla(registry, fresh, now, info=after)
        callbacks.after_move(registry, fresh, old_status, new_status, now)
        webhooks.status_changed(fresh, old_status, new_status, note, now)
        if new_status == "resolved":
            customer_mail.ticket_resolved(registry, fresh, now)
    registry.ticket_hook(ticket.plugin, "after_transition")(
        ticket=after,
        old_status=old_status,
        new_status=new_status,
        actor=user_info(actor),
    )
    return fresh


def add_comment(
    registry: Registry, ticket: Ticket, text: str, actor: User, now: dt.datetime | None = None
) -> None:
    """Append a comment; a first staff comment counts as the first response."""
    now = now or utcnow()
    with write_transaction():
        _event(ticket, actor, now, "comment", text=text)
        answered = (
            Ticket.update(first_response_at=now)
            .where((Ticket.id == ticket.id) & Ticket.first_response_at.is_null())
            .execute()
        )
        if answered:
            sla.refresh_ticket_sla(registry, Ticket.get_by_id(ticket.id), now)


def timeline(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's events, oldest first, with their actors loaded in the same query."""
    return list(
        TicketEvent.select(TicketEvent, User)
        .join(User, join_type=peewee.JOIN.LEFT_OUTER, on=(TicketEvent.actor == User.id))
        .where(TicketEvent.ticket == ticket)
        .order_by(TicketEvent.at, TicketEvent.id)
    )


def _last_actor_name(ticket: Ticket) -> str:
    event = (
        TicketEvent.select(TicketEvent, User)
        .join(User, join_type=peewee.JOIN.LEFT_OUTER, on=(TicketEvent.actor == User.id))
        .where(TicketEvent.ticket == ticket)
        .order_by(TicketEvent.id.desc())
        .first()
    )
    return str(event.actor) if event and event.actor_id else "someone else"
