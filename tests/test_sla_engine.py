"""SLA clocks through the workflow: pauses, priority changes, reopening, breaches."""

from __future__ import annotations

import datetime as dt

import pytest

from server.models import Customer, Ticket
from server.sla import clock
from server.sla.models import TicketSla, TicketStatusPeriod
from server.tickets import (
    NewTicket,
    add_comment,
    assign_ticket,
    create_ticket,
    edit_ticket,
    transition_ticket,
)
from tests.conftest import add_ticket, ensure_user

T0 = dt.datetime(2026, 11, 2, 9, 0)  # naive UTC, as stored
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)

# Every ticket gets this 24×7 policy, so expected deadlines are plain arithmetic.
PLAIN = {
    "policies": {
        "plain": {
            "first_response": {"minutes": {"normal": 60, "urgent": 15}},
            "arrival": {
                "minutes": {"normal": 240, "urgent": 60},
                "pause_statuses": ["waiting_customer"],
            },
            "resolution": {
                "minutes": {"normal": 480, "urgent": 120},
                "pause_statuses": ["waiting_customer", "waiting_parts"],
                "escalation": [
                    {"percent": 50, "notify": "assignee"},
                    {"percent": 100, "notify": "supervisor"},
                ],
            },
        }
    },
    "rules": [{"policy": "plain"}],
}


@pytest.fixture
def app(make_app):
    return make_app(sla=PLAIN)


@pytest.fixture
def registry(app):
    return app.extensions["aftersales"].registry


@pytest.fixture
def staff(app):
    return {
        "dispatcher": ensure_user(app, "dispatcher", "dispatcher"),
        "tech": ensure_user(app, "tech", "technician"),
    }


@pytest.fixture
def ticket(app, registry, staff):
    """A normal-priority repair reported at T0 - 10 min and entered at T0."""
    with app.app_context():
        customer = Customer.create(name="客户")
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", "repair"),
            customer=customer,
            title="t",
            attributes={"serial": "AB1234"},
            reported_at=T0 - 10 * MINUTE,
        )
        return create_ticket(registry, new, staff["dispatcher"], 2026, now=T0)


def clocks(app, ticket) -> dict[str, TicketSla]:
    with app.app_context():
        return {row.metric: row for row in TicketSla.select().where(TicketSla.ticket == ticket.id)}


def move(app, registry, ticket, status, at, actor):
    with app.app_context():
        current = Ticket.get_by_id(ticket.id)
        return transition_ticket(registry, current, current.version, status, actor, now=at)


def assign(app, registry, ticket, at, staff):
    with app.app_context():
        current = Ticket.get_by_id(ticket.id)
        return assign_ticket(
            registry, current, current.version, staff["tech"], "", staff["dispatcher"], now=at
        )


def test_the_clock_starts_when_the_customer_called(app, ticket):
    rows = clocks(app, ticket)
    start = T0 - 10 * MINUTE
    assert rows["first_response"].due_at == start + HOUR
    assert rows["arrival"].due_at == start + 4 * HOUR
    assert rows["resolution"].due_at == start + 8 * HOUR
    assert {row.state for row in rows.values()} == {clock.RUNNING}
    assert rows["resolution"].policy == "plain"
    assert rows["resolution"].policy_reason == "config rule 1: any ticket"


def test_first_response_is_met_by_the_assignment(app, registry, ticket, staff):
    assign(app, registry, ticket, T0 + 20 * MINUTE, staff)
    row = clocks(app, ticket)["first_response"]
    assert row.state == clock.MET
    assert row.elapsed_seconds == 30 * 60
    assert row.stopped_at == T0 + 20 * MINUTE


def test_a_late_first_comment_breaches_first_response(app, registry, ticket, staff):
    with app.app_context():
        add_comment(
            registry, Ticket.get_by_id(ticket.id), "在处理", staff["dispatcher"], now=T0 + 2 * HOUR
        )
    assert clocks(app, ticket)["first_response"].state == clock.BREACHED


def test_waiting_for_the_customer_pauses_only_the_metrics_that_list_it(
    app, registry, ticket, staff
):
    assign(app, registry, ticket, T0, staff)
    move(app, registry, ticket, "waiting_customer", T0 + HOUR, staff["tech"])
    move(app, registry, ticket, "in_progress", T0 + 3 * HOUR, staff["tech"])
    rows = clocks(app, ticket)
    start = T0 - 10 * MINUTE
    assert rows["resolution"].due_at == start + 8 * HOUR + 2 * HOUR
    assert rows["resolution"].paused_seconds == 2 * 3600
    assert rows["arrival"].due_at == start + 4 * HOUR + 2 * HOUR
    assert rows["first_response"].due_at == start + HOUR  # not paused by waiting


