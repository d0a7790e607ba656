"""Award points from ticket events: read new events since a cursor, apply the rules.

Runs from the periodic sweep (``server.jobs.run_sweep``) and ``aftersales award-points``.
Each award is one transaction: the ``merit_entry`` (unique ``source_key``
``event:<event id>:<rule>``) and a ``merit`` event on the ticket's timeline, so running
twice — or two runs at once — awards once. The cursor trails the newest event it read by
``OVERLAP`` ids: PostgreSQL hands out ids before commit, so an event may appear after a
higher one was read; reading it again costs one lookup and awards nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee

from server.db import write_transaction
from server.merit.ledger import record_entry
from server.merit.models import MeritCursor, MeritEntry
from server.merit.rules import MeritRule, MeritSettings
from server.models import Ticket, TicketEvent, User, utcnow

CURSOR = "events"
OVERLAP = 200
BATCH = 500


@dataclass
class AwardResult:
    events: int = 0  # events of the rules' kinds read
    awarded: int = 0  # entries written
    nobody: int = 0  # matches without anyone to award (no assignee, no actor, no staff)


def award_points(
    settings: MeritSettings, now: dt.datetime | None = None, *, rescan: bool = False
) -> AwardResult:
    """Apply the rules to the events since the cursor (all events with ``rescan``)."""
    result = AwardResult()
    kinds = settings.event_kinds
    newest = TicketEvent.select(peewee.fn.MAX(TicketEvent.id)).scalar() or 0
    cursor = MeritCursor.get_or_none(MeritCursor.name == CURSOR)
    last = 0 if rescan or cursor is None else cursor.last_event_id
    if kinds:
        after = max(last - OVERLAP, 0)
        while True:
            events = list(
                TicketEvent.select()
                .where(
                    (TicketEvent.id > after)
                    & (TicketEvent.id <= newest)
                    & TicketEvent.kind.in_(kinds)
                )
                .order_by(TicketEvent.id)
                .limit(BATCH)
            )
            if not events:
                break
            _award_batch(settings.rules, events, now or utcnow(), result)
            after = events[-1].id
    _move_cursor(max(last, newest))
    return result


def _award_batch(
    rules: tuple[MeritRule, ...], events: list[TicketEvent], now: dt.datetime, result: AwardResult
) -> None:
    keys = {f"event:{e.id}:{rule.name}" for e in events for rule in rules if rule.event == e.kind}
    done = {
        row.source_key
        for row in MeritEntry.select(MeritEntry.source_key).where(MeritEntry.source_key.in_(keys))
    }
    for event in events:
        result.events += 1
        for rule in rules:
            key = f"event:{event.id}:{rule.name}"
            if key in done or not rule.matches(event.kind, event.data or {}):
                continue
            outcome = _award(rule, event, key, now)
            if outcome == "awarded":
                result.awarded += 1
            elif outcome == "nobody":
                result.nobody += 1


def _recipient(rule: MeritRule, event: TicketEvent, ticket: Ticket) -> User | None:
    if rule.who == "actor":
        user_id = event.actor_id
    elif rule.who == "staff":
        user_id = (event.data or {}).get("staff_id")
    else:  # the ticket's assignee when the points are awarded
        user_id = ticket.assignee_id
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        return None
    user = User.get_or_none(User.id == user_id)
    # A system account (the web form's @web, the automatic survey's @survey) earns nothing.
    return None if user is None or user.is_system else user


def _award(rule: MeritRule, event: TicketEvent, key: str, now: dt.datetime) -> str:
    """Write one award: "awarded", "nobody" (nothing written) or "already" (another run)."""
    ticket = Ticket.get_or_none(Ticket.id == event.ticket_id)
    user = _recipient(rule, event, ticket) if ticket is not None else None
    if ticket is None or user is None:
        return "nobody"
    try:
        with write_transaction():
            if MeritEntry.select().where(MeritEntry.source_key == key).exists():
                return "already"  # another run got here first
            record_entry(
                user=user,
                level=rule.level,
                amount_cents=rule.signed_amount_cents,
                reason=f"Rule {rule.name}: {event.kind.replace('_', ' ')} on {ticket.number}",
                at=event.at,
                source="rule",
                rule=rule.name,
                ticket=ticket,
                source_key=key,
                entered_by=None,
                now=now,
            )
    except peewee.IntegrityError:
        return "already"  # a concurrent run inserted the same source_key and won
    return "awarded"


def _move_cursor(event_id: int) -> None:
    with write_transaction():
        updated = (
            MeritCursor.update(last_event_id=event_id, updated_at=utcnow())
            .where(MeritCursor.name == CURSOR)
            .execute()
        )
        if not updated:
            MeritCursor.insert(name=CURSOR, last_event_id=event_id).on_conflict_ignore().execute()
