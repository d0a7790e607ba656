"""The manual merit entry form (supervisors and admins)."""

from __future__ import annotations

import decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField
from wtforms.validators import DataRequired, Optional, ValidationError

from server.forms import long_text, not_in_future, options, text
from server.merit.levels import LEVEL_LABELS, LEVELS, POINTS


def _amount(form: Any, field: Field) -> None:
    """Yuan, at most two decimals, 0 to 1000000 (the level decides reward or fine)."""
    raw = (field.data or "").strip()
    if not raw:
        return
    try:
        amount = decimal.Decimal(raw)
    except decimal.InvalidOperation:
        raise ValidationError('An amount in yuan such as "20" or "20.50".') from None
    if not amount.is_finite() or not 0 <= amount <= 1_000_000:
        raise ValidationError("Between 0 and 1000000.")
    if amount != amount.quantize(decimal.Decimal("0.01")):
        raise ValidationError("At most two decimal places.")


def amount_cents(raw: str | None) -> int:
    """The validated amount field in cents (0 when empty)."""
    raw = (raw or "").strip()
    return int(decimal.Decimal(raw) * 100) if raw else 0


def level_choices() -> list[Any]:
    return options(
        [("", "— choose —")]
        + [(level, f"{LEVEL_LABELS[level].en} ({POINTS[level]:+d})") for level in LEVELS]
    )


class MeritEntryForm(FlaskForm):
    user = SelectField("Person", validators=[DataRequired(message="Choose a person.")])
    level = SelectField(
        "Level", choices=level_choices(), validators=[DataRequired(message="Choose a level.")]
    )
    amount = text(
        "Reward or fine (yuan)",
        20,
        validators=[_amount],
        description="Optional: a reward for a positive level, a fine for a negative one.",
    )
    reason = long_text("Reason", 500, required=True)
    ticket = text("Ticket number", 40, description="Optional: the ticket this is about.")
    date = DateField(
        "Date",
        validators=[Optional(), not_in_future],
        description="When it happened (today if empty); decides the month.",
    )
