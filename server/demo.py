"""Demo data: staff accounts and realistic tickets for every enabled plugin."""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import peewee
from flask import Flask

from server.db import write_transaction
from server.dispatch.appointments import (
    AppointmentError,
    flag_missed_appointments,
    set_appointment,
)
from server.dispatch.models import Outlet
from server.dispatch.outlets import save_outlet, save_technician
from server.dispatch.readiness import confirm_readiness, readiness_required
from server.followup.record import CallbackAnswer, record_callback, survey_for
from server.followup.schedule import pending_callback
from server.models import Asset, Customer, Ticket, TicketEvent, User
from server.plugin_api import DemoTicket
from server.plugins import call_on
from server.tickets import (
    NewTicket,
    TransitionRefused,
    add_comment,
    assign_ticket,
    create_ticket,
    transition_ticket,
)
from server.timeutil import local_to_utc, to_local

DEMO_STAFF = (
    ("admin", "Admin 管理员", "admin"),
    ("supervisor", "Supervisor 主管", "supervisor"),
    ("dispatcher", "Dispatcher 调度", "dispatcher"),
    ("tech1", "Technician 王师傅", "technician"),
    ("tech2", "Technician 李师傅", "technician"),
)
# Where a demo ticket ends up, as the path of statuses it is moved through.
STORIES = (
    (),
    ("assigned",),
    ("assigned", "in_progress"),
    ("assigned", "in_progress", "on_site"),
    ("assigned", "in_progress", "waiting_parts"),
    ("assigned", "in_progress", "on_site", "resolved"),
    ("assigned", "in_progress", "on_site", "resolved", "closed"),
    ("in_progress", "resolved", "closed"),
)


def _password_file(app: Flask) -> Path:
    return Path(app.instance_path) / "demo-login.txt"


def demo_password(app: Flask) -> str:
    """The demo staff's shared password, generated once into instance/ (mode 0600)."""
    path = _password_file(app)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(9))
    return path.read_text().strip()


def demo_logins(app: Flask) -> list[tuple[str, str, str]]:
    password = demo_password(app)
    return [(username, password, role) for username, _name, role in DEMO_STAFF]


def ensure_demo_staff(app: Flask) -> dict[str, User]:
    from server.users import create_user

    password = demo_password(app)
    staff = {}
    for username, display_name, role in DEMO_STAFF:
        user = User.get_or_none(User.username == username)
        staff[username] = user or create_user(username, password, role, display_name)
    return staff


DEMO_OUTLETS = (
    ("上海浦东服务网点", "own", "上海浦东", "A", "tech1", ("浦东", "闵行")),
    ("北京海淀合作维修站", "contracted", "北京海淀", "B", "tech2", ("海淀", "朝阳")),
)


def _ensure_demo_outlets(registry: Any, staff: dict[str, User]) -> None:
    """Two outlets, each with a demo technician able to do every industry's work."""
    skills = [f"{slug}:*" for slug in registry.industries]
    for name, kind, region, grade, username, regions in DEMO_OUTLETS:
        outlet = Outlet.get_or_none(Outlet.name == name) or save_outlet(
            None, {"name": name, "kind": kind, "region": region, "grade": grade}
        )
        save_technician(staff[username], outlet, skills, regions)


def create_demo_data(
    app: Flask, per_plugin: int, seed: int, progress: Callable[[int], None] = lambda _n: None
) -> int:
    """Create ``per_plugin`` tickets for each industry unless demo tickets exist already."""
    state = app.extensions["aftersales"]
    registry = state.registry
    staff = ensure_demo_staff(app)
    if Ticket.select().exists():
        return 0
    _ensure_demo_outlets(registry, staff)
    rng = random.Random(seed)
    created = 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for industry, plugin_name in registry.plugin_of_industry.items():
        settings = state.config.plugin_table(plugin_name)
        templates = [
            t
            for r in call_on(state.pm, plugin_name, "demo_tickets", settings=settings)
            for t in r or []
        ]
        templates = [t for t in templates if registry.service(industry, t.service)]
        if not templates:
            progress(per_plugin)
            continue
        for index in range(per_plugin):
            template = templates[index % len(templates)]
            reported = now - dt.timedelta(minutes=rng.randint(60, 60 * 24 * 30))
            ticket = _create_one(registry, industry, template, staff["dispatcher"], reported, rng)
            _play_story(registry, ticket, rng.choice(STORIES), staff, rng, now)
            created += 1
            progress(1)
    _book_appointments(registry, staff["dispatcher"], now)
    return created


