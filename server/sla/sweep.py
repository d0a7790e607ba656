"""The SLA sweep: bring due clocks up to date, note breaches, fire escalation steps.

Run by ``aftersales sla sweep`` and by the periodic job. Each step fires exactly once,
even when sweeps overlap: a step is claimed with a conditional UPDATE (``escalated_percent
< step``) and only the sweep whose UPDATE changed the row writes the event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import peewee

from server.catalog import Registry
from server.db import write_transaction
from server.dispatch.appointments import flag_missed_appointments
from server.i18n import gettext
from server.messages import text
from server.models import Customer, Ticket, TicketEvent, User, utcnow
from server.notifications import escalation_recipients, notify
from server.plugin_api import EscalationStep, Label
from server.sla.clock import BREACHED, OPEN_STATES
from server.sla.engine import policy_target, refresh_ticket_sla, step_due, ticket_periods
from server.sla.models import TicketSla, TicketStatusPeriod
from server.webhooks import outbox as webhooks


@dataclass(frozen=True)
class Escalation:
    """A step that fired: who is to be told about which ticket's metric."""

    ticket_id: int
    number: str
    metric: str
    percent: int
    notify: str


@dataclass
class SweepResult:
    tickets: int = 0
    breaches: int = 0
    escalations: list[Escalation] = field(default_factory=list)
    missed_appointments: int = 0


def tickets_to_sweep(now: dt.datetime) -> list[int]:
    """Tickets with a clock whose deadline or next step has come, or an unnoted breach."""
    due = (
        (TicketSla.state.in_(OPEN_STATES) & (TicketSla.due_at <= now))
        | (TicketSla.next_escalation_at <= now)
        | ((TicketSla.state == BREACHED) & (TicketSla.breach_noted == False))  # noqa: E712
    )
    query = TicketSla.select(TicketSla.ticket).where(due).distinct()
    return sorted(row.ticket_id for row in query)


def sweep(
    registry: Registry, now: dt.datetime | None = None, ticket_ids: Iterable[int] | None = None
) -> SweepResult:
    """Sweep every ticket that needs it (or ``ticket_ids``), each in its own transaction."""
    moment = now or utcnow()
    result = SweepResult()
    recipients: dict[str, list[User]] = {}  # supervisors and admins, looked up once
    for ticket_id in tickets_to_sweep(moment) if ticket_ids is None else ticket_ids:
        breaches, escalations = sweep_ticket(registry, ticket_id, moment, recipients)
        result.tickets += 1
        result.breaches += breaches
        result.escalations.extend(escalations)
    # Appointment windows that ended unmet are flagged in the same periodic round.
    result.missed_appointments = flag_missed_appointments(moment)
    return result


def sweep_ticket(
    registry: Registry,
    ticket_id: int,
    now: dt.datetime,
    recipients: dict[str, list[User]] | None = None,
) -> tuple[int, list[Escalation]]:
    """Note the ticket's breaches and fire its due steps; ``recipients`` caches the
    people each role-addressed step tells, across the tickets of one sweep."""
    recipients = {} if recipients is None else recipients
    breaches = 0
    fired: list[Escalation] = []
    events: list[dict[str, object]] = []  # written together, in order, at the end
    with write_transaction():
        ticket = _ticket_with_customer_and_assignee(ticket_id)
        if ticket is None:
            return 0, []
        periods = ticket_periods(ticket)
        rows = refresh_ticket_sla(registry, ticket, now, periods)
        for row in rows:
            if row.state == BREACHED and _claim_breach(row):
                events.append(
                    _event(
                        ticket, now, "sla_breached", metric=row.metric, due=row.due_at.isoformat()
                    )
                )
                breaches += 1
            steps = _due_steps(registry, ticket, row, now, periods)
            for step in steps:
                if _claim_step(row, step.percent):
                    events.append(
                        _event(
                            ticket,
                            now,
                            "sla_escalation",
                            metric=row.metric,
                            percent=step.percent,
                            notify=step.notify,
                        )
                    )
                    _tell(ticket, row, step, now, recipients)
                    webhooks.sla_step_fired(ticket, row, step, now)
                    fired.append(
                        Escalation(ticket.id, ticket.number, row.metric, step.percent, step.notify)
                    )
            if steps:
                _schedule_next_step(registry, ticket, row, steps[-1].percent, now, periods)
        if events:
            TicketEvent.insert_many(events).execute()
    return breaches, fired


