"""The read-only queries behind ``server.plugin_api``'s helpers for plugin pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import g
from peewee import Value, fn

from server.models import Asset, Customer, Ticket, TicketEvent, User
from server.permissions import user_can
from server.plugin_api import AssetInfo, CustomerInfo, TicketInfo, TicketSpan, UserInfo
from server.snapshots import customer_info, ticket_info, user_info

# Chunk size of ``IN (…)`` lists, well under every database's parameter limit.
_CHUNK = 500


def customers_with_attribute(name: str, value: Any) -> list[CustomerInfo]:
    """Customers whose ``attributes[name] == value``, by name.

    The attributes are stored as sorted JSON text, so a LIKE on the ``"name": value``
    pair narrows the rows portably (SQLite and PostgreSQL alike); the exact comparison
    is then done on the decoded value, so LIKE wildcards in the value cannot widen it.
    """
    needle = f"{json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}"
    rows = Customer.select().order_by(Customer.name, Customer.id)
    if "\\" not in needle:
        # A raw pattern (the JSON field would otherwise encode the needle as JSON). The
        # wildcards % and _ can only widen it (the exact comparison follows), but a
        # backslash escapes on PostgreSQL and not on SQLite: such a needle (JSON encodes
        # quotes and backslashes with one) is compared exactly below, without narrowing.
        rows = rows.where(Customer.attributes ** Value(f"%{needle}%", converter=False))
    return [customer_info(c) for c in rows if (c.attributes or {}).get(name) == value]


def latest_tickets(
    plugin: str, services: tuple[str, ...], customer_ids: list[int]
) -> dict[int, TicketInfo]:
    """Each customer's most recently reported, not cancelled, ticket of these services."""
    latest: dict[int, Ticket] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        wanted = (
            (Ticket.plugin == plugin)
            & (Ticket.service.in_(list(services)))
            & (Ticket.customer.in_(chunk))
            & (Ticket.status != "cancelled")
        )
        newest = (
            Ticket.select(Ticket.customer, fn.MAX(Ticket.reported_at).alias("last"))
            .where(wanted)
            .group_by(Ticket.customer)
            .alias("newest")
        )
        rows = (
            Ticket.select()
            .join(
                newest,
                on=(
                    (Ticket.customer == newest.c.customer_id)
                    & (Ticket.reported_at == newest.c.last)
                ),
            )
            .where(wanted)
        )
        for ticket in rows:
            known = latest.get(ticket.customer_id)
            if known is None or ticket.id > known.id:  # two at the same moment: the later one
                latest[ticket.customer_id] = ticket
    return {customer_id: ticket_info(ticket) for customer_id, ticket in latest.items()}


def asset_info(asset_id: int | None) -> AssetInfo | None:
    asset = Asset.get_or_none(Asset.id == asset_id) if asset_id is not None else None
    if asset is None:
        return None
    return AssetInfo(
        id=asset.id,
        plugin=asset.plugin,
        kind=asset.kind,
        identifier=asset.identifier,
        coverage_start=asset.coverage_start,
        coverage_end=asset.coverage_end,
        attributes=dict(asset.attributes or {}),
    )


def ticket_creator(ticket_id: int) -> UserInfo | None:
    event = (
        TicketEvent.select(TicketEvent.actor)
        .where((TicketEvent.ticket == ticket_id) & (TicketEvent.kind == "created"))
        .first()
    )
    if event is None or event.actor_id is None:
        return None
    user = User.get_or_none(User.id == event.actor_id)
    return user_info(user) if user is not None else None


def current_user_info() -> UserInfo | None:
    user = g.get("user")
    return user_info(user) if user is not None else None


def current_user_can(permission: str) -> bool:
    return user_can(g.get("user"), permission)


def user_exists(username: str) -> bool:
    return User.select().where((User.username == username) & (User.active == True)).exists()  # noqa: E712


def linked_tickets(ticket_id: int) -> list[TicketInfo]:
    from server.links import children_of

    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    return [ticket_info(child) for child in children_of(ticket)] if ticket is not None else []


def parent_ticket(ticket_id: int) -> TicketInfo | None:
    from server.links import parent_of

    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    parent = parent_of(ticket) if ticket is not None else None
    return ticket_info(parent) if parent is not None else None


def saved_ticket(ticket_id: int | None) -> TicketInfo | None:
    if ticket_id is None:
        return None
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    return ticket_info(ticket) if ticket is not None else None


def tickets_in_period(
    plugin: str, customer_id: int, start: Any, end: Any, services: tuple[str, ...]
) -> list[TicketSpan]:
    rows = (
        Ticket.select()
        .where(
            (Ticket.plugin == plugin)
            & (Ticket.customer == customer_id)
            & (Ticket.service.in_(list(services)))
            & (Ticket.status != "cancelled")
            & (Ticket.reported_at < end)
            & (Ticket.resolved_at.is_null() | (Ticket.resolved_at > start))
        )
        .order_by(Ticket.reported_at, Ticket.id)
    )
    return [TicketSpan(ticket_info(t), t.resolved_at) for t in rows]


def working_minutes(calendar: str, start: dt.datetime, end: dt.datetime) -> int:
    from server.catalog import current_registry

    calendars = current_registry().calendars
    if calendar not in calendars:
        raise ValueError(f"unknown calendar {calendar!r}")
    if end <= start:
        return 0
    seconds = calendars[calendar].between(start.replace(tzinfo=dt.UTC), end.replace(tzinfo=dt.UTC))
    return int(seconds // 60)
