"""The admin's webhook form: URL (http/https), description, event checkboxes, active."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from server.forms import options, text
from server.webhooks.models import EVENTS, MAX_URL
from server.webhooks.registry import url_problem


def _receivable_url(_form: Any, field: Field) -> None:
    problem = url_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _some_event(_form: Any, field: Field) -> None:
    if not field.data:
        raise ValidationError("Choose at least one event.")


class WebhookForm(FlaskForm):
    url = text(
        "URL",
        MAX_URL,
        required=True,
        validators=[_receivable_url],
        description="Where to POST the events: http:// or https://.",
    )
    description = text("Description", 200, description="Who receives it, e.g. the ERP.")
    events = SelectMultipleField(
        "Events",
        choices=options(EVENTS.items()),
        validators=[_some_event],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    active = BooleanField("Active", default=True)
