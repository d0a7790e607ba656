"""Applying SLA policies to tickets: status periods, policy choice, metric clocks.

Called by the ticket write paths inside their transaction, so a ticket and its clocks
never disagree. Everything is recomputed from ``reported_at``, the status periods and
the event timestamps: a change of priority or policy keeps all elapsed and paused time.

Reopening (resolved or closed → in progress) resumes the resolution metric: the time the
ticket spent resolved or closed is a pause of that metric, and its deadline moves by the
working time of that pause — unless it had already passed when the ticket was resolved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from server.catalog import Registry
from server.messages import text
from server.models import Ticket, utcnow
from server.plugin_api import Entitlement, MetricTarget, TicketInfo
from server.sla.calendar import BusinessCalendar
from server.sla.clock import (
    BREACHED,
    OPEN_STATES,
    Segment,
    clip_pauses,
    deadline,
    measure,
    not_started,
)
from server.sla.models import TicketDeadline, TicketSla, TicketStatusPeriod
from server.sla.policies import PolicyChoice, TicketFacts, choose_policy
from server.sla.settings import ALWAYS_OPEN
from server.snapshots import ticket_info

# Statuses that always pause the resolution metric: while the ticket stands resolved or
# closed nobody is working on it; if it is reopened, the clock resumes.
RESOLUTION_RESTS = ("resolved", "closed")


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment is not None else None


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment is not None else None


# --- status periods -------------------------------------------------------------------


def open_first_period(ticket: Ticket, now: dt.datetime) -> TicketStatusPeriod:
    return TicketStatusPeriod.create(ticket=ticket, status=ticket.status, started_at=now)


def record_status_change(ticket: Ticket, new_status: str, now: dt.datetime, reason: str) -> None:
    """Close the open status period and open the next one."""
    TicketStatusPeriod.update(ended_at=now).where(
        (TicketStatusPeriod.ticket == ticket) & TicketStatusPeriod.ended_at.is_null()
    ).execute()
    TicketStatusPeriod.create(
        ticket=ticket, status=new_status, started_at=now, reason=reason[:2000]
    )


def _periods(ticket: Ticket) -> list[TicketStatusPeriod]:
    return list(
        TicketStatusPeriod.select()
        .where(TicketStatusPeriod.ticket == ticket)
        .order_by(TicketStatusPeriod.started_at, TicketStatusPeriod.id)
    )


def _pauses(periods: Iterable[TicketStatusPeriod], statuses: Iterable[str]) -> list[Segment]:
    wanted = set(statuses)
    return [(_aware(p.started_at), _aware(p.ended_at)) for p in periods if p.status in wanted]


# --- choosing the policy --------------------------------------------------------------


def ticket_entitlement(
    registry: Registry, ticket: Ticket, info: TicketInfo | None = None
) -> Entitlement | None:
    """The plugin's entitlement, its reason as text in the current language (a plugin may
    give a :class:`~server.plugin_api.Label`; English in the JSON API). ``info`` is the
    ticket's snapshot when the caller has it."""
    found = registry.ticket_hook(ticket.plugin, "entitlement")(ticket=info or ticket_info(ticket))
    if found is None or isinstance(found.reason, str):
        return found
    return dataclasses.replace(found, reason=text(found.reason))


def ticket_facts(ticket: Ticket, entitlement: Entitlement | None) -> TicketFacts:
    """The region class comes from the ticket's own field, else the customer's."""
    attributes = ticket.attributes or {}
    customer_attributes = ticket.customer.attributes or {}
    region_class = attributes.get("region_class") or customer_attributes.get("region_class")
    return TicketFacts(
        plugin=ticket.plugin,
        service=ticket.service,
        priority=ticket.priority,
        customer_tier=ticket.customer.tier or "",
        region_class=str(region_class or ""),
        entitlement=entitlement.status if entitlement else "",
    )


def policy_for(
    registry: Registry, ticket: Ticket, info: TicketInfo | None = None
) -> tuple[PolicyChoice, Entitlement | None]:
    entitlement = ticket_entitlement(registry, ticket, info)
    choice = choose_policy(
        ticket_facts(ticket, entitlement),
        registry.sla_rules,
        registry.industry_policies.get(ticket.plugin, []),
        registry.policies,
        registry.default_policy,
    )
    return choice, entitlement


# --- the clocks -----------------------------------------------------------------------


