"""The knowledge base for staff: list and search, an article, writing and publishing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, request, url_for

from server import htmx
from server.auth import require
from server.catalog import current_registry
from server.forms import options
from server.i18n import gettext
from server.kb.articles import (
    Audience,
    SlugTaken,
    StaleArticle,
    article_facets,
    article_for,
    find_articles,
    save_article,
    set_status,
)
from server.kb.forms import ArticleForm, SearchForm, StatusForm
from server.kb.models import KbArticle
from server.kb.render import article_html
from server.models import Ticket
from server.permissions import user_can
from server.templating import current_locale, industry_label

bp = Blueprint("kb", __name__)


def staff_audience() -> Audience:
    """Staff read staff-only articles; editors also see drafts."""
    return Audience(staff=True, editor=user_can(g.user, "kb.edit"))


def search_form(args: Any) -> SearchForm:
    """The search form filled from the query string, its filters offered from the data."""
    form = SearchForm(args)
    plugins, categories = article_facets()
    form.set_choices([(p, industry_label(p)) for p in plugins], categories)
    if form.plugin.data not in {"", *plugins}:
        form.plugin.data = ""
    if form.category.data not in {"", *categories}:
        form.category.data = ""
    return form


@bp.get("/kb")
@require("kb.view")
def article_list() -> Any:
    """Search the articles (title and text, every word; Chinese by substring)."""
    form = search_form(request.args)
    form.validate()
    query = "" if form.q.errors else (form.q.data or "")
    articles = find_articles(
        staff_audience(),
        query=query,
        language=current_locale(),
        plugin=form.plugin.data or "",
        category=form.category.data or "",
    )
    return htmx.render(
        "kb/list.html",
        "kb/_results.html",
        form=form,
        articles=articles,
        query=query,
        link_ticket=_ticket_to_link(request.args.get("ticket", "")),
    )


def _ticket_to_link(number: str) -> Ticket | None:
    """The ticket named by ``?ticket=`` when the user may link articles to it."""
    ticket = Ticket.get_or_none(Ticket.number == number[:40]) if number else None
    if ticket is None or not user_can(g.user, "ticket.comment", ticket):
        return None
    return ticket


def _article_or_404(slug: str) -> KbArticle:
    article = article_for(slug, staff_audience())
    if article is None:
        abort(404)
    return article


@bp.get("/kb/<slug>")
@require("kb.view")
def article_page(slug: str) -> Any:
    article = _article_or_404(slug)
    return htmx.render(
        "kb/article.html",
        "kb/_article.html",
        article=article,
        body=article_html(article),
        status_form=StatusForm(formdata=None, version=article.version),
    )


def _plugin_choices(form: ArticleForm) -> None:
    registry = current_registry()
    form.plugin.choices = options(
        [("", gettext("— none —")), *((s, industry_label(s)) for s in registry.industries)]
    )


def _render_form(form: ArticleForm, article: KbArticle | None, status: int = 200) -> Any:
    return htmx.render("kb/form.html", "kb/_form.html", status=status, form=form, article=article)


def _fields(form: ArticleForm) -> dict[str, Any]:
    return {
        "slug": form.slug.data,
        "title": form.title.data,
        "body_markdown": form.body_markdown.data,
        "language": form.language.data,
        "visibility": form.visibility.data,
        "plugin": form.plugin.data,
        "category": form.category.data,
        "service": form.service.data,
    }


@bp.route("/kb/new", methods=["GET", "POST"])
@require("kb.edit")
def article_new() -> Any:
    """Write an article; it starts as a draft, which only editors see."""
    form = ArticleForm(data={"language": current_locale()} if request.method == "GET" else None)
    _plugin_choices(form)
    if not form.validate_on_submit():
        return _render_form(form, None, 422 if request.method == "POST" else 200)
    try:
        article = save_article(None, _fields(form), g.user)
    except SlugTaken:
        form.slug.errors.append(gettext("Another article has this address."))
        return _render_form(form, None, 422)
    flash(gettext("Draft saved: %(title)s.", title=article.title))
    return htmx.redirect(url_for("kb.article_page", slug=article.slug))


@bp.route("/kb/<slug>/edit", methods=["GET", "POST"])
@require("kb.edit")
def article_edit(slug: str) -> Any:
    """Edit an article; a stale form is refused with the current text shown."""
    article = _article_or_404(slug)
    if request.method == "GET":
        form = ArticleForm(
            formdata=None,
            data={
                "title": article.title,
                "slug": article.slug,
                "language": article.language,
                "visibility": article.visibility,
                "plugin": article.plugin or "",
                "category": article.category or "",
                "service": article.service or "",
                "body_markdown": article.body_markdown,
                "version": article.version,
            },
        )
    else:
        form = ArticleForm()
    _plugin_choices(form)
    if not form.validate_on_submit():
        return _render_form(form, article, 422 if request.method == "POST" else 200)
    try:
        saved = save_article(article, _fields(form), g.user, form.version.data)
    except SlugTaken:
        form.slug.errors.append(gettext("Another article has this address."))
        return _render_form(form, article, 422)
    except StaleArticle as exc:
        form.version.data = exc.current.version
        form.form_errors.append(
            gettext("Someone saved this article meanwhile; your text is below, theirs is live.")
        )
        return _render_form(form, exc.current, 409)
    flash(gettext("Saved: %(title)s.", title=saved.title))
    return htmx.redirect(url_for("kb.article_page", slug=saved.slug))


@bp.post("/kb/<slug>/status")
@require("kb.edit")
def article_status(slug: str) -> Any:
    """Publish a draft or withdraw a published article."""
    article = _article_or_404(slug)
    form = StatusForm()
    if not form.validate():
        abort(400)
    try:
        article = set_status(article, form.status.data, g.user, form.version.data)
    except StaleArticle:
        flash(gettext("Someone changed this article meanwhile; look again and retry."))
        return htmx.redirect(url_for("kb.article_page", slug=article.slug))
    if article.status == "published":
        flash(gettext("Published: %(title)s.", title=article.title))
    else:
        flash(gettext("Withdrawn to draft: %(title)s.", title=article.title))
    return htmx.redirect(url_for("kb.article_page", slug=article.slug))
