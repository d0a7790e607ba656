"""The KPI backlog read in parts (server.kpi.figures._open_at) counts what one condition
counted: cancelled tickets are open until their cancellation, even when the index range
that finds them is narrowed by their last change (migration 22)."""

from __future__ import annotations

from typing import Any

import pytest

from server.db import database, is_sqlite
from server.kpi import Period, figures
from server.migrations.core import NEVER_RESOLVED_INDEX, SCALE_INDEXES
from server.models import Customer, Ticket
from server.tickets import NewTicket, create_ticket, transition_ticket
from tests.conftest import ensure_user
from tests.kpi_data import build_month, kpi_app, local

MARCH = Period.month(2026, 3)
APRIL = Period.month(2026, 4)


@pytest.fixture
def month(tmp_path: Any) -> Any:
    app = kpi_app(tmp_path)
    build_month(app)
    boss = ensure_user(app, "dispatcher", "dispatcher")
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        customer = Customer.get()
        service = registry.service("sample", "consult")

        def new(at: Any) -> Ticket:
            ticket = NewTicket(
                industry="sample", service=service, customer=customer, title="t", reported_at=at
            )
            return create_ticket(registry, ticket, boss, 2026, now=at)

        def cancel(ticket: Ticket, at: Any) -> Ticket:
            return transition_ticket(registry, ticket, ticket.version, "cancelled", boss, now=at)

        # T9: created in March, cancelled on 2 April: open at the end of March
        t9 = cancel(new(local(3, 25, 10)), local(4, 2, 10))
        # T10: cancelled in March, its title edited in April: not open at March's end
        t10 = cancel(new(local(3, 11, 10)), local(3, 12, 10))
        Ticket.update(title="edited", updated_at=local(4, 3, 10)).where(
            Ticket.id == t10.id
        ).execute()
        yield app, t9, t10


def test_ticket_cancelled_after_the_end_is_backlog(month: Any) -> None:
    # T4, T6, T7 (tests/kpi_data.py) and T9; not T8 nor T10, cancelled within March
    row = figures(MARCH, None)[0]
    assert row.backlog == 4
    # T9 created 25 March 10:00 local: 6 days 14 hours old at 1 April 00:00
    assert row.backlog_age_max_days == pytest.approx(19 + 14 / 24, abs=1e-6)  # T7 still
    by_team = {r.key: r.backlog for r in figures(MARCH, "team")}
    assert sum(by_team.values()) == 4


def test_cancelled_tickets_leave_the_backlog_of_later_periods(month: Any) -> None:
    # at the end of April: T4, T6, T7 are still open; T9 and T10 are cancelled
    assert figures(APRIL, None)[0].backlog == 3


def test_the_backlog_indexes_exist(month: Any) -> None:
    names = {index.name for index in database.get_indexes("ticket")}
    wanted = {name for name, _table, _columns in SCALE_INDEXES}
    if not is_sqlite():  # migration 24 replaces one of them on PostgreSQL
        wanted = wanted - {"ticket_kpi_unresolved_status"} | {NEVER_RESOLVED_INDEX}
        assert "ticket_kpi_unresolved_status" not in names
    assert wanted <= names