def milestone_at(ticket: Ticket, name: str, calendar: BusinessCalendar) -> dt.datetime | None:
    """The moment a milestone attribute (a ``YYYY-MM-DD`` date) names: that day's
    midnight in the calendar's time zone, aware UTC; None when unset or unreadable."""
    value = (ticket.attributes or {}).get(name)
    if not isinstance(value, str):
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time(), tzinfo=calendar.zone).astimezone(dt.UTC)


def target_days(ticket: Ticket, name: str) -> int | None:
    """A whole number of days from the ticket's attribute ``name``, else its asset's."""
    sources = [ticket.attributes or {}]
    if ticket.asset_id is not None:
        sources.append(ticket.asset.attributes or {})
    for attributes in sources:
        value = attributes.get(name)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _stopped_at(
    ticket: Ticket,
    metric: str,
    target: MetricTarget | None = None,
    calendar: BusinessCalendar | None = None,
) -> dt.datetime | None:
    if target is not None and target.stops_at:
        return milestone_at(ticket, target.stops_at, calendar)
    return _aware(
        {
            "first_response": ticket.first_response_at,
            "arrival": ticket.arrived_at,
            "resolution": ticket.resolved_at,
        }[metric]
    )


def _cancelled_at(
    ticket: Ticket, metric: str, periods: list[TicketStatusPeriod], milestone: bool = False
) -> dt.datetime | None:
    """When a metric stopped without its event: the ticket was cancelled, or resolved
    without anyone going on site (then no arrival was needed), or resolved without its
    stopping milestone."""
    if ticket.status == "cancelled":
        return _aware(next(p.started_at for p in reversed(periods) if p.status == "cancelled"))
    if milestone and ticket.resolved_at is not None:
        return _aware(ticket.resolved_at)
    if metric == "arrival" and ticket.arrived_at is None and ticket.resolved_at is not None:
        return _aware(ticket.resolved_at)
    return None


def refresh_ticket_sla(
    registry: Registry,
    ticket: Ticket,
    now: dt.datetime | None = None,
    periods: list[TicketStatusPeriod] | None = None,
    info: TicketInfo | None = None,
    new: bool = False,
) -> list[TicketSla]:
    """Recompute and store every metric clock of ``ticket``; call inside its transaction.

    ``periods`` are the ticket's status periods and ``info`` its snapshot when the caller
    has them already; ``new`` says the ticket was created in this transaction (it has no
    clocks yet, so none are read).
    """
    existing = (
        {}
        if new
        else {row.metric: row for row in TicketSla.select().where(TicketSla.ticket == ticket)}
    )
    kept = _compute(registry, ticket, _aware(now or utcnow()), existing, periods, info)
    if new:
        # one statement for all of a new ticket's clocks
        TicketSla.bulk_create(kept)
        _store_nearest_deadline(ticket, kept)
        return _remember(ticket, kept)
    stale = [row.id for row in existing.values() if row not in kept]
    for row in kept:
        if row.id is not None and existing.get(row.metric) is not row:
            # A new policy brings a new ladder and a new breach to note: start afresh.
            TicketSla.delete().where(TicketSla.id == row.id).execute()
            row.id = None
        # The sweep claims escalation steps and breach notes with conditional updates;
        # a refresh must never write back an older value of them.
        row.save(only=None if row.id is None else _REFRESHED_FIELDS)
    if stale:
        TicketSla.delete().where(TicketSla.id.in_(stale)).execute()
    _store_nearest_deadline(ticket, kept)
    return _remember(ticket, kept)


def _remember(ticket: Ticket, clocks: list[TicketSla]) -> list[TicketSla]:
    ticket._stored_clocks = (ticket.version, clocks)
    return clocks


def stored_clocks(ticket: Ticket) -> list[TicketSla] | None:
    """The clocks a refresh in this request stored for this very ticket object at its
    current version, in display order; None when they must be read (and computed).

    A write answers them without reading back what it has just written. Only the code
    that wrote the ticket knows whether it is still the latest: a caller holding an older
    object of a ticket changed since must read the ticket again instead."""
    remembered = getattr(ticket, "_stored_clocks", None)
    if remembered is None or remembered[0] != ticket.version:
        return None
    return sorted(remembered[1], key=lambda row: METRIC_ORDER.get(row.metric, 9))