# Services whose work happens at the customer's: their open tickets get windows.
FIELD_CATEGORIES = ("field_service", "visit", "maintenance")
# (days from today, local start hour) per open field ticket, in turn. Every open field
# ticket gets one, so the calendar has enough to show whichever stories the tickets got.
APPOINTMENT_SLOTS = ((0, 9), (0, 14), (1, 10), (0, 16), (2, 13), (1, 15), (3, 9))
RESCHEDULE_REASON = "客户临时有事，改约到明天下午"


def _book_appointments(registry: Any, actor: User, now: dt.datetime) -> None:
    """Windows for most open field tickets not yet visited: some today, some in the
    coming days, one rescheduled with its reason, and some that passed unmet."""
    open_statuses = ("new", "assigned", "in_progress", "waiting_parts")
    tickets = [
        ticket
        for ticket in Ticket.select()
        .where(Ticket.status.in_(open_statuses) & Ticket.arrived_at.is_null())
        .order_by(Ticket.id)
        if (service := registry.service(ticket.plugin, ticket.service)) is not None
        and service.category in FIELD_CATEGORIES
    ]
    today = to_local(now).date()
    rescheduled = False
    for index, ticket in enumerate(tickets):
        try:
            rescheduled = _book_one(registry, ticket, actor, index, today, now, rescheduled)
        except AppointmentError:
            continue  # a demo ticket that takes no window (e.g. its slot makes no sense)
    flag_missed_appointments(now)


def _book_one(
    registry: Any,
    ticket: Ticket,
    actor: User,
    index: int,
    today: dt.date,
    now: dt.datetime,
    rescheduled: bool,
) -> bool:
    """Book the ``index``-th open field ticket; returns whether a reschedule was shown."""
    last = _last_event_at(ticket)
    if index % 7 == 3 and _book_missed(registry, ticket, actor, last, now):
        return rescheduled
    slot = APPOINTMENT_SLOTS[index % len(APPOINTMENT_SLOTS)]
    start, end = _local_window(today + dt.timedelta(days=slot[0]), slot[1], now)
    if not rescheduled and last + dt.timedelta(minutes=5) < now:
        set_appointment(registry, ticket, start, end, actor, now=last + dt.timedelta(minutes=5))
        start, end = _local_window(today + dt.timedelta(days=1), 14, now)
        set_appointment(registry, ticket, start, end, actor, RESCHEDULE_REASON, now=now)
        return True
    set_appointment(registry, ticket, start, end, actor, now=now)
    return rescheduled


