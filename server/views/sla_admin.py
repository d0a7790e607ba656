"""The SLA calculator page: a policy, a priority, a start and a pause → the deadlines."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from server import htmx, workflow
from server.auth import require
from server.catalog import current_registry
from server.forms import SlaCalculatorForm, options
from server.i18n import gettext
from server.sla.preview import PreviewPause, preview
from server.templating import translate
from server.timeutil import local_zone

bp = Blueprint("sla_admin", __name__, url_prefix="/admin/sla")


@bp.route("/calculator")
@require("sla.calculate")
def calculator() -> Any:
    """A GET form, so a result is a link one can send; htmx swaps only the result."""
    registry = current_registry()
    form = SlaCalculatorForm(request.args)
    form.policy.choices = options(
        (name, f"{translate(policy.label)} ({name})") for name, policy in registry.policies.items()
    )
    statuses = options(
        [
            ("", gettext("— every metric —")),
            *((s, translate(text)) for s, text in workflow.STATUSES.items()),
        ]
    )
    for row in form.pauses:
        row.form.status.choices = statuses
    results = None
    submitted = bool(request.args)
    if submitted and form.validate():
        zone = local_zone()
        pauses = [
            PreviewPause(
                row.form.start.data.replace(tzinfo=zone),
                row.form.end.data.replace(tzinfo=zone),
                row.form.status.data or None,
            )
            for row in form.pauses
            if row.form.start.data
        ]
        results = preview(
            registry,
            registry.policies[form.policy.data],
            form.priority.data,
            form.reported_at.data.replace(tzinfo=zone),
            pauses,
        )
    return htmx.render(
        "admin/sla_calculator.html",
        "admin/_sla_results.html",
        status=422 if submitted and form.errors else 200,
        form=form,
        results=results,
        policies=registry.policies,
    )
