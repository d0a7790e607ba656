"""The shared tables every industry uses (DESIGN §3)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import peewee

from server.db import database

ROLES = ("admin", "supervisor", "dispatcher", "technician")
CUSTOMER_KINDS = ("person", "company")
CHANNELS = ("phone", "walk_in", "web", "wechat", "email", "letter")
PRIORITIES = ("low", "normal", "high", "urgent")


def utcnow() -> dt.datetime:
    """Now, as the naive UTC datetime every timestamp column stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class JSONField(peewee.TextField):
    """A dict stored as JSON text (portable across SQLite and PostgreSQL)."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value: str | None) -> Any:
        if value is None:
            return None
        return json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


# The first character of a system account's username; the user form refuses it.
SYSTEM_USER_PREFIX = "@"


class User(BaseModel):
    username = peewee.CharField(max_length=64, unique=True)
    display_name = peewee.CharField(max_length=100)
    email = peewee.CharField(max_length=200, default="")
    password_hash = peewee.CharField(max_length=255)
    role = peewee.CharField(max_length=20)
    team = peewee.CharField(max_length=100, default="")
    locale = peewee.CharField(max_length=10, default="")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # Raised when the password changes or on "log out everywhere": a session cookie
    # carries the epoch it was issued under and stops working once it is behind.
    session_epoch = peewee.IntegerField(default=0)

    class Meta:
        table_name = "user"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_system(self) -> bool:
        """A system account (e.g. ``@web``, the public form's): never a person, never
        signs in, not listed or edited with the staff."""
        return self.username.startswith(SYSTEM_USER_PREFIX)

    @classmethod
    def people(cls) -> peewee.ModelSelect:
        """Every user who is a person (system accounts left out)."""
        return cls.select().where(~cls.username.startswith(SYSTEM_USER_PREFIX))


class Customer(BaseModel):
    name = peewee.CharField(max_length=200)
    kind = peewee.CharField(max_length=20, default="person")
    phone = peewee.CharField(max_length=40, default="")
    email = peewee.CharField(max_length=200, default="")
    address = peewee.CharField(max_length=300, default="")
    region = peewee.CharField(max_length=100, default="")
    tier = peewee.CharField(max_length=40, default="normal")
    attributes = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    # Opted in to mail about their tickets (server.customer_mail), in ``language``
    # ("zh_CN"/"en"; empty: the configured default language).
    notify_by_email = peewee.BooleanField(default=False)
    language = peewee.CharField(max_length=10, default="")

    class Meta:
        table_name = "customer"
        indexes = ((("name",), False), (("phone",), False))

    def __str__(self) -> str:
        return self.name


class Asset(BaseModel):
    customer = peewee.ForeignKeyField(Customer, backref="assets", on_delete="RESTRICT")
    plugin = peewee.CharField(max_length=50)
    kind = peewee.CharField(max_length=50)
    identifier = peewee.CharField(max_length=100)
    coverage_start = peewee.DateField(null=True)
    coverage_end = peewee.DateField(null=True)
    attributes = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "asset"
        indexes = ((("plugin", "kind", "identifier"), False),)

    def __str__(self) -> str:
        return f"{self.kind} {self.identifier}"


class Ticket(BaseModel):
    number = peewee.CharField(max_length=40, unique=True)
    plugin = peewee.CharField(max_length=50)
    service = peewee.CharField(max_length=80)
    customer = peewee.ForeignKeyField(Customer, backref="tickets", on_delete="RESTRICT")
    asset = peewee.ForeignKeyField(Asset, null=True, backref="tickets", on_delete="SET NULL")
    title = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    channel = peewee.CharField(max_length=20, default="phone")
    priority = peewee.CharField(max_length=20, default="normal")
    status = peewee.CharField(max_length=20, default="new")
    assignee = peewee.ForeignKeyField(User, null=True, backref="tickets", on_delete="SET NULL")
    team = peewee.CharField(max_length=100, default="")
    reported_at = peewee.DateTimeField(default=utcnow)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    first_response_at = peewee.DateTimeField(null=True)
    arrived_at = peewee.DateTimeField(null=True)
    resolved_at = peewee.DateTimeField(null=True)
    closed_at = peewee.DateTimeField(null=True)
    attributes = JSONField(default=dict)
    version = peewee.IntegerField(default=1)

    class Meta:
        table_name = "ticket"
        # The queue's filters and sorts (see server.queue); created_at sorts the default view.
        indexes = (
            (("created_at",), False),
            (("status", "created_at"), False),
            (("plugin", "service", "created_at"), False),
            (("assignee", "created_at"), False),
            (("assignee", "status", "created_at"), False),
            (("priority", "created_at"), False),
            (("customer", "created_at"), False),
            (("team", "created_at"), False),
            (("updated_at",), False),
        )

    def __str__(self) -> str:
        return self.number


class TicketEvent(BaseModel):
    """One line of a ticket's append-only timeline."""

    ticket = peewee.ForeignKeyField(Ticket, backref="events", on_delete="CASCADE")
    at = peewee.DateTimeField(default=utcnow)
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = peewee.CharField(max_length=40)
    data = JSONField(default=dict)

    class Meta:
        table_name = "ticket_event"
        indexes = ((("ticket", "at"), False),)


class TicketCounter(BaseModel):
    """The last number handed out per prefix and year; numbers are never reused."""

    prefix = peewee.CharField(max_length=10)
    year = peewee.IntegerField()
    value = peewee.IntegerField(default=0)

    class Meta:
        table_name = "ticket_counter"
        primary_key = peewee.CompositeKey("prefix", "year")


class Attachment(BaseModel):
    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="attachments", on_delete="CASCADE")
    customer = peewee.ForeignKeyField(
        Customer, null=True, backref="attachments", on_delete="CASCADE"
    )
    filename = peewee.CharField(max_length=255)
    stored_name = peewee.CharField(max_length=64, unique=True)
    content_type = peewee.CharField(max_length=100)
    size = peewee.IntegerField()
    uploaded_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    uploaded_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "attachment"


CORE_MODELS = (User, Customer, Asset, Ticket, TicketEvent, TicketCounter, Attachment)
