"""Keeping the gettext catalogs true to the source: extract, update, check.

``aftersales translations update`` extracts every marked string of the core (``server/``
and ``templates/``) and of each built-in plugin (``plugins/<name>/``) into that part's
``translations/messages.pot`` and merges it into its ``zh_CN`` and ``en`` catalogs.
``aftersales translations check`` (and the test suite) fail when a catalog lacks a
message, leaves one untranslated or fuzzy, or drops a ``%(name)s`` placeholder.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from server.config import PROJECT_ROOT
from server.i18n import CORE_TRANSLATIONS, DOMAIN, catalog_file

KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
# The locale whose catalog must translate everything; English is the source language.
TRANSLATED = "zh_CN"
CATALOG_LOCALES = ("zh_CN", "en")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


@dataclass(frozen=True)
class CatalogPart:
    """One translated part of the project: its source folders and its catalog folder."""

    name: str
    sources: tuple[Path, ...]
    translations: Path


def project_parts(root: Path = PROJECT_ROOT) -> list[CatalogPart]:
    """The core, then each built-in plugin that has a ``translations`` folder."""
    parts = [CatalogPart("core", (root / "server", root / "templates"), CORE_TRANSLATIONS)]
    for plugin in sorted((root / "plugins").iterdir()):
        if (plugin / "translations").is_dir():
            parts.append(CatalogPart(plugin.name, (plugin,), plugin / "translations"))
    return parts


def _method_map(source: Path) -> list[tuple[str, str]]:
    if source.name == "templates":
        # .txt: the mail templates (templates/mail/)
        return [("**.html", "jinja2"), ("**.txt", "jinja2")]
    return [
        ("translations/**", "ignore"),
        ("tests/**", "ignore"),
        ("**/templates/**.html", "jinja2"),
        ("**/templates/**.txt", "jinja2"),
        ("**.py", "python"),
    ]


def extract(part: CatalogPart) -> Catalog:
    """Every string the part's code and templates mark for translation."""
    template = _new_catalog()
    for source in part.sources:
        found = extract_from_dir(
            str(source),
            method_map=_method_map(source),
            options_map={"**.html": {"trimmed": "true"}},
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            location = (str((source / filename).relative_to(PROJECT_ROOT)), lineno)
            template.add(message, locations=[location], auto_comments=comments, context=context)
    return template


# Fixed header dates: an update that changes no message changes no file.
_HEADER_DATE = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)


def _new_catalog(locale: str | None = None) -> Catalog:
    return Catalog(
        locale=locale,
        domain=DOMAIN,
        project="aftersales",
        version="1",
        copyright_holder="the aftersales authors",
        msgid_bugs_address="",
        creation_date=_HEADER_DATE,
        revision_date=_HEADER_DATE,
        header_comment=f"# {locale or 'Template'} messages of aftersales.",
        fuzzy=False,
    )


def read_catalog(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return _new_catalog(locale)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
    path.write_bytes(buffer.getvalue())


def update(part: CatalogPart) -> dict[str, int]:
    """Write the part's ``messages.pot`` and merge it into each locale's catalog.

    Messages no longer in the source are dropped (not kept as obsolete); a changed source
    string keeps the old translation marked fuzzy for a translator to confirm.
    :returns: untranslated message counts per locale after the merge.
    """
    template = extract(part)
    write_catalog(template, part.translations / f"{DOMAIN}.pot")
    untranslated: dict[str, int] = {}
    for locale in CATALOG_LOCALES:
        path = catalog_file(part.translations, locale)
        catalog = read_catalog(path, locale)
        catalog.update(template, update_header_comment=False)
        catalog.obsolete.clear()
        write_catalog(catalog, path)
        untranslated[locale] = sum(1 for message in catalog if message.id and not message.string)
    return untranslated


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in _PLACEHOLDER.findall(text)}


def _strings(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return [s for s in message.string]
    return [message.string or ""]


def problems(part: CatalogPart) -> list[str]:
    """What is wrong with the part's catalogs against its source, one line each."""
    template = extract(part)
    found: list[str] = []
    for locale in CATALOG_LOCALES:
        path = catalog_file(part.translations, locale)
        if not path.exists():
            found.append(f"{part.name}: no {locale} catalog at {path}")
            continue
        catalog = read_catalog(path, locale)
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, context=message.context)
            where = f"{part.name} {locale}: {_shown(message.id)}"
            if translated is None:
                found.append(f"{where}: missing from the catalog (run translations update)")
                continue
            if locale != TRANSLATED:
                continue
            if translated.fuzzy:
                found.append(f"{where}: marked fuzzy (the source changed; confirm)")
            strings = _strings(translated)
            if not all(s.strip() for s in strings):
                found.append(f"{where}: not translated")
                continue
            source = message.id if isinstance(message.id, str) else message.id[0]
            expected = _placeholders(source)
            for string in strings:
                if _placeholders(string) != expected:
                    found.append(f"{where}: placeholders differ from the source")
                    break
    return found


def _shown(message_id: str | tuple[str, ...]) -> str:
    text = message_id if isinstance(message_id, str) else message_id[0]
    return repr(text if len(text) <= 60 else text[:57] + "...")
