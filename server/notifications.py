"""In-app notifications and the mail outbox: who is told what, written with the event.

Notifications and mails are written in the same transaction as the event that causes
them (an escalation step, say), so each is created exactly once; mails are sent later,
outside any transaction, by ``server.mail.deliver_pending``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import peewee

from server.models import BaseModel, Ticket, User, utcnow


class Notification(BaseModel):
    user = peewee.ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    ticket = peewee.ForeignKeyField(Ticket, null=True, on_delete="CASCADE")
    text = peewee.CharField(max_length=500)
    created_at = peewee.DateTimeField(default=utcnow)
    read_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "notification"
        indexes = ((("user", "read_at", "created_at"), False),)


class OutgoingMail(BaseModel):
    """A mail waiting to be sent (or sent): the outbox the mail sender drains."""

    to = peewee.CharField(max_length=200)
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField()
    created_at = peewee.DateTimeField(default=utcnow)
    sent_at = peewee.DateTimeField(null=True)
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.CharField(max_length=500, default="")

    class Meta:
        table_name = "outgoing_mail"
        indexes = ((("sent_at", "attempts"), False),)


NOTIFICATION_MODELS = (Notification, OutgoingMail)


def escalation_recipients(ticket: Ticket, notify: str) -> list[User]:
    """``assignee`` → the ticket's assignee; ``supervisor``/``admin`` → every active one."""
    if notify == "assignee":
        return [ticket.assignee] if ticket.assignee_id and ticket.assignee.active else []
    return list(User.select().where((User.role == notify) & (User.active == True)))  # noqa: E712


def notify(
    users: Iterable[User],
    ticket: Ticket | None,
    subject: str,
    text: str,
    now: dt.datetime,
    mail: bool = True,
) -> int:
    """Tell each user in the app and, if they have an address, by mail; returns how many."""
    count = 0
    for user in users:
        Notification.create(user=user, ticket=ticket, text=text[:500], created_at=now)
        if mail and user.email:
            OutgoingMail.create(to=user.email, subject=subject[:300], body=text, created_at=now)
        count += 1
    return count


def unread_count(user: User | int) -> int:
    return (
        Notification.select()
        .where((Notification.user == user) & Notification.read_at.is_null())
        .count()
    )


def recent(user: User, limit: int = 100) -> list[Notification]:
    return list(
        Notification.select()
        .where(Notification.user == user)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )


def mark_all_read(user: User, now: dt.datetime | None = None) -> int:
    return (
        Notification.update(read_at=now or utcnow())
        .where((Notification.user == user) & Notification.read_at.is_null())
        .execute()
    )
