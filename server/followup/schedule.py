"""Scheduling callbacks when tickets are resolved, cancelling them on reopen, and the
core's rule that a ticket needing a callback closes only after a satisfied one.

Called from ``server.tickets.transition_ticket`` inside its write transaction, so a
resolve and its callback are written together or not at all.
"""

from __future__ import annotations

import datetime as dt

from server.catalog import Registry
from server.followup.models import Callback
from server.followup.settings import CallbackPolicy
from server.i18n import gettext
from server.models import Ticket
from server.sla.calendar import BusinessCalendar
from server.sla.settings import ALWAYS_OPEN

# A working day is searched for at most this far ahead (a calendar with long holidays).
_MAX_SCAN_DAYS = 400


def policy_for(registry: Registry, ticket: Ticket) -> CallbackPolicy:
    """The callback rules for the ticket's service (config over the service's default)."""
    service = registry.service(ticket.plugin, ticket.service)
    service_days = service.callback_days if service is not None else None
    return registry.callbacks.policy_for(ticket.plugin, ticket.service, service_days)


def callback_calendar(registry: Registry) -> BusinessCalendar:
    """``[callbacks] calendar``, else the default SLA policy's resolution calendar, else 24×7."""
    name = registry.callbacks.calendar
    if not name and registry.default_policy:
        policy = registry.policies[registry.default_policy]
        targets = {t.metric: t.calendar for t in policy.targets}
        name = targets.get("resolution") or next(iter(targets.values()), "")
    return registry.calendars.get(name) or registry.calendars[ALWAYS_OPEN]


def due_after(calendar: BusinessCalendar, resolved_at: dt.datetime, days: int) -> dt.datetime:
    """The end of the ``days``-th working day after the local day of ``resolved_at``.

    ``resolved_at`` and the answer are naive UTC. Holidays and days off are skipped and
    make-up working days count, as the calendar says; the day of resolution never counts.
    """
    local_day = resolved_at.replace(tzinfo=dt.UTC).astimezone(calendar.zone).date()
    counted = 0
    day = local_day
    for _ in range(_MAX_SCAN_DAYS):
        day += dt.timedelta(days=1)
        windows = calendar.windows_on(day)
        if not windows:
            continue
        counted += 1
        if counted == days:
            end = windows[-1][1]
            local_end = (
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=calendar.zone)
                if end is None
                else dt.datetime.combine(day, end, tzinfo=calendar.zone)
            )
            return local_end.astimezone(dt.UTC).replace(tzinfo=None)
    raise ValueError(f"calendar {calendar.name!r} has no {days} working days ahead")


def pending_callback(ticket: Ticket) -> Callback | None:
    """The ticket's pending callback, if any (there is at most one)."""
    return (
        Callback.select()
        .where((Callback.ticket == ticket.id) & (Callback.status == "pending"))
        .order_by(Callback.id.desc())
        .first()
    )


def latest_callback(ticket: Ticket) -> Callback | None:
    return (
        Callback.select().where(Callback.ticket == ticket.id).order_by(Callback.id.desc()).first()
    )


def close_refusal(registry: Registry, ticket: Ticket, old: str, new: str) -> str | None:
    """Why ``old`` → ``new`` may not happen without a callback, or None when it may.

    A resolved ticket whose service needs a callback closes only after a callback of
    this resolution found the customer satisfied (or, with ``close_when_unreachable``,
    could not reach them).
    """
    if old != "resolved" or new != "closed":
        return None
    policy = policy_for(registry, ticket)
    if not policy.needed_to_close:
        return None
    allowed = Callback.ticket == ticket.id
    if ticket.resolved_at is not None:
        allowed &= Callback.created_at >= ticket.resolved_at
    # Satisfied, or unsatisfied with a complaint carrying the case on.
    settled = (Callback.status == "done") & (
        (Callback.outcome == "satisfied") | (Callback.action == "complaint")
    )
    if registry.callbacks.close_when_unreachable:
        settled |= Callback.status == "unreachable"
    if Callback.select().where(allowed & settled).exists():
        return None
    return gettext(
        "a ticket of this service closes only when the customer is satisfied: "
        "record a satisfied callback first"
    )


def after_move(registry: Registry, ticket: Ticket, old: str, new: str, now: dt.datetime) -> None:
    """Schedule a callback on resolve; cancel the pending one when the ticket moves on.

    Runs inside the transition's write transaction.
    """
    if new == "resolved":
        cancel_pending(ticket)
        policy = policy_for(registry, ticket)
        if policy.schedules:
            Callback.create(
                ticket=ticket,
                due_at=due_after(callback_calendar(registry), now, policy.days),
                status="pending",
                created_at=now,
            )
    elif new != "closed" and old in {"resolved", "closed"}:
        cancel_pending(ticket)


def cancel_pending(ticket: Ticket) -> int:
    """Cancel the ticket's pending callbacks; how many were cancelled."""
    return (
        Callback.update(status="cancelled", next_try_at=None)
        .where((Callback.ticket == ticket.id) & (Callback.status == "pending"))
        .execute()
    )
