"""The baseline of bench/load.py: a bare Flask + peewee app with one insert endpoint.

``POST /items`` with ``{"title": …}`` inserts one row in a transaction and answers 201
with its id, on the same database kind as the real server (SQLite in WAL mode with the
same pragmas, or PostgreSQL) with the same connection pool as the real app (``[database]
pool_size``'s default). Served by the same server kind (waitress or gunicorn) as the run
it is compared with.

The database URL comes from ``$BASELINE_DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import peewee
from flask import Flask, jsonify, request

from server.config import DatabaseSettings
from server.db import open_database

db = open_database(
    os.environ.get("BASELINE_DATABASE_URL", "sqlite:///instance/baseline.db"),
    pool_size=DatabaseSettings().pool_size,
)


class Item(peewee.Model):
    title = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))

    class Meta:
        database = db
        table_name = "baseline_item"


with db.connection_context():
    db.create_tables([Item], safe=True)

app = Flask(__name__)


@app.before_request
def connect() -> None:
    db.connect(reuse_if_open=True)


@app.teardown_request
def close(_exc: BaseException | None) -> None:
    if not db.is_closed():
        db.close()


@app.post("/items")
def insert() -> Any:
    title = str((request.get_json(silent=True) or {}).get("title", ""))[:200]
    with db.atomic():
        item = Item.create(title=title)
    return jsonify(id=item.id), 201


@app.get("/healthz")
def health() -> Any:
    return jsonify(ok=True)
