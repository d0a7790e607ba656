"""The logged-in user's own API tokens: list, make one (its secret shown once), revoke."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from server.api_tokens import MAX_NAME, TokenError, issue_token, revoke_token, tokens_of
from server.i18n import _l, gettext
from server.messages import sentence
from server.models import utcnow

bp = Blueprint("account", __name__)


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Say what the token is for.")), Length(max=MAX_NAME)],
        description=_l("What uses it, e.g. the phone system or the web shop."),
    )
    expires_in_days = IntegerField(
        _l("Expires after (days)"),
        validators=[Optional(), NumberRange(1, 3650, _l("Between 1 and 3650 days."))],
        description=_l("Empty: never (revoke it here when it is no longer needed)."),
    )


def _page(form: TokenForm, secret: str = "", status: int = 200) -> Any:
    html = render_template(
        "account/tokens.html",
        form=form,
        tokens=tokens_of(g.user),
        now=utcnow(),
        secret=secret,
    )
    # A new secret is on this response only (stored as a digest): never cached.
    return html, status, {"Cache-Control": "no-store"} if secret else {}


@bp.route("/account/tokens")
def tokens() -> Any:
    """Every user manages only their own tokens (a token acts with its user's role)."""
    return _page(TokenForm(formdata=None))


@bp.route("/account/tokens", methods=["POST"])
def create_token() -> Any:
    form = TokenForm()
    if not form.validate():
        return _page(form, status=422)
    days = form.expires_in_days.data
    expires_at = utcnow() + dt.timedelta(days=days) if days else None
    try:
        _token, secret = issue_token(g.user, form.name.data, expires_at)
    except TokenError as exc:
        form.name.errors = [sentence(exc)]
        return _page(form, status=422)
    return _page(TokenForm(formdata=None), secret=secret, status=201)


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
def revoke(token_id: int) -> Any:
    if revoke_token(g.user, token_id):
        flash(gettext("The token is revoked; calls with it now get 401."))
    else:  # the same answer whether it never was yours or is revoked already
        flash(gettext("You have no such active token; nothing changed."))
    return redirect(url_for("account.tokens"), code=303)
