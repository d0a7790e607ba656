"""Linked tickets: many tickets under one parent (an outage incident and its reports).

A ticket has at most one parent, and a parent is never itself a child, so links are one
level deep. Resolving the parent resolves its open children through the normal
``transition_ticket`` path (each child gets its own timeline entry, SLA stop and plugin
checks); a child that cannot move is reported by number with the reason, never skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee

from server import workflow
from server.catalog import Registry
from server.db import database, write_transaction
from server.i18n import gettext
from server.messages import reason
from server.models import BaseModel, Ticket, TicketEvent, User, utcnow
from server.permissions import user_can
from server.tickets import StaleTicket, TransitionRefused, transition_ticket

CASCADE_STATUS = "resolved"


class TicketLink(BaseModel):
    """``child`` belongs under ``parent``; a ticket has at most one parent."""

    child = peewee.ForeignKeyField(Ticket, primary_key=True, backref="+", on_delete="CASCADE")
    parent = peewee.ForeignKeyField(Ticket, backref="child_links", on_delete="CASCADE")
    linked_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    linked_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "ticket_link"
        legacy_table_names = False
        indexes = ((("parent", "linked_at"), False),)


class LinkRefused(Exception):
    """The link cannot be made or removed; the message says why."""


@dataclass
class CascadeResult:
    """Children moved along with their parent, and those that could not be moved."""

    moved: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)


def parent_of(ticket: Ticket) -> Ticket | None:
    """The ticket's parent, or None."""
    link = TicketLink.get_or_none(TicketLink.child == ticket.id)
    return Ticket.get_by_id(link.parent_id) if link is not None else None


def children_of(ticket: Ticket) -> list[Ticket]:
    """The tickets linked under ``ticket``, oldest link first."""
    return list(
        Ticket.select()
        .join(TicketLink, on=(TicketLink.child == Ticket.id))
        .where(TicketLink.parent == ticket.id)
        .order_by(TicketLink.linked_at, Ticket.id)
    )


def link_ticket(child: Ticket, parent: Ticket, actor: User, now: dt.datetime | None = None) -> None:
    """Put ``child`` under ``parent``, with a timeline entry on both.

    :raises LinkRefused: linking a ticket to itself, a second parent, a parent that is a
        child, a child that has children, or a cancelled ticket.
    """
    now = now or utcnow()
    with write_transaction():
        if child.id == parent.id:
            raise LinkRefused(gettext("a ticket cannot be linked to itself"))
        if "cancelled" in (child.status, parent.status):
            raise LinkRefused(gettext("a cancelled ticket cannot be linked"))
        current = parent_of(child)
        if current is not None:
            raise LinkRefused(
                gettext(
                    "%(child)s is already linked to %(parent)s",
                    child=child.number,
                    parent=current.number,
                )
            )
        if TicketLink.get_or_none(TicketLink.child == parent.id) is not None:
            raise LinkRefused(
                gettext("%(number)s is itself linked to another ticket", number=parent.number)
            )
        if TicketLink.select().where(TicketLink.parent == child.id).exists():
            raise LinkRefused(
                gettext("%(number)s has linked tickets of its own", number=child.number)
            )
        try:
            with database.atomic():
                TicketLink.create(child=child, parent=parent, linked_by=actor, linked_at=now)
        except peewee.IntegrityError:
            # Someone linked it between our check and our insert (PostgreSQL; SQLite's
            # write lock serialises the two).
            raise LinkRefused(
                gettext("%(number)s was just linked by someone else", number=child.number)
            ) from None
        _event(child, actor, now, "linked_to_parent", parent=parent.number)
        _event(parent, actor, now, "child_linked", child=child.number)


def unlink_ticket(child: Ticket, actor: User, now: dt.datetime | None = None) -> Ticket | None:
    """Take ``child`` from under its parent; returns the former parent (None if unlinked)."""
    now = now or utcnow()
    with write_transaction():
        parent = parent_of(child)
        if parent is None:
            return None
        TicketLink.delete().where(TicketLink.child == child.id).execute()
        _event(child, actor, now, "unlinked_from_parent", parent=parent.number)
        _event(parent, actor, now, "child_unlinked", child=child.number)
        return parent


def cascade_resolution(
    registry: Registry, parent: Ticket, actor: User, now: dt.datetime | None = None
) -> CascadeResult:
    """Resolve ``parent``'s open children as ``actor`` (after the parent was resolved).

    Each child moves through ``transition_ticket`` with a note naming the parent. A child
    the actor may not move, or that the workflow or a plugin refuses, is reported.
    """
    result = CascadeResult()
    note = f"Resolved with {parent.number}"
    for child in children_of(parent):
        if child.status not in workflow.OPEN_STATUSES:
            continue
        if not user_can(actor, "ticket.transition", child):
            result.refused.append((child.number, gettext("you may not move it")))
            continue
        try:
            transition_ticket(registry, child, child.version, CASCADE_STATUS, actor, note, now)
        except (TransitionRefused, StaleTicket) as exc:
            result.refused.append((child.number, reason(exc)))
        else:
            result.moved.append(child.number)
    return result


def cascade_message(result: CascadeResult) -> str:
    """One sentence for the flash message (empty when there were no children to move)."""
    parts = []
    if result.moved:
        parts.append(gettext("Also resolved: %(numbers)s.", numbers=", ".join(result.moved)))
    if result.refused:
        reasons = "; ".join(
            gettext("%(number)s (%(reason)s)", number=number, reason=why)
            for number, why in result.refused
        )
        parts.append(gettext("Not resolved: %(reasons)s.", reasons=reasons))
    return " ".join(parts)


def _event(ticket: Ticket, actor: User, at: dt.datetime, kind: str, **data: str) -> None:
    TicketEvent.create(ticket=ticket, actor=actor, at=at, kind=kind, data=data)
