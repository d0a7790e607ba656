"""Automatic survey mails (``[callbacks] email_surveys``): a due callback is mailed its
survey link once, without anyone pressing "Send survey by email".

Each round of the periodic job (:func:`server.jobs.run_sweep`) looks for pending
callbacks that are due, never had a link mailed (``callback.survey_mailed_at`` is null —
a link sent by staff sets it too) and whose customer has an address and opted in to mail
(``customer.notify_by_email``, the only consent we record). Each is claimed by a
conditional UPDATE (``… WHERE survey_mailed_at IS NULL AND status = 'pending'``) in the
write transaction that also writes the link and its mail, so a second round, a second
worker at the same time or a restart after a crash never mails a callback twice: the
claim is taken, or it rolled back together with the link and the mail.

The link's sender is the system user ``@survey`` (migration 25): the customer's answer
is recorded in its name, and the close, reopen or complaint that follows is its move.
The callback stays in the phone queue; ``email_survey_grace_hours`` moves its next try
that many hours on so agents phone only when the mail went unanswered.
"""

from __future__ import annotations

import datetime as dt
import logging

import peewee

from server.catalog import Registry
from server.customer_mail.survey_links import write_link
from server.db import write_transaction
from server.followup.models import Callback
from server.models import Customer, Ticket, User, utcnow

# The system user that sends the automatic survey mails and stands as the actor of what
# an answer to them does. Like the web form's ``@web`` it is inactive, its password hash
# matches nothing and ``server.auth.authenticate`` refuses "@" names: it never signs in.
SURVEY_USERNAME = "@survey"
SURVEY_DISPLAY_NAME = "自动回访 Automatic survey"
# Callbacks mailed per round at most (the rest wait for the next round).
BATCH = 200

log = logging.getLogger(__name__)


def create_survey_user(db: peewee.Database) -> None:
    """Insert the automatic survey's system user (inactive, no usable password) unless present."""
    p = db.param
    if db.execute_sql(f'SELECT 1 FROM "user" WHERE username = {p}', (SURVEY_USERNAME,)).fetchone():
        return
    db.execute_sql(
        'INSERT INTO "user" (username, display_name, email, password_hash, role, team, '
        "locale, active, created_at, session_epoch) "
        f"VALUES ({p}, {p}, '', '!', 'dispatcher', '', '', {p}, {p}, 0)",
        (SURVEY_USERNAME, SURVEY_DISPLAY_NAME, False, utcnow()),
    )


def survey_user() -> User:
    """The automatic survey's system user (made by migration 25)."""
    return User.get(User.username == SURVEY_USERNAME)


def due_for_mail(now: dt.datetime, limit: int = BATCH) -> list[Callback]:
    """Pending callbacks due by ``now`` (naive UTC), never mailed, of opted-in customers
    with an address; the longest due first."""
    return list(
        Callback.select(Callback)
        .join(Ticket, on=(Callback.ticket == Ticket.id))
        .join(Customer, on=(Ticket.customer == Customer.id))
        .where(
            (Callback.status == "pending")
            & (Callback.due_at <= now)
            & Callback.survey_mailed_at.is_null()
            & (Customer.email != "")
            & (Customer.notify_by_email == True)  # noqa: E712 (peewee builds SQL from ==)
        )
        .order_by(Callback.due_at, Callback.id)
        .limit(limit)
    )


def mail_due_surveys(registry: Registry, now: dt.datetime | None = None) -> int:
    """Mail the survey link of every callback that came due (one round); how many were mailed.

    Does nothing unless ``[callbacks] email_surveys`` is on. A callback whose mail cannot
    be written (a broken template, say) is logged and left for the next round.
    """
    settings = registry.callbacks
    if not settings.email_surveys:
        return 0
    now = now or utcnow()
    sender = survey_user()
    mailed = 0
    for callback in due_for_mail(now):
        try:
            mailed += _mail_one(registry, callback, sender, now)
        except Exception:
            log.exception("automatic survey mail for callback %s failed", callback.id)
    return mailed


def _mail_one(registry: Registry, callback: Callback, sender: User, now: dt.datetime) -> int:
    """Claim ``callback`` and write its link and mail in one transaction; 1 if mailed."""
    grace = registry.callbacks.email_survey_grace_hours
    with write_transaction():
        ticket = Ticket.get_by_id(callback.ticket_id)
        customer = Customer.get_by_id(ticket.customer_id)
        if not (customer.email and customer.notify_by_email):
            return 0  # changed since the look-up
        changes: dict[peewee.Field, object] = {Callback.survey_mailed_at: now}
        if grace and callback.attempts == 0:
            # Nobody phoned yet: the queue shows it again once the mail had its time.
            changes[Callback.next_try_at] = now + dt.timedelta(hours=grace)
        claimed = (
            Callback.update(changes)
            .where(
                (Callback.id == callback.id)
                & (Callback.status == "pending")
                & Callback.survey_mailed_at.is_null()
                # A call recorded meanwhile set its own next try: leave it to the next round.
                & (Callback.attempts == callback.attempts)
            )
            .execute()
        )
        if claimed != 1:
            return 0
        write_link(registry, callback, ticket, customer, sender, now)
    return 1
