"""``[database] pool_size``: connections handed from request to request, not reopened."""

from __future__ import annotations

import threading
from pathlib import Path

import peewee
import pytest
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from server.db import is_sqlite, open_database, release_connections
from server.models import Ticket
from tests.conftest import build_app


def _app(tmp_path: Path, pool_size: int):
    app = build_app(tmp_path, enabled=[], database={"pool_size": pool_size})
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def _state_db(app) -> peewee.Database:
    return app.extensions["aftersales"].db


def test_a_pooled_app_opens_a_pooled_database(tmp_path):
    db = _state_db(_app(tmp_path, 3))
    assert isinstance(db, PooledSqliteDatabase | PooledPostgresqlDatabase)
    assert db._max_connections == 3


def test_pool_size_zero_opens_a_plain_database(tmp_path):
    db = _state_db(_app(tmp_path, 0))
    assert not isinstance(db, PooledSqliteDatabase | PooledPostgresqlDatabase)


def test_requests_reuse_one_connection_and_keep_sqlite_wal(tmp_path):
    app = _app(tmp_path, 2)
    db = _state_db(app)
    client = app.test_client()
    seen = []
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
        with app.app_context():
            db.connect(reuse_if_open=True)
            seen.append(id(db.connection()))
            db.close()
    # the same driver connection every time: none was opened after the first
    assert len(set(seen)) == 1
    if is_sqlite(db):
        # a connection stays open between requests, so the WAL is not checkpointed and
        # deleted at the end of each one (the cost the pool saves)
        assert Path(db.database + "-wal").exists()
        release_connections(db)
        assert not Path(db.database + "-wal").exists()


def test_without_a_pool_sqlite_closes_its_file_after_each_request(tmp_path):
    app = _app(tmp_path, 0)
    db = _state_db(app)
    if not is_sqlite(db):
        pytest.skip("SQLite's WAL file")
    assert app.test_client().get("/healthz").status_code == 200
    assert db.is_closed()
    assert not Path(db.database + "-wal").exists()


def test_more_threads_than_connections_wait_for_one(tmp_path):
    """Six threads on a pool of two: each waits for a free connection, none fails."""
    app = _app(tmp_path, 2)
    answers: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            client = app.test_client()
            for _ in range(5):
                answers.append(client.get("/healthz").status_code)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert answers == [200] * 30
    assert len(_state_db(app)._in_use) == 0  # every connection was handed back


def test_a_rolled_back_request_leaves_no_open_transaction_in_the_pool(tmp_path):
    app = _app(tmp_path, 1)
    db = _state_db(app)
    with app.app_context():
        db.connect(reuse_if_open=True)
        db.begin()
        Ticket.select().count()
        db.close()  # handed back mid-transaction: the pool rolls it back
        db.connect()
        assert not db.in_transaction()
        db.close()


def test_open_database_pools_postgresql_urls_too():
    db = open_database("postgresql://u:p@localhost:5432/x", pool_size=4)
    assert isinstance(db, PooledPostgresqlDatabase)
    assert db.connect_params["user"] == "u"
    assert db.connect_params["host"] == "localhost"
    assert db._max_connections == 4


@pytest.mark.parametrize("pool_size", [0, 4])
def test_postgresql_connections_turn_jit_off_unless_the_url_sets_it(pool_size):
    db = open_database("postgresql://u:p@localhost:5432/x", pool_size=pool_size)
    assert db.connect_params["options"] == "-c jit=off"
    url = "postgresql://u:p@localhost/x?options=-csearch_path%3Dbench"
    db = open_database(url, pool_size=pool_size)
    assert db.connect_params["options"] == "-csearch_path=bench -c jit=off"
    db = open_database("postgresql://u:p@localhost/x?options=-c%20jit%3Don", pool_size=pool_size)
    assert db.connect_params["options"] == "-c jit=on"


def test_the_app_database_runs_without_jit(tmp_path):
    app = _app(tmp_path, pool_size=0)
    with app.app_context():
        db = _state_db(app)
        if is_sqlite(db):
            pytest.skip("PostgreSQL's JIT")
        assert db.execute_sql("SHOW jit").fetchone()[0] == "off"
