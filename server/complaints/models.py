"""The complaint ledger's tables: one row per complaint and its append-only step log."""

from __future__ import annotations

import peewee

from server.models import BaseModel, Customer, JSONField, Ticket, User, utcnow

COMPLAINT_CHANNELS = ("in_person", "phone", "letter", "web")
STAGES = ("record", "investigate", "act", "feedback", "follow_up", "closed")
OPEN_STAGES = STAGES[:-1]
SOURCES = ("inbound", "callback")


class Complaint(BaseModel):
    """A complaint: who owns it (首问负责), where it stands, when its stage is due."""

    number = peewee.CharField(max_length=40, unique=True)
    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="complaints", on_delete="SET NULL")
    customer = peewee.ForeignKeyField(
        Customer, null=True, backref="complaints", on_delete="SET NULL"
    )
    channel = peewee.CharField(max_length=20)
    category = peewee.CharField(max_length=40)
    description = peewee.TextField(default="")
    # Who the complaint is about (optional).
    staff = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # The first-contact owner (首问负责): answers for the complaint until it is closed.
    owner = peewee.ForeignKeyField(User, backref="owned_complaints", on_delete="RESTRICT")
    stage = peewee.CharField(max_length=20, default="record")
    stage_due_at = peewee.DateTimeField(null=True)
    # 0 = only the owner told so far; 1 = supervisors told; 2 = admins told.
    escalation_level = peewee.IntegerField(default=0)
    upheld = peewee.BooleanField(null=True)
    compensation_cents = peewee.IntegerField(default=0)
    compensation_note = peewee.TextField(default="")
    source = peewee.CharField(max_length=20, default="inbound")
    callback_id = peewee.IntegerField(null=True)
    received_at = peewee.DateTimeField(default=utcnow)
    closed_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "complaint"
        indexes = (
            (("received_at",), False),
            (("stage", "stage_due_at"), False),
            (("ticket", "received_at"), False),
            (("owner", "received_at"), False),
        )

    def __str__(self) -> str:
        return self.number


class ComplaintStep(BaseModel):
    """One line of a complaint's own log: a stage opened, worked, escalated or closed.

    ``due_at`` is the stage's deadline when the line opens a stage; ``done_at`` is set
    when that stage is finished. ``data`` keeps what the step's form recorded.
    """

    complaint = peewee.ForeignKeyField(Complaint, backref="steps", on_delete="CASCADE")
    stage = peewee.CharField(max_length=20)
    at = peewee.DateTimeField(default=utcnow)
    actor = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    note = peewee.TextField(default="")
    due_at = peewee.DateTimeField(null=True)
    done_at = peewee.DateTimeField(null=True)
    kind = peewee.CharField(max_length=20, default="stage")
    data = JSONField(default=dict)

    class Meta:
        table_name = "complaint_step"
        indexes = ((("complaint", "at"), False),)


COMPLAINT_MODELS = (Complaint, ComplaintStep)
