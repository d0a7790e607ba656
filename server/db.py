"""The database handle: one peewee proxy, opened from the config's URL."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import peewee
from playhouse.db_url import connect as connect_url
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from server.config import PROJECT_ROOT

database = peewee.DatabaseProxy()


class _HideQueryParameters(logging.Filter):
    """peewee logs each query with its parameters at DEBUG; the parameters hold password
    hashes and webhook secrets, so only the SQL is logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            record.msg = (record.msg[0], "[parameters not logged]")
        return True


logging.getLogger("peewee").addFilter(_HideQueryParameters())


# How long a request waits for a free pooled connection before failing (seconds).
POOL_WAIT_SECONDS = 30
# A pooled connection older than this is closed when it is next handed out or given back.
POOL_RECYCLE_SECONDS = 3600


def open_database(url: str, busy_timeout_ms: int = 5000, pool_size: int = 0) -> peewee.Database:
    """Create (not connect) the database for ``url``; SQLite gets WAL, FKs and a timeout.

    With ``pool_size`` > 0, closing a connection hands it back to a pool of at most that
    many instead of closing it: a request then skips PostgreSQL's connection start-up,
    and SQLite's WAL is not checkpointed each time its last connection closes (about
    20 ms per request). 0 opens and closes one connection per request or command.
    """
    pool = {"max_connections": pool_size, "stale_timeout": POOL_RECYCLE_SECONDS}
    pool["timeout"] = POOL_WAIT_SECONDS
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:///")
        if path != ":memory:" and not Path(path).is_absolute():
            path = str(PROJECT_ROOT / path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        options: dict = {
            "timeout": busy_timeout_ms / 1000,
            "pragmas": {
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": busy_timeout_ms,
                "synchronous": "normal",
            },
            "autoconnect": True,
        }
        if pool_size > 0:
            # The pool's wait is its own "timeout" (SQLite's lock wait is the pragma); a
            # connection is handed to one thread at a time, not always the one that made it.
            options.pop("timeout")
            return PooledSqliteDatabase(path, check_same_thread=False, **options, **pool)
        return peewee.SqliteDatabase(path, **options)
    db = connect_url(url)
    if isinstance(db, peewee.PostgresqlDatabase):
        db.connect_params["options"] = without_jit(db.connect_params.get("options", ""))
        if pool_size > 0:
            return PooledPostgresqlDatabase(db.database, **db.connect_params, **pool)
    return db


def without_jit(options: str) -> str:
    """PostgreSQL connection ``options`` with JIT compilation off, unless they set it.

    JIT pays off for long analytical queries; ours are short, and a query whose plan
    looks up rows one by one (the KPI figures, :mod:`server.kpi.figures`) can be
    estimated above ``jit_above_cost`` and then spend longer compiling than running
    (24 of 165 ms at 300k tickets). A URL's ``options=-c jit=on`` keeps it on."""
    if "jit=" in options.replace(" ", ""):
        return options
    return f"{options} -c jit=off".strip()


def release_connections(db: peewee.Database | None = None) -> None:
    """Really close this thread's connection and every idle pooled one (restore needs
    the old files let go of; a plain ``close()`` only hands a pooled connection back)."""
    target = db if db is not None else database.obj
    if isinstance(target, PooledSqliteDatabase | PooledPostgresqlDatabase):
        target.close()
        target.close_idle()
    elif not target.is_closed():
        target.close()


def is_sqlite(db: peewee.Database | None = None) -> bool:
    target = db if db is not None else database.obj
    return isinstance(target, peewee.SqliteDatabase)


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """A write transaction that takes the write lock at once.

    SQLite's default deferred transactions fail with "database is locked" instead of
    waiting when a reader upgrades to a writer after another writer committed; BEGIN
    IMMEDIATE waits politely for the busy timeout instead.
    """
    if is_sqlite() and not database.in_transaction():
        with database.atomic("IMMEDIATE"):
            yield
    else:
        with database.atomic():
            yield
