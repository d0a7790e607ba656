"""The ticket page's knowledge-base actions: link, unlink, resolved by guidance."""

from __future__ import annotations

from typing import Any

from flask import g

from server.auth import require, require_on_ticket
from server.catalog import current_registry
from server.i18n import gettext
from server.kb.articles import article_for
from server.kb.forms import LinkArticleForm
from server.kb.guidance import link_article, resolve_by_guidance, unlink_article
from server.kb.models import KbArticle
from server.links import cascade_message, cascade_resolution
from server.messages import reason, text
from server.models import Ticket
from server.tickets import StaleTicket, TransitionRefused
from server.views.kb import staff_audience
from server.views.ticket_page import _after_action, _render_detail
from server.views.tickets import bp, ticket_or_404


def _checked(ticket: Ticket, form: LinkArticleForm) -> KbArticle | None:
    """The form's published article, or None with the error put by its field."""
    if not form.validate():
        return None
    article = article_for(form.article.data, staff_audience())
    if article is None or article.status != "published":
        form.article.errors.append(
            gettext("There is no published article %(slug)s.", slug=form.article.data)
        )
        return None
    return article


@bp.post("/tickets/<number>/kb/link")
@require("ticket.comment")
def kb_link(number: str) -> Any:
    """Link a published article to the ticket (it shows in the card and the timeline)."""
    ticket = ticket_or_404(number)
    require_on_ticket("ticket.comment", ticket)
    form = LinkArticleForm()
    article = _checked(ticket, form)
    if article is None:
        return _render_detail(ticket, 422, gettext("Not linked: see the marked field."), kb=form)
    if link_article(ticket, article, g.user):
        message = gettext("Article linked: %(title)s.", title=article.title)
    else:
        message = gettext("That article was already linked.")
    return _after_action(Ticket.get_by_id(ticket.id), message)


@bp.post("/tickets/<number>/kb/unlink")
@require("ticket.comment")
def kb_unlink(number: str) -> Any:
    ticket = ticket_or_404(number)
    require_on_ticket("ticket.comment", ticket)
    form = LinkArticleForm()
    article = (
        KbArticle.get_or_none(KbArticle.slug == form.article.data) if form.validate() else None
    )
    if article is not None and unlink_article(ticket, article, g.user):
        message = gettext("Article unlinked: %(title)s.", title=article.title)
    else:
        message = gettext("That article was not linked.")
    return _after_action(Ticket.get_by_id(ticket.id), message)


@bp.post("/tickets/<number>/kb/resolve")
@require("ticket.transition")
def kb_resolve(number: str) -> Any:
    """Resolved by guidance: link the article and resolve the ticket, in one step."""
    ticket = ticket_or_404(number)
    require_on_ticket("ticket.transition", ticket)
    form = LinkArticleForm()
    article = _checked(ticket, form)
    if article is None or form.version.data is None:
        return _render_detail(ticket, 422, gettext("Not resolved: see the marked field."), kb=form)
    registry = current_registry()
    try:
        ticket = resolve_by_guidance(
            registry, ticket, form.version.data, article, g.user, form.note.data or ""
        )
    except StaleTicket as exc:
        return _render_detail(exc.current, 409, text(exc))
    except TransitionRefused as exc:
        return _render_detail(
            ticket, 422, gettext("Not resolved: %(reason)s.", reason=reason(exc)), kb=form
        )
    message = gettext(
        "%(number)s resolved by guidance (%(title)s).", number=ticket.number, title=article.title
    )
    cascaded = cascade_message(cascade_resolution(registry, ticket, g.user))
    return _after_action(ticket, " ".join(part for part in (message, cascaded) if part))
