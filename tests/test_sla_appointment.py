"""The arrival SLA measured against the appointment window (ServiceType flag)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.dispatch.appointments import set_appointment
from server.dispatch.readiness import confirm_readiness
from server.models import Customer, Ticket, TicketEvent
from server.sla import clock
from server.sla.models import TicketSla
from server.sla.sweep import sweep
from server.tickets import NewTicket, assign_ticket, create_ticket, transition_ticket
from tests.conftest import ensure_user
from tests.test_sla_engine import PLAIN

T0 = dt.datetime(2026, 11, 2, 9, 0)  # naive UTC
HOUR = dt.timedelta(hours=1)
REPORTED = T0 - 10 * dt.timedelta(minutes=1)


@pytest.fixture
def app(make_app):
    return make_app(sla=PLAIN)  # arrival: 4 h for normal priority, 24×7


@pytest.fixture
def registry(app):
    return app.extensions["aftersales"].registry


@pytest.fixture
def staff(app):
    return {
        "dispatcher": ensure_user(app, "dispatcher", "dispatcher"),
        "tech": ensure_user(app, "tech", "technician"),
    }


def _ticket(app, registry, staff, service):
    with app.app_context():
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", service),
            customer=Customer.create(name="客户"),
            title="t",
            attributes={"serial": "AB1234"} if service == "repair" else {},
            reported_at=REPORTED,
        )
        return create_ticket(registry, new, staff["dispatcher"], 2026, now=T0)


@pytest.fixture
def install(app, registry, staff):
    """An installation (arrival measured against the window), entered at T0."""
    return _ticket(app, registry, staff, "install")


def _window(app, registry, ticket, start, end, actor, reason="", now=T0):
    with app.app_context():
        fresh = Ticket.get_by_id(ticket.id)
        set_appointment(registry, fresh, start, end, actor, reason, now=now)


def _arrival(app, ticket) -> TicketSla:
    with app.app_context():
        return TicketSla.get((TicketSla.ticket == ticket.id) & (TicketSla.metric == "arrival"))


def _arrive(app, registry, ticket, staff, at):
    with app.app_context():
        current = Ticket.get_by_id(ticket.id)
        confirm_readiness(current, staff["dispatcher"], now=T0)
        current = assign_ticket(
            registry, current, current.version, staff["tech"], "", staff["dispatcher"], now=T0
        )
        transition_ticket(registry, current, current.version, "on_site", staff["tech"], now=at)


def test_without_a_window_the_policy_target_applies(app, install):
    assert _arrival(app, install).due_at == REPORTED + 4 * HOUR


def test_the_arrival_is_due_at_the_end_of_the_window(app, registry, install, staff):
    start = T0 + 24 * HOUR
    _window(app, registry, install, start, start + 2 * HOUR, staff["dispatcher"])
    row = _arrival(app, install)
    assert row.due_at == start + 2 * HOUR
    assert row.state == clock.RUNNING
    assert row.calendar == "24x7"


def test_a_reschedule_moves_the_arrival_deadline(app, registry, install, staff):
    first = T0 + 24 * HOUR
    _window(app, registry, install, first, first + 2 * HOUR, staff["dispatcher"])
    later = T0 + 72 * HOUR
    _window(app, registry, install, later, later + HOUR, staff["dispatcher"], "客户改期")
    assert _arrival(app, install).due_at == later + HOUR


def test_arriving_before_the_window_starts_is_met(app, registry, install, staff):
    start = T0 + 24 * HOUR
    _window(app, registry, install, start, start + 2 * HOUR, staff["dispatcher"])
    _arrive(app, registry, install, staff, T0 + 20 * HOUR)
    assert _arrival(app, install).state == clock.MET


def test_arriving_after_the_window_is_a_breach(app, registry, install, staff):
    start = T0 + 24 * HOUR
    _window(app, registry, install, start, start + 2 * HOUR, staff["dispatcher"])
    _arrive(app, registry, install, staff, start + 3 * HOUR)
    row = _arrival(app, install)
    assert row.state == clock.BREACHED and row.due_at == start + 2 * HOUR


def test_nobody_by_the_end_of_the_window_is_noted_as_a_breach(app, registry, install, staff):
    start = T0 + 24 * HOUR
    _window(app, registry, install, start, start + 2 * HOUR, staff["dispatcher"])

    def arrival_breaches():
        events = TicketEvent.select().where(TicketEvent.kind == "sla_breached")
        return [e for e in events if e.data["metric"] == "arrival"]

    with app.app_context():
        sweep(registry, start + HOUR)  # within the window: nothing to note
        assert arrival_breaches() == []
        sweep(registry, start + 2 * HOUR + dt.timedelta(minutes=1))
        [breach] = arrival_breaches()
    assert breach.data["due"] == (start + 2 * HOUR).isoformat()
    assert _arrival(app, install).state == clock.BREACHED


def test_a_service_without_the_flag_keeps_the_policy_target(app, registry, staff):
    repair = _ticket(app, registry, staff, "repair")
    start = T0 + 24 * HOUR
    _window(app, registry, repair, start, start + 2 * HOUR, staff["dispatcher"])
    assert _arrival(app, repair).due_at == REPORTED + 4 * HOUR