def live_clocks(registry: Registry, ticket: Ticket) -> list[TicketSla]:
    """The ticket's clocks as of this moment (elapsed time included), without storing them."""
    existing = {row.metric: row for row in TicketSla.select().where(TicketSla.ticket == ticket)}
    rows = _compute(registry, ticket, _aware(utcnow()), existing)
    return sorted(rows, key=lambda row: METRIC_ORDER.get(row.metric, 9))


def _compute(
    registry: Registry,
    ticket: Ticket,
    moment: dt.datetime,
    existing: dict[str, TicketSla],
    periods: list[TicketStatusPeriod] | None = None,
    info: TicketInfo | None = None,
) -> list[TicketSla]:
    """The clocks the ticket's policy sets, filled in; rows of ``existing`` are reused
    (with their escalation progress) when the policy is the same."""
    choice, entitlement = policy_for(registry, ticket, info)
    if choice.policy is None:
        return []
    periods = periods if periods is not None else _periods(ticket)
    window_end = appointment_window_end(registry, ticket)
    rows = []
    for target in choice.policy.targets:
        minutes = target.minutes.get(ticket.priority)
        if minutes is None:
            continue
        seconds = minutes * 60
        days = target_days(ticket, target.days_from) if target.days_from else None
        if days is not None:
            seconds = days * 86400
        if target.metric == "arrival" and window_end is not None:
            seconds = _window_seconds(ticket, window_end)
        row = existing.get(target.metric)
        if row is None or row.policy != choice.policy.name:
            replaced = row
            row = TicketSla(ticket=ticket, metric=target.metric)
            row.id = replaced.id if replaced is not None else None
        _fill(row, registry, ticket, target, seconds, periods, moment, window_end)
        row.policy = choice.policy.name
        row.policy_reason = choice.reason[:300]
        row.entitlement = entitlement.status[:40] if entitlement else ""
        row.entitlement_reason = text(entitlement.reason)[:300] if entitlement else ""
        rows.append(row)
    return rows


_REFRESHED_FIELDS = [
    TicketSla.policy,
    TicketSla.policy_reason,
    TicketSla.entitlement,
    TicketSla.entitlement_reason,
    TicketSla.calendar,
    TicketSla.target_seconds,
    TicketSla.due_at,
    TicketSla.paused_seconds,
    TicketSla.elapsed_seconds,
    TicketSla.state,
    TicketSla.stopped_at,
    TicketSla.next_escalation_at,
    TicketSla.updated_at,
]


def still_counting(ticket: Ticket, row: TicketSla) -> bool:
    """The metric's event has not happened yet on a live ticket (late or not)."""
    if ticket.status == "cancelled" or row.stopped_at is not None:
        return False
    return row.state in OPEN_STATES or row.state == BREACHED


def _store_nearest_deadline(ticket: Ticket, rows: list[TicketSla]) -> None:
    # Late clocks count too: at the head of a "nearest deadline" list, most overdue first.
    open_rows = [row for row in rows if still_counting(ticket, row)]
    if not open_rows:
        TicketDeadline.delete().where(TicketDeadline.ticket == ticket).execute()
        return
    nearest = min(open_rows, key=lambda row: row.due_at)
    TicketDeadline.insert(ticket=ticket, due_at=nearest.due_at, metric=nearest.metric).on_conflict(
        conflict_target=[TicketDeadline.ticket],
        update={TicketDeadline.due_at: nearest.due_at, TicketDeadline.metric: nearest.metric},
    ).execute()


# The calendar of an arrival measured against an appointment window: the window is a
# moment agreed with the customer, not an amount of working time.
WINDOW_CALENDAR = ALWAYS_OPEN


def appointment_window_end(registry: Registry, ticket: Ticket) -> dt.datetime | None:
    """The end of the ticket's appointment window (aware UTC) when its service measures
    arrival against the window (``ServiceType.arrival_within_appointment``), else None."""
    service = registry.service(ticket.plugin, ticket.service)
    if service is None or not service.arrival_within_appointment:
        return None
    # Imported here: the appointments module writes through this engine.
    from server.dispatch.appointments import Appointment

    window = Appointment.select(Appointment.ends_at).where(Appointment.ticket == ticket.id).first()
    return _aware(window.ends_at) if window is not None else None


