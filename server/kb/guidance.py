"""Articles on tickets: linking one, and resolving a ticket by guidance (phone-first).

"Resolved by guidance" is the phone-first outcome: the desk talked the customer through
an article and no visit was needed. It links the article with that outcome and resolves
the ticket through ``transition_ticket`` — so the workflow table, the plugins' vetoes,
the SLA clocks and the callback schedule all apply — in one write transaction: a refused
move leaves neither the link nor its timeline entry behind.
"""

from __future__ import annotations

import datetime as dt

from server.catalog import Registry
from server.db import write_transaction
from server.kb.models import GUIDANCE_OUTCOME, KbArticle, KbTicketLink
from server.models import Ticket, TicketEvent, User, utcnow
from server.tickets import transition_ticket


def linked_articles(ticket: Ticket) -> list[KbTicketLink]:
    """The ticket's articles, oldest link first, with the article loaded."""
    return list(
        KbTicketLink.select(KbTicketLink, KbArticle)
        .join(KbArticle)
        .where(KbTicketLink.ticket == ticket)
        .order_by(KbTicketLink.linked_at, KbTicketLink.id)
    )


def _event(ticket: Ticket, actor: User, now: dt.datetime, kind: str, article: KbArticle) -> None:
    TicketEvent.create(
        ticket=ticket,
        actor=actor,
        at=now,
        kind=kind,
        data={"article": article.slug, "title": article.title},
    )


def _link(ticket: Ticket, article: KbArticle, actor: User, now: dt.datetime, outcome: str) -> bool:
    """Insert the link, or give an existing one the outcome; True when it was new."""
    existing = KbTicketLink.get_or_none(
        (KbTicketLink.ticket == ticket) & (KbTicketLink.article == article)
    )
    if existing is None:
        KbTicketLink.create(
            ticket=ticket, article=article, outcome=outcome, linked_by=actor, linked_at=now
        )
        return True
    if outcome:
        KbTicketLink.update(outcome=outcome).where(KbTicketLink.id == existing.id).execute()
    return False


def link_article(
    ticket: Ticket, article: KbArticle, actor: User, now: dt.datetime | None = None
) -> bool:
    """Link ``article`` to ``ticket`` (a timeline entry); False if it already was."""
    now = now or utcnow()
    with write_transaction():
        added = _link(ticket, article, actor, now, "")
        if added:
            _event(ticket, actor, now, "kb_linked", article)
    return added


def unlink_article(
    ticket: Ticket, article: KbArticle, actor: User, now: dt.datetime | None = None
) -> bool:
    """Take ``article`` off ``ticket`` (a timeline entry); False if it was not linked."""
    now = now or utcnow()
    with write_transaction():
        removed = (
            KbTicketLink.delete()
            .where((KbTicketLink.ticket == ticket) & (KbTicketLink.article == article))
            .execute()
        )
        if removed:
            _event(ticket, actor, now, "kb_unlinked", article)
    return bool(removed)


def resolve_by_guidance(
    registry: Registry,
    ticket: Ticket,
    expected_version: int,
    article: KbArticle,
    actor: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> Ticket:
    """Resolve ``ticket`` because the customer was guided through ``article``.

    The status event's note names the article; a ``kb_guidance`` event records it and the
    link carries the outcome ``resolved_by_guidance``.

    :raises StaleTicket: the ticket changed since ``expected_version``.
    :raises TransitionRefused: the workflow or a plugin refuses to resolve it now.
    """
    now = now or utcnow()
    status_note = f"[{article.title}] {note}".strip()
    with write_transaction():
        resolved = transition_ticket(
            registry, ticket, expected_version, "resolved", actor, status_note, now
        )
        _link(resolved, article, actor, now, GUIDANCE_OUTCOME)
        _event(resolved, actor, now, "kb_guidance", article)
    return resolved
