"""Test helpers for plugin authors (and the core's own suite).

Build an app with exactly the plugins a test wants on a database of its own, and clients
that log in and send the CSRF token like a browser::

    from server.testing import add_customer, build_app, logged_in

    def test_my_service(tmp_path):
        app = build_app(tmp_path, enabled=["my_plugin"])
        client = logged_in(app, "dispatcher", "dispatcher")
        customer = add_customer(app, "张伟")
        response = client.form(f"/tickets/new?customer={customer}", {...})
        assert response.status_code == 303

The database is a SQLite file in ``tmp_path``; when ``AFTERSALES_TEST_POSTGRES_URL`` is
set, a fresh PostgreSQL schema instead (call :func:`drop_test_schemas` at the end of the
session to remove them).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

PASSWORD = "correct-horse-battery"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# When set (CI does), every app gets a fresh schema in this PostgreSQL database instead
# of a SQLite file, so the same suite proves both backends.
POSTGRES_URL = os.environ.get("AFTERSALES_TEST_POSTGRES_URL", "")
_schemas: list[str] = []


class StaffClient(FlaskClient):
    """A test client that can log in and sends the CSRF token like a browser would."""

    _token: str | None = None

    def csrf_token(self) -> str:
        """The CSRF token of this client's session (read once from the login page)."""
        if self._token is None:
            page = self.get("/login").get_data(as_text=True)
            match = _TOKEN.search(page)
            assert match, "the login page carries no CSRF token"
            self._token = match.group(1)
        return self._token

    def form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form as a browser would: with the CSRF token of this session."""
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.post(url, data=payload, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        """Log in through the login page; returns its response (303 on success)."""
        response = self.form("/login", {"username": username, "password": password})
        self._token = None  # logging in starts a new session, with a new token
        return response


def database_url(tmp_path: Path) -> str:
    """A database of the test's own: a SQLite file in ``tmp_path``, or a PostgreSQL schema."""
    if not POSTGRES_URL:
        return f"sqlite:///{tmp_path / 'aftersales.db'}"
    schema = "t_" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:16]
    with _postgres() as connection, connection.cursor() as cursor:
        # Two apps built on one tmp_path share a database, as two starts of a server would.
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    if schema not in _schemas:
        _schemas.append(schema)
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


def _postgres() -> Any:
    import psycopg2

    connection = psycopg2.connect(POSTGRES_URL)
    connection.autocommit = True
    return contextlib.closing(connection)


def drop_test_schemas() -> None:
    """Drop the PostgreSQL schemas :func:`database_url` made (nothing to do on SQLite)."""
    if _schemas:
        with _postgres() as connection, connection.cursor() as cursor:
            for schema in _schemas:
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        _schemas.clear()


def build_app(
    tmp_path: Path,
    enabled: Iterable[str] = (),
    extra_plugins: Iterable[tuple[str, Any]] = (),
    **sections: dict[str, Any],
) -> Flask:
    """A migrated app on a database of its own, with exactly these plugins.

    :param tmp_path: a fresh directory (pytest's ``tmp_path``) for the instance and database.
    :param enabled: installed plugins to enable, by entry-point name (``[plugins] enabled``).
    :param extra_plugins: ``(name, plugin)`` pairs registered as if installed and enabled.
    :param sections: further config tables, e.g. ``plugin={"my_plugin": {...}}``.
    :returns: the app, its schema (core and plugin migrations) already created.
    """
    from server.app import create_app
    from server.config import parse_config
    from server.schema import init_db

    raw: dict[str, Any] = {
        "server": {"instance_dir": str(tmp_path / "instance")},
        # no pool: a test process builds hundreds of apps, and each pool would keep its
        # connections (PostgreSQL slots, SQLite files) open until the process ends
        "database": {"url": database_url(tmp_path), "pool_size": 0},
        "plugins": {"enabled": list(enabled)},
        # off unless a test turns them on: a suite logs in far more often than people do
        "rate_limits": {"enabled": False},
        # pages in English unless a test asks for another language (Accept-Language or
        # the user's own setting): assertions read the English wording
        "locale": {"default": "en"},
    }
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    config = parse_config(raw, tmp_path / "test.toml")
    app = create_app(config=config, extra_plugins=list(extra_plugins))
    app.test_client_class = StaffClient
    with app.app_context():
        init_db(app)
    return app


@functools.cache
def _password_hash() -> str:
    """Hashed once per process: a real scrypt hash costs ~0.1 s, too much for every test."""
    from server.auth import hash_password

    return hash_password(PASSWORD)


def ensure_user(app: Flask, username: str, role: str) -> Any:
    """The user named ``username`` (created with ``role`` and the test password if new)."""
    from server.models import User

    with app.app_context():
        return User.get_or_none(User.username == username) or User.create(
            username=username,
            display_name=username.title(),
            password_hash=_password_hash(),
            role=role,
        )


def logged_in(app: Flask, username: str, role: str) -> StaffClient:
    """A client of ``app`` logged in as ``username`` (created with ``role`` if new)."""
    ensure_user(app, username, role)
    client = app.test_client()
    client.login(username)
    return client


def add_customer(app: Flask, name: str, **fields: Any) -> int:
    """A customer created directly (kind, region, tier, attributes …); returns its id."""
    from server.models import Customer

    with app.app_context():
        return Customer.create(name=name, **fields).id


def table_names() -> set[str]:
    """Tables in the current app's database (its schema, on PostgreSQL)."""
    from server.db import database, is_sqlite

    if is_sqlite():
        return set(database.get_tables())
    cursor = database.execute_sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return {row[0] for row in cursor.fetchall()}


def api_headers(app: Flask, username: str, role: str) -> dict[str, str]:
    """``Authorization`` headers with a fresh API token of the user (made if missing)."""
    from server.api_tokens import issue_token
    from server.models import User

    user = ensure_user(app, username, role)
    with app.app_context():
        _token, secret = issue_token(User.get_by_id(user.id), "tests")
    return {"Authorization": f"Bearer {secret}"}
