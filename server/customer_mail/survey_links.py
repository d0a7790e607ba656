"""Callback surveys by signed link: sending one, opening it, answering it once.

A link is ``/survey/<token>``: the token is a random nonce signed with the app's secret
and a salt of its own (``itsdangerous``), so a changed or made-up token is refused
before the database is asked, and a token of another salt (a session cookie, say) never
passes. The ``survey_link`` row decides the rest: expiry (``[callbacks]
survey_link_days``), single use, and revocation (a newer link for the same callback).

The answer goes through :func:`server.followup.record.record_callback`, the phone
callback's own write path, with channel ``"email_link"`` and the sender as the agent:
the same validation, score, outcome, ticket move or complaint. The link is claimed in
the same transaction, so a link answers once and an answer that fails leaves it unused.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from server.catalog import Registry
from server.customer_mail.mails import public_url, queue_mail
from server.customer_mail.models import SurveyLink
from server.db import write_transaction
from server.followup.models import Callback
from server.followup.record import CallbackAnswer, CallbackNotPending, record_callback
from server.followup.settings import MAX_SURVEY_LINK_DAYS
from server.models import Customer, Ticket, User, utcnow

SALT = "aftersales.survey-link"


class SurveyLinkError(Exception):
    """A survey link that cannot be answered."""


class LinkNotFound(SurveyLinkError):
    """Tampered, signed with another secret or salt, or unknown: answered with a 404."""


class LinkExpired(SurveyLinkError):
    """Past its expiry, or revoked by a newer link (410)."""


class LinkUsed(SurveyLinkError):
    """Answered already, or the callback was finished another way meanwhile (410)."""


class NoCustomerEmail(SurveyLinkError):
    """The ticket's customer has no email address to send the link to."""


# The row's ``expires_at`` is the expiry; the token's own timestamp only bounds how old
# any token can be (the longest configurable validity), whatever the rows say.
MAX_TOKEN_AGE = dt.timedelta(days=MAX_SURVEY_LINK_DAYS)


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def token_for(nonce: str, secret_key: str | bytes | None = None) -> str:
    """The signed token of a link's nonce (the app's secret unless one is given)."""
    return _serializer(secret_key or current_app.secret_key).dumps(nonce)


def link_url(token: str, fallback_base: str = "") -> str:
    """The absolute address of the survey page: under ``[server] public_url``, else
    under ``fallback_base`` (the sending request's own address)."""
    base = public_url() or fallback_base.rstrip("/")
    return f"{base}/survey/{token}"


def send_survey_link(
    registry: Registry,
    callback: Callback,
    sender: User,
    now: dt.datetime | None = None,
    fallback_base: str = "",
) -> SurveyLink:
    """Make a new link for a pending ``callback`` and mail it to the customer.

    Earlier unused links of the callback are revoked (only the newest works). The link
    and its mail are written in one transaction.

    :raises NoCustomerEmail: the customer has no address.
    :raises LinkUsed: the callback is not pending any more.
    """
    now = now or utcnow()
    ticket = Ticket.get_by_id(callback.ticket_id)
    customer = Customer.get_by_id(ticket.customer_id)
    if not customer.email:
        raise NoCustomerEmail()
    with write_transaction():
        if Callback.get_by_id(callback.id).status != "pending":
            raise LinkUsed()
        Callback.update(survey_mailed_at=now).where(Callback.id == callback.id).execute()
        return write_link(registry, callback, ticket, customer, sender, now, fallback_base)


def write_link(
    registry: Registry,
    callback: Callback,
    ticket: Ticket,
    customer: Customer,
    sender: User,
    now: dt.datetime,
    fallback_base: str = "",
) -> SurveyLink:
    """Revoke the callback's unused links, write a new one and put its mail in the outbox.

    Runs inside the caller's write transaction, which has checked that the callback is
    pending and the customer has an address.
    """
    SurveyLink.update(revoked_at=now).where(
        (SurveyLink.callback == callback.id)
        & SurveyLink.used_at.is_null()
        & SurveyLink.revoked_at.is_null()
    ).execute()
    nonce = secrets.token_urlsafe(24)
    link = SurveyLink.create(
        nonce=nonce,
        callback=callback.id,
        sent_to=customer.email,
        sent_by=sender,
        created_at=now,
        expires_at=now + dt.timedelta(days=registry.callbacks.survey_link_days),
    )
    queue_mail(
        registry,
        "survey",
        ticket,
        now,
        customer,
        survey_url=link_url(token_for(nonce), fallback_base),
        expires_at=link.expires_at,
    )
    return link


def open_link(token: str, now: dt.datetime | None = None) -> SurveyLink:
    """The answerable link ``token`` names.

    :raises LinkNotFound: bad signature or no such link.
    :raises LinkExpired: expired or revoked.
    :raises LinkUsed: answered, or its callback is finished.
    """
    now = now or utcnow()
    try:
        nonce = _serializer(current_app.secret_key).loads(
            token, max_age=int(MAX_TOKEN_AGE.total_seconds())
        )
    except SignatureExpired:
        raise LinkExpired() from None
    except BadSignature:
        raise LinkNotFound() from None
    if not isinstance(nonce, str):
        raise LinkNotFound()
    link = SurveyLink.get_or_none(SurveyLink.nonce == nonce)
    if link is None:
        raise LinkNotFound()
    if link.used_at is not None:
        raise LinkUsed()
    if Callback.get_by_id(link.callback_id).status != "pending":
        raise LinkUsed()
    if link.revoked_at is not None or link.expires_at <= now:
        raise LinkExpired()
    return link


def answer_link(
    registry: Registry, link: SurveyLink, answer: CallbackAnswer, now: dt.datetime | None = None
) -> Callback:
    """Record the customer's answer on the link's callback and use the link up.

    :raises CallbackInvalid: bad answers (nothing written, the link stays usable).
    :raises LinkUsed: the link or its callback was used meanwhile.
    :raises TransitionRefused: the ticket cannot make the move that follows.
    """
    now = now or utcnow()
    with write_transaction():
        claimed = (
            SurveyLink.update(used_at=now)
            .where((SurveyLink.id == link.id) & SurveyLink.used_at.is_null())
            .execute()
        )
        if claimed != 1:
            raise LinkUsed()
        callback = Callback.get_by_id(link.callback_id)
        ticket = Ticket.get_by_id(callback.ticket_id)
        sender = User.get_or_none(User.id == link.sent_by_id)
        if sender is None:
            raise LinkExpired()  # the sender's account is gone: nobody to record it for
        try:
            return record_callback(
                registry, callback, ticket.version, answer, sender, now, channel="email_link"
            )
        except CallbackNotPending:
            raise LinkUsed() from None


def links_of(callback: Callback) -> list[SurveyLink]:
    """The callback's survey links, newest first."""
    return list(
        SurveyLink.select()
        .where(SurveyLink.callback == callback.id)
        .order_by(SurveyLink.created_at.desc(), SurveyLink.id.desc())
    )
