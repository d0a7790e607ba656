"""The admin's webhook form: URL (http/https), description, event checkboxes, active."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from server.forms import options, text
from server.i18n import _l, gettext
from server.webhooks.models import EVENTS, MAX_URL
from server.webhooks.registry import url_problem


def _receivable_url(_form: Any, field: Field) -> None:
    problem = url_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _some_event(_form: Any, field: Field) -> None:
    if not field.data:
        raise ValidationError(gettext("Choose at least one event."))


# What the form shows for each of EVENTS (the keys are what receivers get).
EVENT_LABELS = {
    "ticket.created": _l("A ticket was created"),
    "ticket.status_changed": _l("A ticket changed status"),
    "sla.step_fired": _l("An SLA escalation step fired"),
    "callback.done": _l("A callback reached the customer"),
}


class WebhookForm(FlaskForm):
    url = text(
        _l("URL"),
        MAX_URL,
        required=True,
        validators=[_receivable_url],
        description=_l("Where to POST the events: http:// or https://."),
    )
    description = text(_l("Description"), 200, description=_l("Who receives it, e.g. the ERP."))
    events = SelectMultipleField(
        _l("Events"),
        choices=options((event, EVENT_LABELS.get(event, event)) for event in EVENTS),
        validators=[_some_event],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    active = BooleanField(_l("Active"), default=True)
