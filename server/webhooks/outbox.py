"""Writing webhook deliveries: one pending row per subscribed webhook, in the caller's
transaction, so a delivery exists if and only if the change it reports was committed.

Nothing here touches the network: ``server.webhooks.delivery`` sends the rows later.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING, Any

from flask import g, has_request_context

from server import audit
from server.db import write_transaction
from server.models import Ticket, utcnow
from server.webhooks.models import EVENTS, PING, Webhook, WebhookDelivery, subscribed_webhooks

if TYPE_CHECKING:
    from server.plugin_api import EscalationStep
    from server.sla.models import TicketSla


def iso_utc(moment: dt.datetime) -> str:
    """A naive-UTC (or aware) datetime as ``2026-11-24T09:30:00Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


def emit(event: str, data: dict[str, Any], now: dt.datetime) -> int:
    """Write a pending delivery of ``event`` for every active webhook subscribed to it.

    Call it inside the transaction that makes the change: the rows commit or roll back
    with it. Returns how many deliveries were written.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    return _emit_to(subscribed_webhooks(event), event, data, now)


def _emit_to(hooks: list[Webhook], event: str, data: dict[str, Any], now: dt.datetime) -> int:
    for hook in hooks:
        _write_delivery(hook, event, data, now)
    if hooks and has_request_context():
        g.webhooks_emitted = True  # server.webhooks.wakeup enqueues a delivery task
    return len(hooks)


def send_ping(webhook: Webhook, now: dt.datetime | None = None) -> WebhookDelivery:
    """A test delivery (event ``ping``) to ``webhook`` alone, whatever it subscribed to."""
    now = now or utcnow()
    data = {"webhook": {"id": webhook.id, "url": webhook.url}}
    with write_transaction():
        delivery = _write_delivery(webhook, PING, data, now)
        audit.record("webhook.ping", "webhook", webhook.id, {"delivery": delivery.delivery_uuid})
    if has_request_context():
        g.webhooks_emitted = True
    return delivery


def _write_delivery(
    hook: Webhook, event: str, data: dict[str, Any], now: dt.datetime
) -> WebhookDelivery:
    delivery_uuid = str(uuid.uuid4())
    body = {"event": event, "delivery_id": delivery_uuid, "occurred_at": iso_utc(now), "data": data}
    return WebhookDelivery.create(
        webhook=hook,
        event=event,
        payload=json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str),
        delivery_uuid=delivery_uuid,
        status="pending",
        next_attempt_at=now,
        created_at=now,
    )


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    """The ticket as every event's ``data.ticket`` shows it."""
    return {
        "id": ticket.id,
        "number": ticket.number,
        "plugin": ticket.plugin,
        "service": ticket.service,
        "status": ticket.status,
        "priority": ticket.priority,
        "customer_id": ticket.customer_id,
        "assignee": ticket.assignee.username if ticket.assignee_id else None,
        "updated_at": iso_utc(ticket.updated_at),
        "version": ticket.version,
    }


# --- the four events, as the core's write paths call them (one line each) -------------


def ticket_created(ticket: Ticket, now: dt.datetime) -> int:
    """``ticket.created``, from ``create_ticket``."""
    return _emit_about("ticket.created", ticket, now)


def status_changed(ticket: Ticket, old: str, new: str, note: str, now: dt.datetime) -> int:
    """``ticket.status_changed``, from ``transition_ticket`` and ``assign_ticket``."""
    return _emit_about(
        "ticket.status_changed", ticket, now, old_status=old, new_status=new, note=note
    )


def sla_step_fired(ticket: Ticket, row: TicketSla, step: EscalationStep, now: dt.datetime) -> int:
    """``sla.step_fired``, from the SLA sweep when ``step`` of ``row``'s metric is claimed."""
    sla = {
        "metric": row.metric,
        "percent": step.percent,
        "notify": step.notify,
        "due_at": iso_utc(row.due_at),
    }
    return _emit_about("sla.step_fired", ticket, now, sla=sla)


def callback_done(ticket_id: int, event: dict[str, Any], now: dt.datetime) -> int:
    """``callback.done``, from ``record_callback`` once the customer was reached.

    ``event`` is the callback's timeline data; the ticket is read afresh, after what the
    callback did to it (closed, reopened).
    """
    if not event.get("reached"):
        return 0
    callback = {
        "id": event["callback_id"],
        "attempt": event.get("attempt"),
        "outcome": event.get("outcome"),
        "satisfaction": event.get("satisfaction"),
        "score": event.get("score"),
        "action": event.get("action") or None,
    }
    return _emit_about("callback.done", ticket_id, now, callback=callback)


def _emit_about(event: str, ticket: Ticket | int, now: dt.datetime, **details: Any) -> int:
    """Build the payload only when someone subscribed: most installations have no webhooks."""
    hooks = subscribed_webhooks(event)
    if not hooks:
        return 0
    if isinstance(ticket, int):
        ticket = Ticket.get_by_id(ticket)
    return _emit_to(hooks, event, {"ticket": ticket_payload(ticket), **details}, now)
