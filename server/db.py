"""The database handle: one peewee proxy, opened from the config's URL."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import peewee
from playhouse.db_url import connect as connect_url

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


def open_database(url: str, busy_timeout_ms: int = 5000) -> peewee.Database:
    """Create (not connect) the database for ``url``; SQLite gets WAL, FKs and a timeout."""
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:///")
        if path != ":memory:" and not Path(path).is_absolute():
            path = str(PROJECT_ROOT / path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return peewee.SqliteDatabase(
            path,
            timeout=busy_timeout_ms / 1000,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": busy_timeout_ms,
                "synchronous": "normal",
            },
            autoconnect=True,
        )
    return connect_url(url)


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
