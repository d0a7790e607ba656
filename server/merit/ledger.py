"""Writing the merit ledger: one entry, and its line on the ticket's timeline."""

from __future__ import annotations

import datetime as dt

from server.db import write_transaction
from server.i18n import gettext
from server.merit.levels import LEVELS, POINTS, is_positive
from server.merit.models import MeritEntry
from server.models import Ticket, TicketEvent, User, utcnow

MAX_AMOUNT_CENTS = 100_000_000  # one million yuan


class MeritEntryError(ValueError):
    """A manual entry that cannot be recorded; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def record_entry(
    *,
    user: User,
    level: str,
    amount_cents: int,
    reason: str,
    at: dt.datetime,
    source: str,
    rule: str = "",
    ticket: Ticket | None = None,
    source_key: str | None = None,
    entered_by: User | None = None,
    now: dt.datetime | None = None,
) -> MeritEntry:
    """Write an entry (inside the caller's transaction) and, with a ticket, a ``merit``
    event on its timeline."""
    now = now or utcnow()
    entry = MeritEntry.create(
        user=user,
        at=at,
        level=level,
        amount_cents=amount_cents,
        reason=reason[:500],
        source=source,
        rule=rule,
        ticket=ticket,
        source_key=source_key,
        entered_by=entered_by,
        created_at=now,
    )
    if ticket is not None:
        TicketEvent.create(
            ticket=ticket,
            actor=entered_by,
            at=now,
            kind="merit",
            data={
                "entry_id": entry.id,
                "user_id": user.id,
                "user": str(user),
                "level": level,
                "points": POINTS[level],
                "amount_cents": amount_cents,
                "rule": rule,
                "reason": reason[:500],
            },
        )
    return entry


def add_manual_entry(
    *,
    user: User,
    level: str,
    reason: str,
    entered_by: User,
    amount_cents: int = 0,
    ticket: Ticket | None = None,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> MeritEntry:
    """A supervisor's entry: ``amount_cents`` is unsigned, a reward for a commendation …
    major merit and a fine for a warning … major demerit."""
    reason = reason.strip()
    if level not in LEVELS:
        raise MeritEntryError("level", gettext("Choose a level."))
    if not reason:
        raise MeritEntryError("reason", gettext("Say why: a reason is required."))
    if len(reason) > 500:
        raise MeritEntryError("reason", gettext("At most %(n)s characters.", n=500))
    if not 0 <= amount_cents <= MAX_AMOUNT_CENTS:
        raise MeritEntryError(
            "amount", gettext("Between %(low)s and %(high)s.", low=0, high=1000000)
        )
    now = now or utcnow()
    with write_transaction():
        return record_entry(
            user=user,
            level=level,
            amount_cents=amount_cents if is_positive(level) else -amount_cents,
            reason=reason,
            at=at or now,
            source="manual",
            ticket=ticket,
            entered_by=entered_by,
            now=now,
        )
