"""Demo data is realistic: every plugin gets tickets, and their timelines run forward."""

from __future__ import annotations

import stat

import pytest

from server.demo import create_demo_data
from server.models import Ticket, TicketEvent, utcnow
from tests.conftest import build_app

BUILT_INS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("demo"), enabled=BUILT_INS, extra_plugins=[])
    with app.app_context():
        create_demo_data(app, per_plugin=8, seed=1)
    return app


def test_every_plugin_gets_its_tickets(demo_app):
    with demo_app.app_context():
        counts = {p: Ticket.select().where(Ticket.plugin == p).count() for p in BUILT_INS}
    assert counts == dict.fromkeys(BUILT_INS, 8)


def test_timelines_run_forward_from_the_call_to_now(demo_app):
    now = utcnow()
    with demo_app.app_context():
        for ticket in Ticket.select():
            times = [
                e.at
                for e in TicketEvent.select()
                .where(TicketEvent.ticket == ticket)
                .order_by(TicketEvent.id)
            ]
            assert ticket.reported_at <= ticket.created_at == times[0]
            assert times == sorted(times) and times[-1] <= now


def test_tickets_are_spread_over_the_past_weeks(demo_app):
    with demo_app.app_context():
        created = [t.created_at for t in Ticket.select()]
    assert (max(created) - min(created)).days >= 7


def test_a_second_run_adds_nothing(demo_app):
    with demo_app.app_context():
        assert create_demo_data(demo_app, per_plugin=8, seed=1) == 0


def test_the_demo_password_file_is_private(demo_app, tmp_path_factory):
    from pathlib import Path

    mode = (Path(demo_app.instance_path) / "demo-login.txt").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_demo_technicians_belong_to_outlets_with_skills(demo_app):
    from server.dispatch.outlets import technician_profile
    from server.models import User

    with demo_app.app_context():
        outlet, skills, regions = technician_profile(User.get(User.username == "tech1"))
    assert outlet.name == "上海浦东服务网点"
    assert {f"{slug}:*" for slug in BUILT_INS} == set(skills)
    assert regions


def test_open_field_tickets_get_appointments_to_show_on_the_calendar(demo_app):
    from server.dispatch.appointments import Appointment, AppointmentChange
    from server.timeutil import to_local

    with demo_app.app_context():
        windows = list(Appointment.select())
        today = to_local(utcnow()).date()
        on_today = [w for w in windows if to_local(w.starts_at).date() == today]
        missed = [w for w in windows if w.missed_at is not None]
        reasons = [c.reason for c in AppointmentChange.select() if c.old_start is not None]
    assert len(windows) >= 5 and on_today and missed
    assert reasons == ["客户临时有事，改约到明天下午"]


def test_resolved_tickets_are_called_back_and_closed_ones_were_satisfied(demo_app):
    from server.followup.models import Callback
    from server.followup.schedule import policy_for

    with demo_app.app_context():
        registry = demo_app.extensions["aftersales"].registry
        callbacks = list(Callback.select())
        closed = [
            t
            for t in Ticket.select().where(Ticket.status == "closed")
            if policy_for(registry, t).needed_to_close
        ]
        satisfied = {c.ticket_id for c in callbacks if c.outcome == "satisfied"}
    assert any(c.status == "pending" for c in callbacks)
    assert any(c.status == "done" for c in callbacks)
    assert closed and all(t.id in satisfied for t in closed)
