"""The dashboard's GET form: which period, which plugin, grouped by what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wtforms import DateField, Field, Form, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from server.forms import lazy_label, options
from server.i18n import _l, gettext
from server.kpi.figures import GROUPINGS
from server.kpi.period import Period

# A custom period spans at most this many days (two years and a leap day).
MAX_CUSTOM_DAYS = 731


class KpiForm(Form):
    """Period (month / quarter / year / custom dates), plugin and grouping."""

    period = SelectField(
        _l("Period"),
        choices=options(
            [
                ("month", _l("Month")),
                ("quarter", _l("Quarter")),
                ("year", _l("Year")),
                ("custom", _l("Custom dates")),
            ]
        ),
        default="month",
    )
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2999)])
    month = SelectField(
        _l("Month"),
        choices=options([("", "—"), *((str(m), f"{m:02d}") for m in range(1, 13))]),
        default="",
    )
    quarter = SelectField(
        _l("Quarter"),
        choices=options([("", "—"), *((str(q), f"Q{q}") for q in range(1, 5))]),
        default="",
    )
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    plugin = SelectField(_l("Plugin"), choices=[], default="", validate_choice=True)
    group = SelectField(
        _l("Group by"),
        choices=options([(key, lazy_label(label)) for key, label in GROUPINGS.items()]),
        default="outlet",
    )

    def validate_month(self, field: Field) -> None:
        if field.data and field.data not in {str(m) for m in range(1, 13)}:
            raise ValidationError(gettext("Choose a month."))

    def validate_quarter(self, field: Field) -> None:
        if field.data and field.data not in {"1", "2", "3", "4"}:
            raise ValidationError(gettext("Choose a quarter."))

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then (for "Dates") both days present, in order, not too far apart."""
        valid = super().validate(extra_validators)
        if self.period.data != "custom" or self.start.errors or self.end.errors:
            return valid
        start, end = self.start.data, self.end.data
        problems = []
        if start is None:
            problems.append((self.start, gettext("Give the first day.")))
        elif not 2000 <= start.year <= 2999:
            problems.append((self.start, gettext("Choose a date between the years 2000 and 2999.")))
        if end is None:
            problems.append((self.end, gettext("Give the last day.")))
        elif not 2000 <= end.year <= 2999:
            problems.append((self.end, gettext("Choose a date between the years 2000 and 2999.")))
        elif start is not None and end < start:
            problems.append((self.end, gettext("The last day cannot be before the first.")))
        elif start is not None and (end - start).days >= MAX_CUSTOM_DAYS:
            problems.append(
                (self.end, gettext("A period spans at most %(n)s days.", n=MAX_CUSTOM_DAYS))
            )
        for field, message in problems:
            field.errors = [*field.errors, message]
        return valid and not problems

    def chosen_period(self, today: dt.date) -> Period:
        """The period asked for (call after ``validate()``); gaps filled from ``today``."""
        kind = self.period.data or "month"
        year = self.year.data or today.year
        if kind == "custom":
            return Period(self.start.data, self.end.data)
        if kind == "year":
            return Period.year(year)
        if kind == "quarter":
            quarter = int(self.quarter.data) if self.quarter.data else (today.month + 2) // 3
            return Period.quarter(year, quarter)
        month = int(self.month.data) if self.month.data else today.month
        return Period.month(year, month)
