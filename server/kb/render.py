"""Article Markdown → HTML that is safe to show: two layers, each enough on its own.

1. markdown-it-py in CommonMark mode with ``html=False``: raw HTML in the text is
   escaped, never passed through, and its link validator refuses ``javascript:``,
   ``vbscript:``, ``file:`` and ``data:`` (but images) URLs.
2. nh3 (the Ammonia sanitizer) cleans the output again with an allow-list of tags and
   attributes: links may point to http(s), mailto, tel or a relative path and get
   ``rel="nofollow noopener noreferrer"``; images only to https or a relative path.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code",
        "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody",
        "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "nofollow noopener noreferrer"
# Rendered articles kept per text: an edit renders afresh, and two databases served by one
# process (tests, or a restore) can never be handed each other's article with the same id.
CACHE_SIZE = 512

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _image_source_allowed(url: str) -> bool:
    """Images load from https or from this site (a relative path), nothing else."""
    parts = urlsplit(url.strip())
    if parts.scheme:
        return parts.scheme.lower() == "https"
    return not url.strip().startswith("//")  # protocol-relative: another host


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _image_source_allowed(value):
        return None
    return value


def sanitize(html: str) -> str:
    """The second layer: only allow-listed tags, attributes and URL schemes survive."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> Markup:
    """Article Markdown as HTML to put in a page (already escaped and sanitized)."""
    return Markup(sanitize(_markdown.render(text or "")))  # sanitized: safe to mark


class RenderCache:
    """A small per-process LRU of rendered articles keyed by their Markdown text."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def rendered(self, text: str) -> Markup:
        key = text
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        html = render_markdown(text)
        with self._lock:
            self._items[key] = html
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return html


_cache = RenderCache()


def article_html(article: object) -> Markup:
    """An article row's body as safe HTML, from the cache when this text was rendered."""
    return _cache.rendered(article.body_markdown)  # type: ignore[attr-defined]
