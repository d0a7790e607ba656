"""The logged-in user's own account: API tokens (list, make one with its secret shown
once, revoke) and changing the password."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from server import audit, auth, ratelimit
from server.api_tokens import MAX_NAME, TokenError, issue_token, revoke_token, tokens_of
from server.db import write_transaction
from server.i18n import _l, gettext
from server.messages import sentence
from server.models import utcnow
from server.passwords import MAX_LENGTH, password_hint
from server.users import UserError, change_own_password

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


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", _l("The two new passwords differ."))],
    )


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> Any:
    """Change one's own password; every other session of the user ends."""
    form = PasswordChangeForm()
    limiter = ratelimit.limiter_of(current_app)
    if request.method == "POST" and limiter is not None:
        # guessing the current password here counts like sign-in attempts
        wait = limiter.login_attempt(request.remote_addr or "", g.user.username)
        if wait is not None:
            form.current.errors = [
                gettext("Too many sign-in attempts. Try again in %(n)s seconds.", n=wait)
            ]
            form.password.description = password_hint()
            page = render_template("account/password.html", form=form)
            return page, 429, {"Retry-After": str(wait)}
    if form.validate_on_submit():
        try:
            change_own_password(g.user, form.current.data, form.password.data)
        except UserError as exc:
            field = getattr(form, exc.field, form.password)
            field.errors = [*field.errors, sentence(exc)]
        else:
            auth.login(g.user)  # this browser goes on, with a cookie of the new epoch
            flash(gettext("Your password is changed; you are signed out everywhere else."))
            return redirect(url_for("account.password"), code=303)
    form.password.description = password_hint()
    status = 422 if request.method == "POST" else 200
    return render_template("account/password.html", form=form), status


@bp.route("/account/sessions/end", methods=["POST"])
def end_sessions() -> Any:
    """Sign out every other browser and device of this user (this one stays signed in)."""
    with write_transaction():
        auth.end_other_sessions(g.user)
        audit.record("user.sessions_ended", "user", g.user.id, {"username": g.user.username})
    auth.login(g.user)
    flash(gettext("You are signed out everywhere else."))
    return redirect(url_for("account.password"), code=303)
