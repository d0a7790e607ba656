"""The sweep: breaches noted once, escalation steps fired once, even when sweeps overlap."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from click.testing import CliRunner

from server.db import database
from server.models import Customer, Ticket, TicketEvent
from server.sla.models import TicketSla
from server.sla.sweep import sweep, sweep_ticket, tickets_to_sweep
from server.tickets import NewTicket, assign_ticket, create_ticket, transition_ticket
from tests.conftest import ensure_user

T0 = dt.datetime(2026, 11, 2, 9, 0)
HOUR = dt.timedelta(hours=1)

LADDER = {
    "policies": {
        "plain": {
            "resolution": {
                "minutes": {"normal": 240},
                "pause_statuses": ["waiting_customer"],
                "escalation": [
                    {"percent": 50, "notify": "assignee"},
                    {"percent": 100, "notify": "supervisor"},
                    {"percent": 150, "notify": "admin"},
                ],
            }
        }
    },
    "rules": [{"policy": "plain"}],
}


@pytest.fixture
def app(make_app):
    return make_app(sla=LADDER)


@pytest.fixture
def registry(app):
    return app.extensions["aftersales"].registry


@pytest.fixture
def actor(app):
    return ensure_user(app, "dispatcher", "dispatcher")


@pytest.fixture
def ticket(app, registry, actor):
    """A 4-hour (24×7) resolution target from T0, with steps at 2 h, 4 h and 6 h."""
    with app.app_context():
        customer = Customer.create(name="客户")
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", "consult"),
            customer=customer,
            title="t",
            reported_at=T0,
        )
        return create_ticket(registry, new, actor, 2026, now=T0)


def events(app, ticket, kind):
    with app.app_context():
        return [
            e.data
            for e in TicketEvent.select()
            .where((TicketEvent.ticket == ticket.id) & (TicketEvent.kind == kind))
            .order_by(TicketEvent.id)
        ]


def test_nothing_is_due_before_the_first_step(app, ticket):
    with app.app_context():
        assert tickets_to_sweep(T0 + HOUR) == []


def test_each_step_fires_when_its_moment_comes(app, registry, ticket):
    with app.app_context():
        first = sweep(registry, T0 + 2 * HOUR)
        assert [(e.percent, e.notify) for e in first.escalations] == [(50, "assignee")]
        assert sweep(registry, T0 + 3 * HOUR).escalations == []
        second = sweep(registry, T0 + 6 * HOUR)
    assert [(e.percent, e.notify) for e in second.escalations] == [
        (100, "supervisor"),
        (150, "admin"),
    ]
    assert [e["percent"] for e in events(app, ticket, "sla_escalation")] == [50, 100, 150]


def test_a_breach_is_noted_once(app, registry, ticket):
    with app.app_context():
        assert sweep(registry, T0 + 5 * HOUR).breaches == 1
        assert sweep(registry, T0 + 7 * HOUR).breaches == 0
        row = TicketSla.get(TicketSla.ticket == ticket.id)
        assert (row.state, row.breach_noted) == ("breached", True)
    assert len(events(app, ticket, "sla_breached")) == 1


def test_a_second_sweep_at_the_same_moment_fires_nothing(app, registry, ticket):
    with app.app_context():
        sweep(registry, T0 + 7 * HOUR)
        again = sweep(registry, T0 + 7 * HOUR)
    assert (again.breaches, again.escalations) == (0, [])


def test_overlapping_sweeps_fire_each_step_exactly_once(app, registry, ticket):
    results = []
    errors = []
    start = threading.Barrier(4)

    def worker():
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                start.wait()
                results.append(sweep_ticket(registry, ticket.id, T0 + 7 * HOUR))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    fired = [step.percent for _breaches, steps in results for step in steps]
    assert sorted(fired) == [50, 100, 150]
    assert sum(breaches for breaches, _steps in results) == 1
    assert [e["percent"] for e in events(app, ticket, "sla_escalation")] == [50, 100, 150]


def test_time_waiting_for_the_customer_delays_the_steps(app, registry, ticket, actor):
    with app.app_context():
        assign_ticket(
            registry, Ticket.get_by_id(ticket.id), ticket.version, actor, "", actor, now=T0
        )
        current = Ticket.get_by_id(ticket.id)
        transition_ticket(
            registry, current, current.version, "waiting_customer", actor, now=T0 + HOUR
        )
        # paused from 1 h: at 5 h only 1 h of the target has been used
        assert sweep(registry, T0 + 5 * HOUR).escalations == []
        current = Ticket.get_by_id(ticket.id)
        transition_ticket(
            registry, current, current.version, "in_progress", actor, now=T0 + 5 * HOUR
        )
        # resumed at 5 h: 50 % (2 h of work) is reached at 6 h
        assert sweep(registry, T0 + 5 * HOUR + 30 * dt.timedelta(minutes=1)).escalations == []
        assert [e.percent for e in sweep(registry, T0 + 6 * HOUR).escalations] == [50]


def test_a_resolved_ticket_is_not_escalated(app, registry, ticket, actor):
    with app.app_context():
        current = Ticket.get_by_id(ticket.id)
        transition_ticket(registry, current, current.version, "resolved", actor, now=T0 + HOUR)
        assert sweep(registry, T0 + 10 * HOUR).escalations == []


def test_sweep_command_reports_what_it_did(app, tmp_path, ticket):
    from server.cli import main

    config = tmp_path / "sweep.toml"
    config.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "aftersales.db"}"\n'
        "[plugins]\nenabled = []\n"
        "[sla.policies.plain.resolution]\nminutes = { normal = 240 }\n"
        'escalation = [{ percent = 50, notify = "assignee" }]\n'
        '[[sla.rules]]\npolicy = "plain"\n',
        encoding="utf-8",
    )
    if "postgresql" in app.extensions["aftersales"].config.database.url:
        pytest.skip("the command reads its own config file, which names the SQLite file")
    result = CliRunner().invoke(main, ["--config", str(config), "sla", "sweep"])
    assert result.exit_code == 0, result.output
    assert "swept 1 tickets: 1 breaches noted, 1 escalation steps fired" in result.output


def test_breaches_and_escalations_read_well_on_the_timeline(app, registry, ticket, login_as):
    with app.app_context():
        sweep(registry, T0 + 7 * HOUR)
    page = login_as("dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "SLA breached:" in page and "SLA escalation:" in page
    assert "at 150% of its target — admin notified" in page