def test_waiting_for_parts_pauses_resolution_but_not_arrival(app, registry, ticket, staff):
    assign(app, registry, ticket, T0, staff)
    move(app, registry, ticket, "waiting_parts", T0 + HOUR, staff["tech"])
    move(app, registry, ticket, "on_site", T0 + 2 * HOUR, staff["tech"])
    rows = clocks(app, ticket)
    assert rows["resolution"].paused_seconds == 3600
    assert rows["arrival"].paused_seconds == 0 and rows["arrival"].state == clock.MET


def test_a_priority_change_recomputes_from_the_call_and_keeps_the_pause(
    app, registry, ticket, staff
):
    assign(app, registry, ticket, T0, staff)
    move(app, registry, ticket, "waiting_customer", T0 + HOUR, staff["tech"])
    move(app, registry, ticket, "in_progress", T0 + 2 * HOUR, staff["tech"])
    with app.app_context():
        current = Ticket.get_by_id(ticket.id)
        edit_ticket(
            registry,
            current,
            current.version,
            {"priority": "urgent"},
            {},
            staff["dispatcher"],
            now=T0 + 150 * MINUTE,
        )
    row = clocks(app, ticket)["resolution"]
    start = T0 - 10 * MINUTE
    assert row.target_seconds == 120 * 60
    assert row.due_at == start + 2 * HOUR + HOUR  # the new target, plus the pause kept
    assert row.paused_seconds == 3600


def test_reopening_resumes_resolution_without_counting_the_time_resolved(
    app, registry, ticket, staff
):
    assign(app, registry, ticket, T0, staff)
    move(app, registry, ticket, "in_progress", T0 + HOUR, staff["tech"])
    move(app, registry, ticket, "resolved", T0 + 2 * HOUR, staff["tech"])
    assert clocks(app, ticket)["resolution"].state == clock.MET
    move(app, registry, ticket, "in_progress", T0 + 5 * HOUR, staff["dispatcher"])  # reopen
    row = clocks(app, ticket)["resolution"]
    start = T0 - 10 * MINUTE
    assert row.state == clock.RUNNING and row.stopped_at is None
    assert row.paused_seconds == 3 * 3600  # three hours resolved
    assert row.due_at == start + 8 * HOUR + 3 * HOUR


def test_a_breach_stays_a_breach_when_the_ticket_is_paused_afterwards(app, registry, ticket, staff):
    assign(app, registry, ticket, T0, staff)
    late = T0 + 9 * HOUR  # past the 8 h resolution target
    move(app, registry, ticket, "waiting_customer", late, staff["tech"])
    move(app, registry, ticket, "resolved", late + 5 * HOUR, staff["tech"])
    row = clocks(app, ticket)["resolution"]
    assert row.state == clock.BREACHED
    assert row.due_at == T0 - 10 * MINUTE + 8 * HOUR


def test_resolving_without_a_visit_cancels_the_arrival_target(app, registry, ticket, staff):
    move(app, registry, ticket, "resolved", T0 + 30 * MINUTE, staff["dispatcher"])
    rows = clocks(app, ticket)
    assert rows["arrival"].state == clock.CANCELLED
    assert rows["resolution"].state == clock.MET
    assert rows["first_response"].state == clock.MET


def test_cancelling_ends_every_open_metric(app, registry, ticket, staff):
    move(app, registry, ticket, "cancelled", T0 + 30 * MINUTE, staff["dispatcher"])
    assert {row.state for row in clocks(app, ticket).values()} == {clock.CANCELLED, clock.MET}


def test_the_next_escalation_step_is_scheduled(app, ticket):
    row = clocks(app, ticket)["resolution"]
    assert row.next_escalation_at == T0 - 10 * MINUTE + 4 * HOUR  # 50 % of 8 h


