"""Numbered migrations with a history table per component; init-db is idempotent."""

from __future__ import annotations

import pytest

from server.db import database, is_sqlite
from server.migrations import MigrationError, MigrationHistory, migrate
from server.models import CORE_MODELS, Customer
from server.plugin_api import Migration
from server.schema import init_db
from server.sla.models import SLA_MODELS
from tests.conftest import table_names


def _tables(app):
    with app.app_context():
        return table_names()


def test_from_empty_creates_every_core_table_and_the_plugins_own(app):
    expected = {model._meta.table_name for model in (*CORE_MODELS, *SLA_MODELS)}
    assert expected | {"sample_note", "migration_history"} <= _tables(app)


def test_history_is_kept_per_component(app):
    with app.app_context():
        rows = {(r.component, r.number) for r in MigrationHistory.select()}
    assert rows == {("core", n) for n in range(1, 9)} | {("sample", 1)}


def test_rerun_applies_nothing_and_keeps_data(app):
    with app.app_context():
        Customer.create(name="留下")
        assert init_db(app) == []
        assert Customer.select().count() == 1


def test_new_migration_of_one_component_runs_alone(app):
    ran = []
    with app.app_context():
        applied = migrate(
            [
                (
                    "sample",
                    [
                        Migration(1, "old", lambda db: ran.append(1)),
                        Migration(2, "add column", lambda db: ran.append(2)),
                    ],
                ),
            ]
        )
    assert ran == [2] and applied == ["sample 0002 add column"]


@pytest.mark.parametrize("numbers", [[2], [1, 1], [1, 3], [0, 1]])
def test_badly_numbered_migrations_are_refused(app, numbers):
    migrations = [Migration(n, f"m{n}", lambda db: None) for n in numbers]
    with app.app_context(), pytest.raises(MigrationError, match=r"numbered 1\.\.n"):
        migrate([("broken", migrations)])


def test_failing_migration_is_rolled_back_and_not_recorded(app):
    def half_then_fail(db):
        db.execute_sql("CREATE TABLE broken_half (id INTEGER PRIMARY KEY)")
        db.execute_sql("THIS IS NOT SQL")

    with app.app_context():
        with pytest.raises(MigrationError, match="broken migration 1"):
            migrate([("broken", [Migration(1, "fails", half_then_fail)])])
        assert not MigrationHistory.select().where(MigrationHistory.component == "broken").exists()
        assert "broken_half" not in table_names()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    with app.app_context():
        if not is_sqlite():
            pytest.skip("a SQLite setting; this run uses PostgreSQL")
        database.connect(reuse_if_open=True)
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] > 0


def test_the_search_table_is_filled_for_tickets_made_before_it(app):
    from server.search import TicketSearch
    from server.tickets import NewTicket, create_ticket
    from tests.conftest import ensure_user

    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "d", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="Old Customer 老客户")
        ticket = create_ticket(
            registry,
            NewTicket(
                industry="sample",
                service=registry.service("sample", "consult"),
                customer=customer,
                title="Before the upgrade",
            ),
            actor,
            2026,
        )
        # the database as it was before migration 3
        database.drop_tables([TicketSearch])
        MigrationHistory.delete().where(
            (MigrationHistory.component == "core") & (MigrationHistory.number == 3)
        ).execute()
        assert init_db(app) == ["core 0003 create the ticket search table"]
        text = TicketSearch.get(TicketSearch.ticket == ticket.id).text
    assert text == f"{ticket.number.lower()} before the upgrade old customer 老客户"
