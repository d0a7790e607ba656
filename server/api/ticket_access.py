"""Finding the ticket a request names, as its caller may see it, and its version checks.

A technician sees and changes only the tickets assigned to them (as on the pages); any
other ticket is a 404 to them, so the API does not even say that it exists.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import g, request

from server.api.errors import ApiError, invalid, not_found
from server.models import Ticket
from server.permissions import user_can
from server.queue import NUMBER_PATTERN
from server.tickets import StaleTicket

_IF_MATCH = re.compile(r'^\s*(?:W/)?"?([0-9]{1,9})"?\s*$')


def visible_ticket(ticket_id: int, permission: str = "ticket.view") -> Ticket:
    """The ticket, if the caller may see it and use ``permission`` on it; else 404."""
    return _checked(Ticket.get_or_none(Ticket.id == ticket_id), permission)


def visible_ticket_by_number(number: str) -> Ticket:
    """The ticket numbered ``number`` (case and zero padding as the queue's search)."""
    text = number.strip().upper()
    if len(text) > 40 or not text.isprintable():
        raise not_found("ticket")  # no number looks like that (and NUL upsets PostgreSQL)
    if NUMBER_PATTERN.match(text):
        prefix, year, serial = text.split("-")
        text = f"{prefix}-{year}-{int(serial):06d}"
    return _checked(Ticket.get_or_none(Ticket.number == text), "ticket.view")


def _checked(ticket: Ticket | None, permission: str) -> Ticket:
    user = g.get("user")
    if ticket is None or not user_can(user, "ticket.view", ticket):
        raise not_found("ticket")
    if not user_can(user, permission, ticket):
        raise not_found("ticket")
    return ticket


def naive_cursor_time(value: dt.datetime) -> dt.datetime:
    """A cursor's time as the naive UTC we gave out; an aware one is not ours."""
    if value.tzinfo is not None:
        raise invalid({"cursor": ["not a cursor this list gave out"]})
    return value


def etag(ticket: Ticket) -> dict[str, str]:
    """The ``ETag`` header of a ticket: its version, quoted."""
    return {"ETag": f'"{ticket.version}"'}


def if_match_version(required: bool) -> int | None:
    """The version the ``If-Match`` header names; None when absent and not ``required``."""
    raw = request.headers.get("If-Match")
    if raw is None:
        if required:
            raise ApiError(
                428,
                "precondition_required",
                "Send If-Match with the ticket's version (its ETag) to change it.",
            )
        return None
    match = _IF_MATCH.match(raw)
    if match is None:
        raise invalid({"If-Match": ['the ticket\'s version as its ETag gave it, e.g. "3"']})
    return int(match.group(1))


def stale(exc: StaleTicket, expected: int) -> ApiError:
    """The 409 for a change made against an old version; nothing was saved."""
    current = exc.current
    return ApiError(
        409,
        "conflict",
        f"{current.number} was changed by {exc.who} since version {expected}; it is now at "
        f"version {current.version}. Nothing was saved: read it again and retry.",
        headers=etag(current),
    )
