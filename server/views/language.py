"""Choosing the page language: saved on the user when logged in, else in the session."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, request, session, url_for

from server.i18n import LOCALES, gettext
from server.models import User
from server.views.auth import same_site_path

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
def choose() -> Any:
    """Set the language from the switcher in the top bar (a plain form; CSRF-checked)."""
    locale = request.form.get("locale", "")
    if locale not in LOCALES:
        message = gettext("Unknown language %(name)s; choose one of %(known)s.")
        return message % {"name": repr(locale[:20]), "known": ", ".join(LOCALES)}, 400
    user = g.get("user")
    if user is not None:
        User.update(locale=locale).where(User.id == user.id).execute()
    session["locale"] = locale
    back = same_site_path(request.form.get("next"), url_for("tickets.home"))
    return redirect(back, code=303)
