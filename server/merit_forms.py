"""The manual merit entry form (supervisors and admins)."""

from __future__ import annotations

import decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField
from wtforms.validators import Optional, ValidationError

from server.forms import DataRequired, long_text, not_in_future, options, text
from server.i18n import LazyText, _l, current_locale, gettext
from server.merit.levels import LEVEL_LABELS, LEVELS, POINTS


def _amount(form: Any, field: Field) -> None:
    """Yuan, at most two decimals, 0 to 1000000 (the level decides reward or fine)."""
    raw = (field.data or "").strip()
    if not raw:
        return
    try:
        amount = decimal.Decimal(raw)
    except decimal.InvalidOperation:
        raise ValidationError(gettext('An amount in yuan such as "20" or "20.50".')) from None
    if not amount.is_finite() or not 0 <= amount <= 1_000_000:
        raise ValidationError(gettext("Between 0 and 1000000."))
    if amount != amount.quantize(decimal.Decimal("0.01")):
        raise ValidationError(gettext("At most two decimal places."))


def amount_cents(raw: str | None) -> int:
    """The validated amount field in cents (0 when empty)."""
    raw = (raw or "").strip()
    return int(decimal.Decimal(raw) * 100) if raw else 0


def _level_text(level: str) -> str:
    return gettext(
        "%(level)s (%(points)s)",
        level=LEVEL_LABELS[level].get(current_locale()),
        points=f"{POINTS[level]:+d}",
    )


def level_choices() -> list[Any]:
    return options(
        [("", _l("— choose —"))] + [(level, LazyText(_level_text, level)) for level in LEVELS]
    )


class MeritEntryForm(FlaskForm):
    user = SelectField(_l("Person"), validators=[DataRequired(message=_l("Choose a person."))])
    level = SelectField(
        _l("Level"),
        choices=level_choices(),
        validators=[DataRequired(message=_l("Choose a level."))],
    )
    amount = text(
        _l("Reward or fine (yuan)"),
        20,
        validators=[_amount],
        description=_l("Optional: a reward for a positive level, a fine for a negative one."),
    )
    reason = long_text(_l("Reason"), 500, required=True)
    ticket = text(_l("Ticket number"), 40, description=_l("Optional: the ticket this is about."))
    date = DateField(
        _l("Date"),
        validators=[Optional(), not_in_future],
        description=_l("When it happened (today if empty); decides the month."),
    )
