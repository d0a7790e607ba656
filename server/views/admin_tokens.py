"""Every user's API tokens, for administrators: list (optionally one user's) and revoke."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from server.api_tokens import all_tokens, find_token, revoke_token
from server.auth import require
from server.i18n import gettext
from server.models import User, utcnow

bp = Blueprint("admin_tokens", __name__, url_prefix="/admin")


def _chosen_user() -> User | None:
    """The user named by ``?user=``; None for everyone; 404 for a name nobody has."""
    username = request.args.get("user", "").strip()
    if not username:
        return None
    return User.get_or_none(User.username == username) or abort(404)


@bp.route("/tokens")
@require("token.manage")
def tokens() -> Any:
    """The tokens of every user, or of the one in ``?user=`` (linked from the user's page)."""
    user = _chosen_user()
    html = render_template("admin/tokens.html", tokens=all_tokens(user), user=user, now=utcnow())
    return html, 200, {"Cache-Control": "no-store"}


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@require("token.manage")
def revoke(token_id: int) -> Any:
    """Revoke anyone's token; back to the list (still filtered by ``?user=``)."""
    user = _chosen_user()
    token = find_token(token_id) or abort(404)
    if revoke_token(token.user, token.id):
        flash(
            gettext(
                "Token '%(token)s' of %(user)s is revoked; its calls now get 401.",
                token=token.name,
                user=token.user.username,
            )
        )
    else:
        flash(
            gettext(
                "Token '%(token)s' of %(user)s was already revoked.",
                token=token.name,
                user=token.user.username,
            )
        )
    target = url_for("admin_tokens.tokens", user=user.username) if user else None
    return redirect(target or url_for("admin_tokens.tokens"), code=303)
