"""The merit ledger (``merit_entry``) and the awarding cursor (``merit_cursor``)."""

from __future__ import annotations

import peewee

from server.models import BaseModel, Ticket, User, utcnow


class MeritEntry(BaseModel):
    """One commendation … major demerit for one person; the ledger is append-only.

    ``source_key`` is unique when set (``event:<ticket_event id>:<rule>``), so a rule
    never awards twice for the same event, however often the awarding runs.
    ``amount_cents`` is the money reward (positive) or fine (negative) of this entry.
    """

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    at = peewee.DateTimeField(default=utcnow)
    level = peewee.CharField(max_length=20)
    amount_cents = peewee.IntegerField(default=0)
    reason = peewee.CharField(max_length=500)
    source = peewee.CharField(max_length=10)  # "rule" | "manual"
    rule = peewee.CharField(max_length=80, default="")
    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    source_key = peewee.CharField(max_length=200, null=True, unique=True)
    entered_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "merit_entry"
        # statements read one person's entries by time; the overview all entries of a month
        indexes = ((("user", "at"), False), (("at",), False))


class MeritCursor(BaseModel):
    """The last ticket event the awarding has read (one row, ``name = "events"``)."""

    name = peewee.CharField(max_length=40, primary_key=True)
    last_event_id = peewee.BigIntegerField(default=0)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "merit_cursor"


MERIT_MODELS = (MeritEntry, MeritCursor)
