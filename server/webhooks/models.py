"""The webhook tables: registered endpoints and their delivery outbox (migration 17)."""

from __future__ import annotations

import peewee

from server.models import BaseModel, JSONField, User, utcnow

# The events a webhook may subscribe to, in the order the admin form lists them.
EVENTS = {
    "ticket.created": "A ticket was created",
    "ticket.status_changed": "A ticket changed status",
    "sla.step_fired": "An SLA escalation step fired",
    "callback.done": "A callback (回访) reached the customer",
}
# Not subscribable: sent only by the admin's "send a test event".
PING = "ping"
STATUSES = ("pending", "delivered", "failed")
MAX_URL = 2000
MAX_ERROR = 300


class Webhook(BaseModel):
    url = peewee.CharField(max_length=MAX_URL)
    description = peewee.CharField(max_length=200, default="")
    events = JSONField(default=list)  # a list of EVENTS keys
    # Kept in clear: the server needs it to sign every delivery.
    secret = peewee.CharField(max_length=100)
    active = peewee.BooleanField(default=True)
    created_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "webhook"


class WebhookDelivery(BaseModel):
    webhook = peewee.ForeignKeyField(Webhook, backref="deliveries", on_delete="CASCADE")
    event = peewee.CharField(max_length=40)
    payload = peewee.TextField()  # the exact body sent, JSON
    delivery_uuid = peewee.CharField(max_length=36, unique=True)
    status = peewee.CharField(max_length=10, default="pending")
    attempts = peewee.IntegerField(default=0)
    # When pending: the next try.
    next_attempt_at = peewee.DateTimeField(null=True)
    # While a worker sends it: the end of that worker's claim (a crashed worker's claim
    # runs out and the row is due again).
    claimed_until = peewee.DateTimeField(null=True)
    last_status_code = peewee.IntegerField(null=True)
    last_error = peewee.CharField(max_length=MAX_ERROR, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    delivered_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "webhook_delivery"
        indexes = (
            # deliveries due: status = 'pending' AND next_attempt_at <= now
            (("status", "next_attempt_at"), False),
            # one webhook's log, newest first
            (("webhook", "id"), False),
        )


WEBHOOK_MODELS = [Webhook, WebhookDelivery]


def subscribed_webhooks(event: str) -> list[Webhook]:
    """The active webhooks that asked for ``event`` (the table is small: read it whole)."""
    return [hook for hook in Webhook.select().where(Webhook.active) if event in hook.events]


def delivery_page(webhook: Webhook, page: int, per_page: int) -> tuple[list[WebhookDelivery], bool]:
    """One page of ``webhook``'s deliveries, newest first, and whether another follows."""
    rows = list(
        WebhookDelivery.select()
        .where(WebhookDelivery.webhook == webhook)
        .order_by(WebhookDelivery.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    return rows[:per_page], len(rows) > per_page