def _local_window(day: dt.date, hour: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Two hours from ``hour`` local time on ``day`` (naive UTC); a slot already over
    today becomes one running now, so every window set at ``now`` still lies ahead."""
    start = local_to_utc(dt.datetime.combine(day, dt.time(hour)))
    if start + dt.timedelta(hours=2) <= now:
        start = now.replace(minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(hours=2)


def _last_event_at(ticket: Ticket) -> dt.datetime:
    latest = TicketEvent.select(peewee.fn.MAX(TicketEvent.at)).where(TicketEvent.ticket == ticket)
    return latest.scalar() or ticket.created_at


def _book_missed(
    registry: Any, ticket: Ticket, actor: User, last: dt.datetime, now: dt.datetime
) -> bool:
    """A window agreed after the ticket's last event that ended (within the last day or
    so, where the sweep looks for missed windows) before ``now``."""
    agreed = last + dt.timedelta(minutes=5)
    earliest = max(agreed + dt.timedelta(hours=1), now - dt.timedelta(hours=26))
    start = earliest.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    end = start + dt.timedelta(hours=2)
    if end >= now:
        return False
    set_appointment(registry, ticket, start, end, actor, now=agreed)
    return True


def _customer_for(template: DemoTicket) -> Customer:
    spec = template.customer
    customer = Customer.get_or_none((Customer.name == spec.name) & (Customer.phone == spec.phone))
    if customer is None:
        customer = Customer.create(
            name=spec.name,
            phone=spec.phone,
            address=spec.address,
            region=spec.region,
            kind=spec.kind,
            tier=spec.tier,
            attributes=dict(spec.attributes),
        )
    return customer


def _asset_for(
    registry: Any, industry: str, customer: Customer, template: DemoTicket
) -> Asset | None:
    """The demo ticket's asset (made once). Its kind's fields the plugin left out are
    taken from the ticket's values of the same name (an appliance's brand, model …)."""
    spec = template.asset
    if spec is None:
        return None
    kind = registry.asset_kinds.get((industry, spec.kind))
    from_ticket = {
        field.name: template.attributes[field.name]
        for field in (kind.fields if kind is not None else ())
        if template.attributes.get(field.name) not in (None, "")
    }
    asset = Asset.get_or_none(
        (Asset.customer == customer)
        & (Asset.plugin == industry)
        & (Asset.identifier == spec.identifier)
    )
    return asset or Asset.create(
        customer=customer,
        plugin=industry,
        kind=spec.kind,
        identifier=spec.identifier,
        coverage_start=spec.coverage_start,
        coverage_end=spec.coverage_end,
        attributes={**from_ticket, **spec.attributes},
    )


def _create_one(
    registry: Any,
    industry: str,
    template: DemoTicket,
    actor: User,
    reported: dt.datetime,
    rng: random.Random,
) -> Ticket:
    """The ticket as entered a few minutes after the customer called."""
    with write_transaction():
        customer = _customer_for(template)
        asset = _asset_for(registry, industry, customer, template)
    new = NewTicket(
        industry=industry,
        service=registry.service(industry, template.service),
        customer=customer,
        asset=asset,
        title=template.title,
        description=template.description,
        priority=template.priority,
        channel=template.channel,
        reported_at=reported,
        attributes=dict(template.attributes),
    )
    entered = reported + dt.timedelta(minutes=rng.randint(2, 20))
    return create_ticket(registry, new, actor, entered.year, now=entered)


def _play_story(
    registry: Any,
    ticket: Ticket,
    story: tuple[str, ...],
    staff: dict[str, User],
    rng: random.Random,
    now: dt.datetime,
) -> None:
    """Move the ticket through ``story``, each step some minutes to hours after the last."""
    technician = staff[rng.choice(["tech1", "tech2"])]
    at = ticket.created_at
    for status in story:
        at = min(at + dt.timedelta(minutes=rng.randint(10, 240)), now)
        try:
            if ticket.assignee_id is None and readiness_required(registry, ticket):
                confirm_readiness(ticket, staff["dispatcher"], "客户电话确认现场已具备条件", now=at)
            if status == "assigned" or ticket.assignee_id is None:
                ticket = assign_ticket(
                    registry, ticket, ticket.version, technician, "", staff["dispatcher"], now=at
                )
            if status == "closed" and pending_callback(ticket) is not None:
                # closing waits for the customer's word: the desk calls them back
                ticket = _call_back(registry, ticket, staff["dispatcher"], rng, at)
                if ticket.status != "closed":
                    return
            elif status != "assigned":
                ticket = transition_ticket(
                    registry, ticket, ticket.version, status, technician, now=at
                )
        except TransitionRefused:
            return  # a plugin's rule stopped the story here; keep the ticket where it is
    if story:
        add_comment(registry, ticket, "已与客户电话联系，告知处理进度。", technician, now=at)
    if story and story[-1] == "resolved" and rng.random() < 0.4:
        _missed_call(registry, ticket, staff["dispatcher"], min(at + dt.timedelta(hours=3), now))


def _call_back(
    registry: Any, ticket: Ticket, agent: User, rng: random.Random, at: dt.datetime
) -> Ticket:
    """Record the ticket's callback: mostly satisfied (closing it), sometimes not."""
    callback = pending_callback(ticket)
    assert callback is not None
    satisfied = rng.random() < 0.8
    questions = survey_for(registry, ticket)
    answers: dict[str, Any] = {}
    for question in questions:
        if question.kind == "yes_no":
            answers[question.code] = rng.random() < (0.9 if satisfied else 0.4)
        else:
            answers[question.code] = rng.randint(4, 5) if satisfied else rng.randint(1, 3)
    outcome = None if satisfied else rng.choice((None, "first_repair_failed", "attitude_complaint"))
    answer = CallbackAnswer(
        reached=True,
        satisfaction=rng.randint(4, 5) if satisfied else rng.randint(1, 3),
        answers=answers,
        comment="" if satisfied else "客户反映问题仍未解决。",
        outcome=outcome,
    )
    record_callback(registry, callback, ticket.version, answer, agent, now=at)
    return Ticket.get_by_id(ticket.id)


def _missed_call(registry: Any, ticket: Ticket, agent: User, at: dt.datetime) -> None:
    """One attempt that did not reach the customer (the queue shows the retry)."""
    callback = pending_callback(ticket)
    if callback is None or at < ticket.updated_at:
        return
    record_callback(registry, callback, ticket.version, CallbackAnswer(reached=False), agent, at)
