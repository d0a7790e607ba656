"""Log in and out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from server import audit, auth, ratelimit
from server.db import write_transaction
from server.forms import LoginForm
from server.i18n import gettext

bp = Blueprint("auth", __name__)


def same_site_path(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback`` (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def _safe_next(target: str | None) -> str:
    return same_site_path(target, url_for("tickets.queue"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    limiter = ratelimit.limiter_of(current_app)
    if request.method == "POST" and limiter is not None:
        wait = limiter.login_attempt(request.remote_addr or "", request.form.get("username", ""))
        if wait is not None:
            # the same words whether or not the username exists; the password is not checked
            refusal = gettext("Too many sign-in attempts. Try again in %(n)s seconds.", n=wait)
            page = render_template("login.html", form=form, refusal=refusal)
            return page, 429, {"Retry-After": str(wait)}
    if form.validate_on_submit():
        user = auth.authenticate(form.username.data, form.password.data)
        with write_transaction():  # the attempted name only, never the password
            if user is not None:
                audit.record("login.success", "user", user.id, actor=user)
            else:
                audit.record("login.failure", actor_name=form.username.data.strip()[:64] or "-")
        if user is not None:
            auth.login(user)
            return redirect(_safe_next(request.args.get("next")), code=303)
        form.password.errors.append(gettext("Wrong username or password."))
    status = 422 if form.errors else 200
    return render_template("login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if g.user is not None:
        with write_transaction():
            audit.record("logout", "user", g.user.id)
    auth.logout()
    flash(gettext("You are logged out."))
    return redirect(url_for("auth.login"), code=303)
