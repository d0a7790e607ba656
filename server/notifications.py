"""In-app notifications and the mail outbox: who is told what, written with the event.

Notifications and mails are written in the same transaction as the event that causes
them (an escalation step, say), so each is created exactly once; mails are sent later,
outside any transaction, by ``server.mail.deliver_pending``.

Both are stored as finished text in the **recipient's** language (their own setting, else
the configured default): the sender passes functions that write the subject and the text
with ``gettext``, and :func:`notify` calls them once per recipient inside
:func:`server.i18n.force_locale`. A stored text therefore does not follow a later change of
the user's language; in return a mail needs no request to be written and the list of
notifications needs no re-rendering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import peewee

from server.i18n import LOCALES, default_locale, force_locale
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


# A text as it is, or a function writing it (with ``gettext``) in the current language.
Written = str | Callable[[], str]


def user_language(user: User) -> str:
    """The language texts for ``user`` are written in: theirs, else the configured default."""
    return user.locale if user.locale in LOCALES else default_locale()


def in_language_of(user: User, written: Written) -> str:
    """``written`` in ``user``'s language (a plain string is returned as it is)."""
    if not callable(written):
        return written
    with force_locale(user_language(user)):
        return written()


def notify(
    users: Iterable[User],
    ticket: Ticket | None,
    subject: Written,
    text: Written,
    now: dt.datetime,
    mail: bool = True,
) -> int:
    """Tell each user in the app and, if they have an address, by mail; returns how many.

    ``subject`` and ``text`` are best functions writing them with ``gettext``: each user
    gets them in their own language.
    """
    count = 0
    for user in users:
        said = in_language_of(user, text)
        Notification.create(user=user, ticket=ticket, text=said[:500], created_at=now)
        if mail and user.email:
            title = in_language_of(user, subject)
            OutgoingMail.create(to=user.email, subject=title[:300], body=said, created_at=now)
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
