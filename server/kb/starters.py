"""Plugins' starter articles, imported once and never over someone's edits."""

from __future__ import annotations

from dataclasses import dataclass, field

import pluggy

from server.config import Config
from server.db import write_transaction
from server.kb.articles import search_text
from server.kb.models import KbArticle
from server.models import utcnow
from server.plugin_api import ArticleSpec
from server.plugins import CORE_PLUGIN_NAME, call_on


@dataclass
class StarterReport:
    """What one import did, slug by slug."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # kept as they are: edited by staff since, or another article holds the slug
    kept_edited: list[str] = field(default_factory=list)
    slug_taken: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per kind of outcome that happened."""
        parts = [
            ("added", self.added),
            ("updated", self.updated),
            ("kept (edited by staff)", self.kept_edited),
            ("skipped (slug used by another article)", self.slug_taken),
        ]
        return [f"{what}: {', '.join(slugs)}" for what, slugs in parts if slugs]


def starter_specs(pm: pluggy.PluginManager, config: Config) -> list[tuple[str, ArticleSpec]]:
    """Every enabled plugin's starter articles, as (plugin name, spec)."""
    specs = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin)
        if name == CORE_PLUGIN_NAME:
            continue
        results = call_on(pm, name, "register_articles", settings=config.plugin_table(name))
        specs.extend((name, spec) for result in results or [] for spec in result or [])
    return specs


def _values(plugin: str, spec: ArticleSpec) -> dict[str, object]:
    return {
        "title": spec.title,
        "body_markdown": spec.body,
        "language": spec.language,
        "visibility": spec.visibility,
        "plugin": plugin,
        "category": spec.category or None,
        "service": spec.service or None,
        "search_text": search_text(spec.title, spec.body),
        "starter_version": spec.version,
        "updated_at": utcnow(),
    }


def import_starters(specs: list[tuple[str, ArticleSpec]]) -> StarterReport:
    """Add the articles not there yet (published), update unedited ones of an older
    starter version, keep everything else; all in one transaction (safe to repeat)."""
    report = StarterReport()
    with write_transaction():
        for plugin, spec in specs:
            stored = KbArticle.get_or_none(KbArticle.slug == spec.slug)
            if stored is None:
                KbArticle.create(
                    slug=spec.slug, status="published", origin=plugin, **_values(plugin, spec)
                )
                report.added.append(spec.slug)
            elif stored.origin != plugin:
                report.slug_taken.append(spec.slug)
            elif (stored.starter_version or 0) >= spec.version:
                continue
            elif stored.edited:
                report.kept_edited.append(spec.slug)
            else:
                KbArticle.update(**_values(plugin, spec), version=KbArticle.version + 1).where(
                    KbArticle.id == stored.id
                ).execute()
                report.updated.append(spec.slug)
    return report
