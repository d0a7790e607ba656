"""Automatic assignment: choose a technician by the ticket's rule, or say why nobody fits.

A rule that finds nobody never drops the ticket: it stays unassigned, and the reason is
written on its timeline (``dispatch_failed``) for the dispatcher who picks it up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee

from server import workflow
from server.catalog import Registry
from server.db import write_transaction
from server.dispatch.models import Outlet, Technician, TechnicianRegion, TechnicianSkill
from server.dispatch.readiness import missing_readiness
from server.dispatch.rules import DispatchRule, DispatchSettings
from server.i18n import _l, gettext, ngettext
from server.messages import text
from server.models import BaseModel, Ticket, TicketEvent, User, utcnow
from server.tickets import StaleTicket, assign_ticket

STRATEGY_NAMES = {
    "manual": _l("manual"),
    "round_robin": _l("round-robin"),
    "least_load": _l("least open load"),
    "skill_region": _l("skill + region"),
}


class DispatchCursor(BaseModel):
    """Whose turn it was last in a round-robin group (an outlet, or a region's outlets)."""

    key = peewee.CharField(max_length=200, primary_key=True)
    last_user_id = peewee.IntegerField()

    class Meta:
        table_name = "dispatch_cursor"


@dataclass(frozen=True)
class Pick:
    """The chosen technician (None when nobody fits) and the reason, for the timeline."""

    technician: User | None
    reason: str
    outlet: str = ""


@dataclass(frozen=True)
class DispatchOutcome:
    ticket: Ticket
    assigned: bool
    reason: str


def skill_keys(plugin: str, service: str) -> list[str]:
    """The skills that qualify a technician for a service: the service's, or the plugin's."""
    return [f"{plugin}:{service}", f"{plugin}:*"]


def open_loads(user_ids: list[int]) -> dict[int, int]:
    """How many open tickets each of ``user_ids`` holds (missing = none)."""
    if not user_ids:
        return {}
    rows = (
        Ticket.select(Ticket.assignee, peewee.fn.COUNT(Ticket.id))
        .where(Ticket.assignee.in_(user_ids) & Ticket.status.in_(sorted(workflow.OPEN_STATUSES)))
        .group_by(Ticket.assignee)
        .tuples()
    )
    return dict(rows)


def _technicians() -> peewee.ModelSelect:
    """Active technicians of active outlets, with their outlet's name."""
    return (
        User.select(User.id, Outlet.name.alias("outlet_name"))
        .join(Technician, on=(Technician.user == User.id))
        .join(Outlet, on=(Technician.outlet == Outlet.id))
        .where(User.active & (User.role == "technician") & Outlet.active)
    )


def _with_skill(query: peewee.ModelSelect, ticket: Ticket) -> peewee.ModelSelect:
    skilled = TechnicianSkill.select(TechnicianSkill.user).where(
        TechnicianSkill.skill.in_(skill_keys(ticket.plugin, ticket.service))
    )
    return query.where(User.id.in_(skilled))


def _serving(query: peewee.ModelSelect, region: str) -> peewee.ModelSelect:
    serving = TechnicianRegion.select(TechnicianRegion.user).where(
        TechnicianRegion.region == region
    )
    return query.where(User.id.in_(serving))


def choose_technician(rule: DispatchRule, ticket: Ticket) -> Pick:
    """Apply ``rule`` to ``ticket``; read-only except for the round-robin turn."""
    name = str(STRATEGY_NAMES[rule.strategy])
    if rule.strategy == "manual":
        return Pick(None, gettext("the rule for this service is manual: a dispatcher assigns it"))
    region = (ticket.customer.region or "").strip()
    query = _technicians()
    where: list[str] = []
    group_key = ""
    if rule.outlet:
        if not Outlet.select().where(Outlet.name == rule.outlet).exists():
            return Pick(
                None,
                gettext(
                    "%(rule)s: outlet '%(outlet)s' named by the rule does not exist",
                    rule=name,
                    outlet=rule.outlet,
                ),
            )
        query = query.where(Outlet.name == rule.outlet)
        where.append(gettext("in outlet %(outlet)s", outlet=rule.outlet))
        group_key = f"outlet:{rule.outlet}"
    elif rule.strategy == "round_robin":
        if not region:
            return Pick(
                None,
                gettext("%(rule)s: the customer has no region to choose an outlet by", rule=name),
            )
        query = query.where(Outlet.region == region)
        where.append(gettext("in the outlets of region %(region)s", region=region))
        group_key = f"region:{region}"
    if rule.needs_skill:
        query = _with_skill(query, ticket)
        where.append(gettext("with skill %(skill)s", skill=f"{ticket.plugin}:{ticket.service}"))
    if rule.strategy == "skill_region":
        if not region:
            return Pick(None, gettext("%(rule)s: the customer has no region to match", rule=name))
        query = _serving(query, region)
        where.append(gettext("serving region %(region)s", region=region))
    candidates = {row.id: row.outlet_name for row in query.objects()}
    if not candidates:
        if where:
            return Pick(
                None,
                gettext(
                    "%(rule)s: no active technician %(scope)s", rule=name, scope=" ".join(where)
                ),
            )
        return Pick(None, gettext("%(rule)s: no active technician at all", rule=name))
    if rule.strategy == "round_robin":
        chosen = _next_in_turn(group_key, sorted(candidates))
        reason = f"{name} {' '.join(where)}".strip()
    else:
        loads = open_loads(list(candidates))
        chosen = min(candidates, key=lambda user_id: (loads.get(user_id, 0), user_id))
        count = loads.get(chosen, 0)
        reason = ngettext(
            "%(rule)s: %(num)d open ticket before this one",
            "%(rule)s: %(num)d open tickets before this one",
            count,
            rule=" ".join([name, *where]),
        )
    return Pick(User.get_by_id(chosen), reason, candidates[chosen])


def _next_in_turn(key: str, user_ids: list[int]) -> int:
    """The first id after the last one chosen for ``key`` (wrapping), and remember it."""
    cursor = DispatchCursor.get_or_none(DispatchCursor.key == key)
    last = cursor.last_user_id if cursor else 0
    chosen = next((user_id for user_id in user_ids if user_id > last), user_ids[0])
    DispatchCursor.insert(key=key, last_user_id=chosen).on_conflict(
        conflict_target=[DispatchCursor.key], update={DispatchCursor.last_user_id: chosen}
    ).execute()
    return chosen


def auto_assign(
    registry: Registry,
    settings: DispatchSettings,
    ticket: Ticket,
    expected_version: int,
    actor: User,
    now: dt.datetime | None = None,
) -> DispatchOutcome:
    """Assign ``ticket`` by its rule; when nobody fits, leave it and say why on its timeline.

    Raises ``StaleTicket`` when the ticket changed since ``expected_version`` was read
    (another dispatcher got there first).
    """
    now = now or utcnow()
    rule = settings.rule_for(ticket.plugin, ticket.service)
    with write_transaction():
        fresh = Ticket.get_by_id(ticket.id)
        if fresh.version != expected_version:
            raise StaleTicket(fresh)
        if fresh.assignee_id is not None:
            return DispatchOutcome(
                fresh, False, gettext("already assigned to %(who)s", who=fresh.assignee)
            )
        if fresh.status not in workflow.OPEN_STATUSES:
            return DispatchOutcome(fresh, False, gettext("the ticket is no longer open"))
        missing = missing_readiness(registry, fresh)
        if missing is not None:
            pick = Pick(
                None,
                gettext(
                    "the site readiness is not confirmed yet (%(missing)s)", missing=text(missing)
                ),
            )
        else:
            pick = choose_technician(rule, fresh)
        if pick.technician is None:
            TicketEvent.create(
                ticket=fresh,
                actor=actor,
                at=now,
                kind="dispatch_failed",
                data={"rule": rule.strategy, "reason": pick.reason},
            )
            return DispatchOutcome(fresh, False, pick.reason)
        assigned = assign_ticket(
            registry,
            fresh,
            expected_version,
            pick.technician,
            pick.outlet,
            actor,
            now,
            reason=pick.reason,
        )
    return DispatchOutcome(assigned, True, pick.reason)


def dispatch_new_ticket(
    registry: Registry, settings: DispatchSettings, ticket: Ticket, actor: User
) -> DispatchOutcome | None:
    """Run the ticket's rule right after creation when the rule says ``auto``."""
    if not settings.rule_for(ticket.plugin, ticket.service).auto:
        return None
    return auto_assign(registry, settings, ticket, ticket.version, actor)