def test_status_periods_record_every_status_with_its_reason(app, registry, ticket, staff):
    assign(app, registry, ticket, T0, staff)
    with app.app_context():
        current = Ticket.get_by_id(ticket.id)
        transition_ticket(
            registry,
            current,
            current.version,
            "waiting_parts",
            staff["tech"],
            note="压缩机缺货",
            now=T0 + HOUR,
        )
        periods = list(
            TicketStatusPeriod.select()
            .where(TicketStatusPeriod.ticket == ticket.id)
            .order_by(TicketStatusPeriod.id)
        )
    assert [(p.status, p.started_at, p.ended_at) for p in periods] == [
        ("new", T0, T0),
        ("assigned", T0, T0 + HOUR),
        ("waiting_parts", T0 + HOUR, None),
    ]
    assert periods[-1].reason == "压缩机缺货"


def test_a_priority_without_a_target_has_no_clock_for_that_metric(make_app):
    app = make_app(
        sla={
            "policies": {"p": {"resolution": {"minutes": {"urgent": 60}}}},
            "rules": [{"policy": "p"}],
        }
    )
    ticket = add_ticket(app, priority="normal")
    with app.app_context():
        assert not TicketSla.select().where(TicketSla.ticket == ticket).exists()


def test_the_plugins_default_policy_applies_without_config(make_app):
    app = make_app()
    ticket = add_ticket(app)
    with app.app_context():
        row = TicketSla.get((TicketSla.ticket == ticket) & (TicketSla.metric == "resolution"))
    assert (row.policy, row.policy_reason) == ("sample_standard", "sample default policy")
    assert row.calendar == "sample_hours"


def test_config_policies_must_name_known_calendars(make_app):
    from server.config import ConfigError

    with pytest.raises(ConfigError, match=r"sla\.policies\.p\.resolution\.calendar: unknown"):
        make_app(
            sla={"policies": {"p": {"resolution": {"calendar": "nope", "minutes": {"normal": 60}}}}}
        )


def test_rules_must_name_known_policies(make_app):
    from server.config import ConfigError

    with pytest.raises(ConfigError, match=r"sla\.rules\[1\]\.policy: unknown policy 'ghost'"):
        make_app(sla={"rules": [{"policy": "ghost"}]})


def test_the_ticket_page_shows_each_metric_with_its_policy(app, ticket, login_as):
    page = login_as("dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Service level" in page and "config rule 1: any ticket" in page
    for metric in ("first response", "arrival", "resolution"):
        assert metric in page
    assert "8h" in page  # the resolution target


def test_the_queue_sorts_by_the_nearest_deadline(app, registry, staff, login_as):
    with app.app_context():
        customer = Customer.create(name="c")
        for title, priority in [("later", "normal"), ("sooner", "urgent")]:
            create_ticket(
                registry,
                NewTicket(
                    industry="sample",
                    service=registry.service("sample", "consult"),
                    customer=customer,
                    title=title,
                    priority=priority,
                ),
                staff["dispatcher"],
                2026,
            )
    page = login_as("dispatcher").get("/tickets?sort=due").get_data(as_text=True)
    assert page.index("sooner") < page.index("later")
    assert 'class="sla ' in page


def test_the_queue_shows_each_metric_with_its_time(app, ticket, login_as):
    client = login_as("dispatcher")
    page = client.get("/tickets").get_data(as_text=True)
    for short in ("Resp.", "Arr.", "Res."):  # first response, arrival, resolution
        assert f"{short} overdue" in page
    assert 'class="sla sla-overdue"' in page  # T0 is in the past: every clock is late
    page = client.get("/tickets", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for short in ("响应", "到场", "解决"):
        assert f"{short} 超时" in page


def test_overdue_clocks_lead_the_nearest_deadline_list(app, registry, staff, login_as):
    """A ticket whose resolution is already late sorts before one that is merely due."""
    late = add_ticket(app, title="late one", reported_at=T0, now=T0)
    soon = add_ticket(app, title="due later")
    page = (
        login_as("dispatcher")
        .get("/tickets?sort=due", headers={"Accept-Language": "zh-CN"})
        .get_data(as_text=True)
    )
    assert page.index(late.number) < page.index(soon.number)
    assert "解决 超时" in page  # the resolution clock, in Chinese


def test_the_ticket_page_shows_elapsed_time_as_of_now(app, login_as):
    from server.models import utcnow

    reported = utcnow() - 2 * HOUR - dt.timedelta(seconds=20)
    ticket = add_ticket(app, reported_at=reported, now=reported)
    page = login_as("dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "<td>2h</td>" in page  # two hours have passed since the call; nothing was stored
