"""The audit log of administrative actions: who did what to which record, when, from where.

``record`` is called inside the write transaction of the action it records, so an action
and its audit row are committed (or rolled back) together. Details are small JSON objects
of names and changed field names — never passwords, token secrets or webhook secrets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import peewee
from flask import g, has_request_context, request

from server.models import BaseModel, JSONField, User, utcnow

# Keys that must never reach the audit log, whatever a caller passes in ``details``.
_SECRET_KEYS = frozenset({"password", "password_hash", "secret", "token", "digest", "csrf_token"})
CLI_ACTOR = "(cli)"


class AuditEvent(BaseModel):
    at = peewee.DateTimeField(default=utcnow, index=True)
    # null: the command line, or a sign-in attempt of an unknown name
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    actor_name = peewee.CharField(max_length=64)  # the username then (names can change)
    action = peewee.CharField(max_length=40, index=True)
    target_kind = peewee.CharField(max_length=40, default="")
    target_id = peewee.CharField(max_length=64, default="")
    details = JSONField(default=dict)
    address = peewee.CharField(max_length=64, default="")

    class Meta:
        table_name = "audit_event"
        indexes = ((("actor_name", "at"), False),)


AUDIT_MODELS = (AuditEvent,)


def record(
    action: str,
    target_kind: str = "",
    target_id: object = "",
    details: Mapping[str, Any] | None = None,
    *,
    actor: User | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Write one audit row; call it inside the action's own write transaction.

    The actor is the request's logged-in user unless given; outside a request (the CLI)
    it is ``(cli)``. The address is the client's (after ProxyFix) in a request."""
    if actor is None and has_request_context():
        actor = g.get("user")
    if not actor_name:
        actor_name = actor.username if actor is not None else CLI_ACTOR
    address = (request.remote_addr or "") if has_request_context() else ""
    clean = {k: v for k, v in (details or {}).items() if k not in _SECRET_KEYS}
    return AuditEvent.create(
        actor=actor,
        actor_name=actor_name[:64],
        action=action,
        target_kind=target_kind,
        target_id=str(target_id)[:64],
        details=clean,
        address=address[:64],
    )


def audit_page(
    page: int,
    per_page: int,
    actor_name: str = "",
    action: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> tuple[list[AuditEvent], bool]:
    """Newest first, filtered (``since`` inclusive, ``until`` exclusive, both naive UTC);
    the rows of ``page`` and whether there is a next page."""
    query = AuditEvent.select()
    if actor_name:
        query = query.where(AuditEvent.actor_name == actor_name)
    if action:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    rows = list(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    return rows[:per_page], len(rows) > per_page


def known_actions() -> list[str]:
    """Every action code that has been recorded, for the filter's choices."""
    rows = AuditEvent.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return [row.action for row in rows]