def _ticket_with_customer_and_assignee(ticket_id: int) -> Ticket | None:
    """The ticket with its customer (the SLA rules read it) and assignee (escalations
    tell them) in one query rather than three."""
    return (
        Ticket.select(Ticket, Customer, User)
        .join(Customer)
        .switch(Ticket)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(Ticket.assignee == User.id))
        .where(Ticket.id == ticket_id)
        .first()
    )


def _due_steps(
    registry: Registry,
    ticket: Ticket,
    row: TicketSla,
    now: dt.datetime,
    periods: list[TicketStatusPeriod],
) -> list[EscalationStep]:
    """The ladder's unfired steps whose moment has come (none once the metric stopped)."""
    if row.next_escalation_at is None or row.next_escalation_at > now:
        return []
    target = policy_target(registry, row)
    if target is None:
        return []
    aware_now = now.replace(tzinfo=dt.UTC)
    due = []
    for step in target.escalation:
        if step.percent <= row.escalated_percent:
            continue
        if step_due(registry, ticket, row, step.percent, now, periods) > aware_now:
            break  # steps rise in percent: the later ones are later still
        due.append(step)
    return due


def _schedule_next_step(
    registry: Registry,
    ticket: Ticket,
    row: TicketSla,
    fired_percent: int,
    now: dt.datetime,
    periods: list[TicketStatusPeriod],
) -> None:
    """Point the row at the step after ``fired_percent`` (or at none)."""
    target = policy_target(registry, row)
    following = [s for s in target.escalation if s.percent > fired_percent] if target else []
    moment = None
    if following:
        due = step_due(registry, ticket, row, following[0].percent, now, periods)
        moment = due.astimezone(dt.UTC).replace(tzinfo=None)
    TicketSla.update(next_escalation_at=moment).where(TicketSla.id == row.id).execute()


def _claim_breach(row: TicketSla) -> bool:
    claimed = (
        TicketSla.update(breach_noted=True)
        .where((TicketSla.id == row.id) & (TicketSla.breach_noted == False))  # noqa: E712
        .execute()
    )
    return claimed == 1


# The metrics as a notification names them (in the recipient's language).
METRIC_NAMES = {
    "first_response": Label("首次响应", "first response"),
    "arrival": Label("到场", "arrival"),
    "resolution": Label("解决", "resolution"),
}


def _claim_step(row: TicketSla, percent: int) -> bool:
    claimed = (
        TicketSla.update(escalated_percent=percent)
        .where((TicketSla.id == row.id) & (TicketSla.escalated_percent < percent))
        .execute()
    )
    return claimed == 1


def _tell(
    ticket: Ticket,
    row: TicketSla,
    step: EscalationStep,
    now: dt.datetime,
    recipients: dict[str, list[User]],
) -> None:
    """The in-app notification and the mail of a step, written with its event."""
    due = row.due_at.strftime("%Y-%m-%d %H:%M UTC")
    name = METRIC_NAMES.get(row.metric) or Label(row.metric, row.metric.replace("_", " "))

    def subject() -> str:
        return gettext(
            "[%(number)s] %(metric)s: %(percent)s%% of the SLA target used",
            number=ticket.number,
            metric=text(name),
            percent=step.percent,
        )

    def body() -> str:
        return gettext(
            "%(number)s “%(title)s” has used %(percent)s%% of its %(metric)s target "
            "(policy %(policy)s, due %(due)s).",
            number=ticket.number,
            title=ticket.title,
            percent=step.percent,
            metric=text(name),
            policy=row.policy,
            due=due,
        )

    if step.notify == "assignee":
        users = escalation_recipients(ticket, step.notify)
    else:
        if step.notify not in recipients:
            recipients[step.notify] = escalation_recipients(ticket, step.notify)
        users = recipients[step.notify]
    notify(users, ticket, subject, body, now)


def _event(ticket: Ticket, now: dt.datetime, kind: str, **data: object) -> dict[str, object]:
    """A timeline row by the system (no actor), for ``TicketEvent.insert_many``."""
    return {"ticket": ticket.id, "actor": None, "at": now, "kind": kind, "data": data}
