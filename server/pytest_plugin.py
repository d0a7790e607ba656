"""pytest fixtures for plugin authors: apps with a chosen plugin set, logged-in clients.

Enable them in a plugin's ``tests/conftest.py``::

    pytest_plugins = ["server.pytest_plugin"]

    def test_my_service(make_app, logged_in_client, customer_of):
        app = make_app(enabled=["my_plugin"])
        client = logged_in_client(app, "dispatcher")
        response = client.form(f"/tickets/new?customer={customer_of(app, '张伟')}", {...})
        assert response.status_code == 303

They are thin wrappers over :mod:`server.testing` (``build_app``, ``logged_in``,
``add_customer``); PostgreSQL schemas made for ``AFTERSALES_TEST_POSTGRES_URL`` are
dropped at the end of the session.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.testing import StaffClient, add_customer, build_app, drop_test_schemas, logged_in


@pytest.fixture(scope="session", autouse=True)
def _aftersales_drop_test_schemas() -> Iterator[None]:
    yield
    drop_test_schemas()


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """``make_app(enabled=[...], extra_plugins=[...], **sections)`` → a migrated app.

    Each call gets a directory (and so a database) of its own, so one test may build two
    apps — one plugin alone, then beside the others — without them sharing rows.
    """
    counter = itertools.count(1)

    def make(
        enabled: tuple[str, ...] | list[str] = (),
        extra_plugins: tuple[tuple[str, Any], ...] | list[tuple[str, Any]] = (),
        **sections: dict[str, Any],
    ) -> Flask:
        directory = tmp_path / f"app-{next(counter)}"
        directory.mkdir()
        return build_app(directory, enabled=enabled, extra_plugins=extra_plugins, **sections)

    return make


@pytest.fixture
def logged_in_client() -> Callable[..., StaffClient]:
    """``logged_in_client(app, role, username=None)`` → a client logged in with that role.

    The user is created on first use (named after the role unless ``username`` is given);
    ``client.form(url, data)`` posts with the session's CSRF token.
    """

    def login(app: Flask, role: str, username: str | None = None) -> StaffClient:
        return logged_in(app, username or role, role)

    return login


@pytest.fixture
def customer_of() -> Callable[..., int]:
    """``customer_of(app, name, **fields)`` → the id of a customer created directly."""
    return add_customer
