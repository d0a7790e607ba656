"""Log in and out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for

from server import auth
from server.forms import LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else would make the login page an open redirect."""
    if not target:
        return url_for("tickets.queue")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("tickets.queue")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = auth.authenticate(form.username.data, form.password.data)
        if user is not None:
            auth.login(user)
            return redirect(_safe_next(request.args.get("next")), code=303)
        form.password.errors.append("Wrong username or password.")
    status = 422 if form.errors else 200
    return render_template("login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    auth.logout()
    flash("You are logged out.")
    return redirect(url_for("auth.login"), code=303)
