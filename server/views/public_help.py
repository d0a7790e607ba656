"""The customers' help pages: published public articles, without a login.

Off unless ``[kb] public = true`` (then 404, as if there were no such page); each
request counts per client address against ``[kb] public_rate_limit`` (when rate limits
are enabled), over it a 429 page with ``Retry-After``. Nothing staff-only is read:
drafts and staff articles are not found, whoever asks.
"""

from __future__ import annotations

import functools
from typing import Any

import limits
from flask import Blueprint, abort, current_app, make_response, render_template, request

from server.auth import public
from server.kb.articles import PUBLIC, article_for, find_articles
from server.kb.forms import SearchForm
from server.kb.render import article_html
from server.ratelimit import limiter_of, parse_limit
from server.templating import current_locale

bp = Blueprint("help", __name__)


@functools.lru_cache(maxsize=8)
def _limit(text: str) -> limits.RateLimitItem:
    return parse_limit(text, "kb.public_rate_limit")


@bp.before_request
def gate() -> Any:
    """404 unless public articles are switched on; 429 for a client over its budget."""
    settings = current_app.extensions["aftersales"].config.kb
    if not settings.public:
        abort(404)
    limiter = limiter_of(current_app)
    if limiter is None:
        return None
    verdict = limiter.hit(
        _limit(settings.public_rate_limit), "kb-public", request.remote_addr or "-"
    )
    if verdict.allowed:
        return None
    response = make_response(render_template("public/kb_busy.html"), 429)
    response.headers["Retry-After"] = str(verdict.retry_after())
    return response


@bp.get("/help")
@public
def help_index() -> Any:
    """The public articles, the page's language first; a search box (every word)."""
    form = SearchForm(request.args)
    form.validate()
    query = "" if form.q.errors else (form.q.data or "")
    articles = find_articles(PUBLIC, query=query, language=current_locale())
    return render_template("public/kb_list.html", form=form, articles=articles, query=query)


@bp.get("/help/<slug>")
@public
def help_article(slug: str) -> Any:
    article = article_for(slug, PUBLIC)
    if article is None:
        abort(404)
    return render_template("public/kb_article.html", article=article, body=article_html(article))