def _clock_inputs(
    registry: Registry,
    ticket: Ticket,
    target: MetricTarget,
    periods: list[TicketStatusPeriod],
    window_end: dt.datetime | None = None,
) -> dict[str, Any]:
    """What one metric's clock is computed from; ``window_end`` (arrival only) replaces
    the policy's calendar and pauses: the deadline is the window's end, exactly."""
    pause_statuses = set(target.pause_statuses)
    if target.metric == "resolution":
        pause_statuses.update(RESOLUTION_RESTS)
    windowed = target.metric == "arrival" and window_end is not None
    calendar = registry.calendars[WINDOW_CALENDAR if windowed else target.calendar]
    start = _aware(ticket.reported_at)
    if target.starts_at:
        # A milestone start: None (not started yet) until the attribute is set.
        start = milestone_at(ticket, target.starts_at, calendar)
    stopped_at = _stopped_at(ticket, target.metric, target, calendar)
    return {
        "calendar": calendar,
        "start": start,
        "pauses": [] if windowed else _pauses(periods, pause_statuses),
        "stopped_at": stopped_at,
        "cancelled_at": (
            _cancelled_at(ticket, target.metric, periods, bool(target.stops_at))
            if stopped_at is None
            else None
        ),
    }


def _window_seconds(ticket: Ticket, window_end: dt.datetime) -> float:
    """The arrival target when measured against a window: from the call to its end."""
    return max(0.0, (window_end - _aware(ticket.reported_at)).total_seconds())


def policy_target(registry: Registry, row: TicketSla) -> MetricTarget | None:
    policy = registry.policies.get(row.policy)
    return next((t for t in policy.targets if t.metric == row.metric), None) if policy else None


def step_due(
    registry: Registry,
    ticket: Ticket,
    row: TicketSla,
    percent: int,
    now: dt.datetime,
    periods: list[TicketStatusPeriod] | None = None,
) -> dt.datetime:
    """When ``percent`` of the row's target is used up, pauses counted (aware UTC)."""
    target = policy_target(registry, row)
    window_end = appointment_window_end(registry, ticket) if row.metric == "arrival" else None
    inputs = _clock_inputs(registry, ticket, target, periods or _periods(ticket), window_end)
    end = inputs["stopped_at"] or inputs["cancelled_at"] or _aware(now)
    pauses = clip_pauses(inputs["pauses"], end)
    start = inputs["start"] or end
    moment, _paused = deadline(
        inputs["calendar"], start, row.target_seconds * percent / 100, pauses, end
    )
    return moment


def ticket_periods(ticket: Ticket) -> list[TicketStatusPeriod]:
    """The ticket's status periods, oldest first (the pause segments' source)."""
    return _periods(ticket)


def _fill(
    row: TicketSla,
    registry: Registry,
    ticket: Ticket,
    target: MetricTarget,
    target_seconds: float,
    periods: list[TicketStatusPeriod],
    now: dt.datetime,
    window_end: dt.datetime | None = None,
) -> None:
    escalated = row.escalated_percent or 0
    inputs = _clock_inputs(registry, ticket, target, periods, window_end)
    if inputs["start"] is None:
        cancelled = inputs["cancelled_at"]
        clock = not_started(inputs["calendar"], target_seconds, cancelled or now, bool(cancelled))
    else:
        clock = measure(
            target_seconds=target_seconds,
            now=now,
            escalation_percents=[s.percent for s in target.escalation if s.percent > escalated],
            **inputs,
        )
    windowed = target.metric == "arrival" and window_end is not None
    row.calendar = WINDOW_CALENDAR if windowed else target.calendar
    row.target_seconds = target_seconds
    row.due_at = _naive(clock.due)
    row.paused_seconds = clock.paused_seconds
    row.elapsed_seconds = clock.elapsed_seconds
    row.state = clock.state
    row.stopped_at = _naive(inputs["stopped_at"] if inputs["start"] is not None else None)
    row.next_escalation_at = _naive(clock.next_escalation_at)
    row.updated_at = _naive(now)


METRIC_ORDER = {"first_response": 0, "arrival": 1, "resolution": 2}


def clocks_by_ticket(ticket_ids: list[int]) -> dict[int, list[TicketSla]]:
    """The clocks of a page of tickets in one query, by ticket, in metric order."""
    grouped: dict[int, list[TicketSla]] = {}
    if not ticket_ids:
        return grouped
    for row in TicketSla.select().where(TicketSla.ticket.in_(ticket_ids)):
        grouped.setdefault(row.ticket_id, []).append(row)
    for rows in grouped.values():
        rows.sort(key=lambda row: METRIC_ORDER.get(row.metric, 9))
    return grouped
