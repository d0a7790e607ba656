"""Shared fixtures: apps built from a temporary config and exactly the plugins a test wants."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server import testing
from server.models import User
from server.testing import (  # re-exported: the suite imports them from here
    PASSWORD,
    StaffClient,
    drop_test_schemas,
    ensure_user,
    logged_in,
    table_names,
)
from tests.plugins.sample_plugin import SamplePlugin

__all__ = ["PASSWORD", "StaffClient", "add_ticket", "build_app", "ensure_user", "logged_in"]
__all__ += ["table_names"]


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Any:
    yield
    drop_test_schemas()


def build_app(
    tmp_path: Path,
    enabled: Iterable[str] = (),
    extra_plugins: Iterable[tuple[str, Any]] | None = None,
    **sections: dict[str, Any],
) -> Flask:
    """:func:`server.testing.build_app`, with the sample plugin unless told otherwise."""
    plugins = [("sample", SamplePlugin())] if extra_plugins is None else list(extra_plugins)
    return testing.build_app(tmp_path, enabled, plugins, **sections)


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


class SmtpInbox:
    """What the local SMTP server of the ``smtp`` fixture received: (recipients, raw
    message bytes) per mail."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Any:
    """A real SMTP server (aiosmtpd) on a free loopback port: ``(controller, inbox)``."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()
