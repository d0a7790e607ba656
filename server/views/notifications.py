"""The logged-in user's notifications (escalations and the like)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, url_for

from server import htmx
from server.db import write_transaction
from server.i18n import ngettext
from server.notifications import mark_all_read, recent

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
def notification_list() -> Any:
    """Everyone may read their own notifications; nobody sees anyone else's."""
    return htmx.render(
        "notifications.html",
        "notifications.html",
        notifications=recent(g.user),
    )


@bp.route("/notifications/read", methods=["POST"])
def mark_read() -> Any:
    with write_transaction():
        count = mark_all_read(g.user)
    flash(
        ngettext(
            "%(num)d notification marked as read.", "%(num)d notifications marked as read.", count
        )
    )
    return redirect(url_for("notifications.notification_list"), code=303)
