"""The knowledge base's forms: search, writing an article, using one on a ticket."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, Form, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NoneOf, Optional, Regexp
from wtforms.widgets import HiddenInput

from server.forms import long_text, options, text
from server.i18n import _l
from server.kb.models import LANGUAGES

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,79}$"
LANGUAGE_LABELS = {"zh_CN": _l("Chinese"), "en": _l("English")}
ANY = _l("— any —")
MAX_BODY = 50_000


def _code(label: object) -> Field:
    """A plugin, category or service code (empty allowed)."""
    return text(
        label,
        50,
        validators=[Regexp(r"^[a-z0-9_]*$", message=_l("Lower-case letters, digits and _ only."))],
    )


class SearchForm(Form):
    """The list's search box and filters (GET, so every search is a link)."""

    q = text(_l("Search"), 200)
    plugin = SelectField(_l("Industry"), choices=[], default="")
    category = SelectField(_l("Service category"), choices=[], default="")

    def set_choices(self, plugins: list[tuple[str, str]], categories: list[str]) -> None:
        self.plugin.choices = options([("", ANY), *plugins])
        self.category.choices = options([("", ANY), *((c, c) for c in categories)])


class ArticleForm(FlaskForm):
    """Writing or editing an article."""

    title = text(_l("Title"), 200, required=True)
    slug = text(
        _l("Address (slug)"),
        80,
        required=True,
        description=_l("Lower-case letters, digits and hyphens, e.g. ac-not-cooling."),
        validators=[
            Regexp(SLUG_PATTERN, message=_l("Lower-case letters, digits and hyphens.")),
            # /kb/new is the page for writing one
            NoneOf(["new"], message=_l("This address is reserved; choose another.")),
        ],
    )
    language = SelectField(
        _l("Language"), choices=options([(c, LANGUAGE_LABELS[c]) for c in LANGUAGES])
    )
    visibility = SelectField(
        _l("Who may read it"),
        choices=options([("staff", _l("Staff only")), ("public", _l("Public (customers too)"))]),
        default="staff",
    )
    plugin = SelectField(_l("Industry"), choices=[], default="")
    category = _code(_l("Service category (optional)"))
    service = _code(_l("Service code (optional)"))
    body_markdown = long_text(_l("Text (Markdown)"), MAX_BODY, required=True)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class StatusForm(FlaskForm):
    """Publishing or withdrawing an article (the button says which)."""

    status = SelectField(choices=options([("draft", "draft"), ("published", "published")]))
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class LinkArticleForm(FlaskForm):
    """Use an article on a ticket: link it, or resolve the ticket by guidance."""

    article = StringField(
        _l("Article (address)"),
        validators=[InputRequired(), Length(max=80)],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )
    note = text(_l("Note (optional)"), 500)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
