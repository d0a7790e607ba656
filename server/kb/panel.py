"""What the ticket page's "Knowledge base" card shows."""

from __future__ import annotations

from typing import Any

from flask import g

from server import workflow
from server.catalog import current_registry
from server.i18n import current_locale
from server.kb.articles import suggested_articles
from server.kb.forms import LinkArticleForm
from server.kb.guidance import linked_articles
from server.models import Ticket
from server.permissions import user_can


def kb_panel(ticket: Ticket, form: LinkArticleForm | None = None) -> dict[str, Any]:
    """The card's context: linked articles, suggestions for the ticket's service, the
    form, and whether "Resolved by guidance" may be offered now."""
    service = current_registry().service(ticket.plugin, ticket.service)
    category = service.category if service is not None else ""
    links = linked_articles(ticket)
    linked_ids = {link.article_id for link in links}
    suggested = [
        a
        for a in suggested_articles(ticket.plugin, ticket.service, category, current_locale())
        if a.id not in linked_ids
    ]
    can_resolve = (
        user_can(g.user, "ticket.transition", ticket)
        and workflow.check_move(ticket.status, "resolved", ticket.assignee_id is not None).allowed
    )
    return {
        "kb_links": links,
        "kb_suggested": suggested,
        "kb_form": form or LinkArticleForm(formdata=None, version=ticket.version),
        "kb_can_resolve": can_resolve,
    }
