"""Shared fixtures: apps built from a temporary config and exactly the plugins a test wants."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.app import create_app
from server.auth import hash_password
from server.config import parse_config
from server.models import User
from server.schema import init_db
from tests.plugins.sample_plugin import SamplePlugin

PASSWORD = "correct-horse-battery"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class StaffClient(FlaskClient):
    """A test client that can log in and sends the CSRF token like a browser would."""

    _token: str | None = None

    def csrf_token(self) -> str:
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
        response = self.form("/login", {"username": username, "password": password})
        self._token = None  # logging in starts a new session, with a new token
        return response


# When set (CI does), every app gets a fresh schema in this PostgreSQL database instead
# of a SQLite file, so the same suite proves both backends.
POSTGRES_URL = os.environ.get("AFTERSALES_TEST_POSTGRES_URL", "")
_schemas: list[str] = []


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


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Any:
    yield
    if _schemas:
        with _postgres() as connection, connection.cursor() as cursor:
            for schema in _schemas:
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def table_names() -> set[str]:
    """Tables in the current app's database (its schema, on PostgreSQL)."""
    from server.db import database, is_sqlite

    if is_sqlite():
        return set(database.get_tables())
    cursor = database.execute_sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return {row[0] for row in cursor.fetchall()}


def build_app(
    tmp_path: Path,
    enabled: Iterable[str] = (),
    extra_plugins: Iterable[tuple[str, Any]] | None = None,
    **sections: dict[str, Any],
) -> Flask:
    raw: dict[str, Any] = {
        "server": {"instance_dir": str(tmp_path / "instance")},
        "database": {"url": database_url(tmp_path)},
        "plugins": {"enabled": list(enabled)},
    }
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    config = parse_config(raw, tmp_path / "test.toml")
    plugins = [("sample", SamplePlugin())] if extra_plugins is None else list(extra_plugins)
    app = create_app(config=config, extra_plugins=plugins)
    app.test_client_class = StaffClient
    with app.app_context():
        init_db(app)
    return app


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """``make_app(enabled=[...], extra_plugins=[...], **sections)`` → a migrated app."""

    def make(**kwargs: Any) -> Flask:
        return build_app(tmp_path, **kwargs)

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """An app with only the test plugin (industry "sample", prefix "SP")."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> StaffClient:
    return app.test_client()


@functools.cache
def _password_hash() -> str:
    """Hashed once per process: a real scrypt hash costs ~0.1 s, too much for every test."""
    return hash_password(PASSWORD)


def ensure_user(app: Flask, username: str, role: str) -> User:
    """The user named ``username`` (created with ``role`` and the test password if new)."""
    with app.app_context():
        return User.get_or_none(User.username == username) or User.create(
            username=username,
            display_name=username.title(),
            password_hash=_password_hash(),
            role=role,
        )


def add_ticket(
    app: Flask,
    *,
    service: str = "consult",
    customer: Any = None,
    actor: User | None = None,
    now: Any = None,
    **fields: Any,
) -> Any:
    """A sample-plugin ticket made through the core's create_ticket (not the pages).

    ``fields`` go to NewTicket (title, priority, reported_at, attributes …).
    """
    from server.models import Customer
    from server.tickets import NewTicket, create_ticket

    registry = app.extensions["aftersales"].registry
    actor = actor or ensure_user(app, "dispatcher", "dispatcher")
    fields.setdefault("title", "t")
    with app.app_context():
        customer = customer or Customer.create(name="客户")
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", service),
            customer=customer,
            **fields,
        )
        return create_ticket(registry, new, actor, 2026, now=now)


def logged_in(app: Flask, username: str, role: str) -> StaffClient:
    """A client of ``app`` logged in as ``username`` (created with ``role`` if new)."""
    ensure_user(app, username, role)
    client = app.test_client()
    client.login(username)
    return client


@pytest.fixture
def login_as(app: Flask, client: StaffClient) -> Callable[[str], StaffClient]:
    """``login_as("dispatcher")`` logs the client in as a user with that role."""

    def login(role: str, username: str | None = None) -> StaffClient:
        user = ensure_user(app, username or role, role)
        response = client.login(user.username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return login


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own AFTERSALES_CONFIG."""
    monkeypatch.delenv("AFTERSALES_CONFIG", raising=False)
    os.environ.setdefault("TZ", "UTC")
