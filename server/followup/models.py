"""The ``callback`` table: one call back to the customer after a ticket was resolved."""

from __future__ import annotations

import datetime as dt

import peewee

from server.models import BaseModel, JSONField, Ticket, User, utcnow

CALLBACK_STATUSES = ("pending", "done", "unreachable", "cancelled")
CALLBACK_ACTIONS = ("close", "reopen", "complaint", "")


class Callback(BaseModel):
    """A callback: due when scheduled, retried when the customer was not reached.

    ``next_try_at`` (naive UTC) is when to try again after a missed attempt; the queue
    orders pending callbacks by it when set, else by ``due_at``. ``answers`` holds the
    survey answers by question code; ``score`` their weighted score (0–100).
    """

    ticket = peewee.ForeignKeyField(Ticket, backref="callbacks", on_delete="CASCADE")
    due_at = peewee.DateTimeField()
    status = peewee.CharField(max_length=20, default="pending")
    attempts = peewee.IntegerField(default=0)
    next_try_at = peewee.DateTimeField(null=True)
    agent = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    done_at = peewee.DateTimeField(null=True)
    reached = peewee.BooleanField(null=True)
    satisfaction = peewee.IntegerField(null=True)
    score = peewee.FloatField(null=True)
    answers = JSONField(default=dict)
    comment = peewee.TextField(default="")
    outcome = peewee.CharField(max_length=40, null=True)
    action = peewee.CharField(max_length=20, default="")
    # How the answer came: "phone" (an agent called) or "email_link" (the customer
    # answered the emailed survey, server.customer_mail)
    channel = peewee.CharField(max_length=20, default="phone")
    # When a survey link was last mailed for it (by staff or the automatic survey mail,
    # server.customer_mail); the automatic one claims a callback by setting it.
    survey_mailed_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "callback"
        indexes = (
            (("status", "due_at"), False),
            (("ticket", "created_at"), False),
            (("done_at",), False),
        )

    @property
    def next_due(self) -> dt.datetime:
        """When the callback should be made next: the retry time, else the due time."""
        return self.next_try_at or self.due_at
