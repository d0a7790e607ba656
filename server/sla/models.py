"""The SLA tables: each ticket's status periods (pause segments) and its metric clocks."""

from __future__ import annotations

import peewee

from server.models import BaseModel, Ticket, utcnow


class TicketStatusPeriod(BaseModel):
    """How long a ticket stayed in each status; pause segments are the periods whose
    status pauses a metric, so a policy with other pause statuses can be applied later
    without losing anything."""

    ticket = peewee.ForeignKeyField(Ticket, backref="status_periods", on_delete="CASCADE")
    status = peewee.CharField(max_length=20)
    started_at = peewee.DateTimeField()
    ended_at = peewee.DateTimeField(null=True)
    reason = peewee.CharField(max_length=2000, default="")

    class Meta:
        table_name = "ticket_status_period"
        indexes = ((("ticket", "started_at"), False),)


class TicketSla(BaseModel):
    """One metric's clock on one ticket, as of the ticket's last change (or sweep)."""

    ticket = peewee.ForeignKeyField(Ticket, backref="sla", on_delete="CASCADE")
    metric = peewee.CharField(max_length=20)
    policy = peewee.CharField(max_length=80)
    policy_reason = peewee.CharField(max_length=300, default="")
    entitlement = peewee.CharField(max_length=40, default="")
    entitlement_reason = peewee.CharField(max_length=300, default="")
    calendar = peewee.CharField(max_length=80)
    target_seconds = peewee.IntegerField()
    due_at = peewee.DateTimeField()
    paused_seconds = peewee.FloatField(default=0)
    elapsed_seconds = peewee.FloatField(default=0)
    state = peewee.CharField(max_length=12)
    stopped_at = peewee.DateTimeField(null=True)
    # The highest escalation step (percent of target) already fired; 0 for none.
    escalated_percent = peewee.IntegerField(default=0)
    next_escalation_at = peewee.DateTimeField(null=True)
    # Set once the breach is on the timeline, so it is written there exactly once.
    breach_noted = peewee.BooleanField(default=False)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "ticket_sla"
        indexes = (
            (("ticket", "metric"), True),
            # the sweep and the queue's "nearest deadline" look these up
            (("state", "due_at"), False),
            (("next_escalation_at",), False),
            (("state", "breach_noted"), False),
        )


class TicketDeadline(BaseModel):
    """A ticket's nearest open deadline over all its metrics, kept for the queue's sort."""

    ticket = peewee.ForeignKeyField(
        Ticket, primary_key=True, backref="deadline", on_delete="CASCADE"
    )
    due_at = peewee.DateTimeField(index=True)
    metric = peewee.CharField(max_length=20)

    class Meta:
        table_name = "ticket_deadline"


SLA_MODELS = (TicketStatusPeriod, TicketSla, TicketDeadline)
