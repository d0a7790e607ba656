"""The audit log of administrative actions (admins only): newest first, filtered, paged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request
from wtforms import DateField, Form, SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from server.audit import audit_page, known_actions
from server.auth import require
from server.forms import options
from server.i18n import _l, gettext
from server.inputs import record_id
from server.timeutil import local_to_utc

bp = Blueprint("audit", __name__, url_prefix="/admin")
PER_PAGE = 50

# What each recorded action means, shown under its code.
ACTION_LABELS = {
    "login.success": _l("Signed in"),
    "login.failure": _l("Sign-in refused (wrong name or password)"),
    "logout": _l("Signed out"),
    "user.create": _l("User created"),
    "user.update": _l("User edited"),
    "user.role_change": _l("Role changed"),
    "user.activation": _l("Activated or deactivated"),
    "user.password_reset": _l("Password set by an admin"),
    "user.password_change": _l("Own password changed"),
    "user.sessions_ended": _l("Signed out everywhere else"),
    "token.create": _l("API token made"),
    "token.revoke": _l("API token revoked"),
    "webhook.create": _l("Webhook registered"),
    "webhook.update": _l("Webhook edited"),
    "webhook.rotate_secret": _l("Webhook secret replaced"),
    "webhook.retry": _l("Webhook delivery sent again"),
    "webhook.ping": _l("Webhook test event sent"),
    "outlet.create": _l("Outlet created"),
    "outlet.update": _l("Outlet edited"),
    "technician.update": _l("Technician's outlet, skills or regions changed"),
    "import.run": _l("Import run"),
    "backup.create": _l("Backup written (command line)"),
    "backup.restore": _l("Backup restored (command line)"),
}


class AuditFilterForm(Form):
    """A GET form, so a filtered view can be bookmarked and shared."""

    actor = StringField(_l("Username"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), choices=[], default="")
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def validate_end(self, field: Any) -> None:
        for date in (self.start.data, field.data):
            if date is not None and not 2000 <= date.year <= 2999:
                raise ValidationError(gettext("Choose dates between the years 2000 and 2999."))
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(gettext("The end comes before the start."))


def _day_start(day: dt.date | None) -> dt.datetime | None:
    """Local midnight of ``day`` as stored (naive UTC)."""
    return local_to_utc(dt.datetime.combine(day, dt.time())) if day else None


@bp.route("/audit")
@require("audit.view")
def audit_list() -> Any:
    form = AuditFilterForm(request.args)
    actions = sorted(set(ACTION_LABELS) | set(known_actions()))
    form.action.choices = options([("", gettext("— any —")), *((a, a) for a in actions)])
    page = request.args.get("page", 1, type=record_id)
    if not form.validate():
        html = render_template(
            "admin/audit.html",
            form=form,
            events=[],
            page=1,
            has_next=False,
            query={},
            action_labels=ACTION_LABELS,
        )
        return html, 400
    events, has_next = audit_page(
        page,
        PER_PAGE,
        actor_name=(form.actor.data or "").strip(),
        action=form.action.data or "",
        since=_day_start(form.start.data),
        until=_day_start(form.end.data + dt.timedelta(days=1)) if form.end.data else None,
    )
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html",
        form=form,
        events=events,
        page=page,
        has_next=has_next,
        query=query,
        action_labels=ACTION_LABELS,
    )
