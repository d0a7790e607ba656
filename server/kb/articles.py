"""Reading and writing articles: who sees which, search, suggestions, saving."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import peewee

from server.db import write_transaction
from server.kb.models import KbArticle
from server.models import User, utcnow
from server.search import contains_text

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
# Search words beyond this many are ignored (each is one substring test per article).
MAX_WORDS = 8
PAGE_SIZE = 50


class StaleArticle(Exception):
    """Someone saved the article since this form was opened."""

    def __init__(self, current: KbArticle) -> None:
        super().__init__("stale article")
        self.current = current


class SlugTaken(Exception):
    """Another article has this slug."""


@dataclass(frozen=True)
class Audience:
    """Who is reading: customers see published public articles; staff see published
    staff-only ones too; editors see drafts as well."""

    staff: bool = False
    editor: bool = False


PUBLIC = Audience()


def search_text(title: str, body: str) -> str:
    """What the search box matches: title and body, lower-cased."""
    return f"{title}\n{body}".lower()


def _visible(audience: Audience) -> peewee.Expression:
    condition = KbArticle.status == "published"
    if audience.editor:
        condition = KbArticle.status.in_(("draft", "published"))
    if not audience.staff:
        condition &= KbArticle.visibility == "public"
    return condition


def article_for(slug: str, audience: Audience) -> KbArticle | None:
    """The article named ``slug`` if this audience may read it, else None."""
    return KbArticle.get_or_none((KbArticle.slug == slug) & _visible(audience))


def words_of(query: str) -> list[str]:
    """The search box's words (every one must occur: substrings, any script)."""
    return [word for word in query.lower().split() if word][:MAX_WORDS]


def find_articles(
    audience: Audience,
    *,
    query: str = "",
    language: str = "zh_CN",
    plugin: str = "",
    category: str = "",
    limit: int = PAGE_SIZE,
) -> list[KbArticle]:
    """Articles this audience may read, matching every word of ``query`` in the title or
    body, in ``language`` first, then the most recently updated.

    :param plugin: only articles of this industry plugin ("" any).
    :param category: only articles of this service category ("" any).
    """
    condition = _visible(audience)
    for word in words_of(query):
        condition &= contains_text(KbArticle.search_text, word)
    if plugin:
        condition &= KbArticle.plugin == plugin
    if category:
        condition &= KbArticle.category == category
    own_language = peewee.Case(None, [(KbArticle.language == language, 0)], 1)
    return list(
        KbArticle.select()
        .where(condition)
        .order_by(own_language, KbArticle.updated_at.desc(), KbArticle.id.desc())
        .limit(limit)
    )


def suggested_articles(
    plugin: str, service: str, category: str, language: str, limit: int = 5
) -> list[KbArticle]:
    """Published articles for a ticket of ``plugin``'s ``service`` (staff see all):
    those naming the service first, then its category, then the plugin's general ones;
    the page's language first within each."""
    fits = (KbArticle.plugin == plugin) & (
        (KbArticle.service == service)
        | ((KbArticle.service.is_null()) & (KbArticle.category == category))
        | (KbArticle.service.is_null() & KbArticle.category.is_null())
    )
    rank = peewee.Case(
        None, [(KbArticle.service == service, 0), (KbArticle.category == category, 1)], 2
    )
    own_language = peewee.Case(None, [(KbArticle.language == language, 0)], 1)
    return list(
        KbArticle.select()
        .where((KbArticle.status == "published") & fits)
        .order_by(rank, own_language, KbArticle.title)
        .limit(limit)
    )


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value else None


def save_article(
    article: KbArticle | None,
    fields: Mapping[str, Any],
    actor: User | None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> KbArticle:
    """Create (``article`` None) or update an article from checked form values.

    ``fields``: slug, title, body_markdown, language, visibility, plugin, category,
    service (and status on creation). An update compares ``expected_version`` first and
    marks the article as edited, so a plugin's newer starter text never replaces it.

    :raises SlugTaken: another article has the slug.
    :raises StaleArticle: the article changed since ``expected_version``.
    """
    now = now or utcnow()
    values = {
        "slug": fields["slug"],
        "title": fields["title"].strip(),
        "body_markdown": fields["body_markdown"],
        "language": fields["language"],
        "visibility": fields["visibility"],
        "plugin": _blank_to_none(fields.get("plugin")),
        "category": _blank_to_none(fields.get("category")),
        "service": _blank_to_none(fields.get("service")),
        "search_text": search_text(fields["title"].strip(), fields["body_markdown"]),
        "updated_by": actor,
        "updated_at": now,
    }
    with write_transaction():
        clash = KbArticle.select(KbArticle.id).where(KbArticle.slug == values["slug"])
        if article is not None:
            clash = clash.where(KbArticle.id != article.id)
        if clash.exists():
            raise SlugTaken(values["slug"])
        if article is None:
            status = fields.get("status", "draft")
            return KbArticle.create(**values, status=status, created_by=actor, created_at=now)
        changed = (
            KbArticle.update(**values, edited=True, version=KbArticle.version + 1)
            .where((KbArticle.id == article.id) & (KbArticle.version == expected_version))
            .execute()
        )
        if not changed:
            raise StaleArticle(KbArticle.get_by_id(article.id))
        return KbArticle.get_by_id(article.id)


def set_status(article: KbArticle, status: str, actor: User, expected_version: int) -> KbArticle:
    """Publish or withdraw (back to draft) an article.

    :raises StaleArticle: the article changed since ``expected_version``.
    """
    with write_transaction():
        changed = (
            KbArticle.update(
                status=status,
                updated_by=actor,
                updated_at=utcnow(),
                version=KbArticle.version + 1,
            )
            .where((KbArticle.id == article.id) & (KbArticle.version == expected_version))
            .execute()
        )
        if not changed:
            raise StaleArticle(KbArticle.get_by_id(article.id))
    return KbArticle.get_by_id(article.id)


def article_facets() -> tuple[list[str], list[str]]:
    """The plugins and categories articles are filed under (for the filters)."""
    plugins = KbArticle.select(KbArticle.plugin).where(KbArticle.plugin.is_null(False)).distinct()
    categories = (
        KbArticle.select(KbArticle.category).where(KbArticle.category.is_null(False)).distinct()
    )
    return sorted(a.plugin for a in plugins), sorted(a.category for a in categories)
