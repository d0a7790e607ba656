"""The quote and result-report forms: a fixed number of part rows, so they work without JS."""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    Field,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
)
from wtforms.validators import NumberRange, Optional, ValidationError

from server.forms import InputRequired, finite_number, long_text, options, text
from server.i18n import _l, gettext
from server.plugin_api import REPORT_OUTCOMES, ReportInfo
from server.timeutil import local_to_utc

PART_ROWS = 5
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class PartRow(Form):
    """One optional part line: which part, how many, was the old one handed back."""

    # Checked against the ticket's plugin's parts list by server.dispatch.reports, which
    # names the refused code (a select's "Not a valid choice" would not).
    code = SelectField(_l("Part"), choices=[], default="", validate_choice=False)
    quantity = IntegerField(_l("Quantity"), default=1, validators=[Optional(), NumberRange(1, 999)])
    returned = BooleanField(_l("Old part returned to the customer"))

    def validate_quantity(self, field: Field) -> None:
        if self.code.data and field.data is None:
            raise ValidationError(gettext("Enter how many."))


class PartsForm(FlaskForm):
    """Parts and labour: what a quote estimates and a report records."""

    labour_hours = DecimalField(
        _l("Labour hours"),
        places=2,
        default=decimal.Decimal(0),
        validators=[Optional(), finite_number, NumberRange(0, 100)],
    )
    # Fixed rows rather than a FieldList, whose re-numbering of sparse indices would read
    # one row twice from a hand-written post.
    part_1 = FormField(PartRow)
    part_2 = FormField(PartRow)
    part_3 = FormField(PartRow)
    part_4 = FormField(PartRow)
    part_5 = FormField(PartRow)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts_errors: list[str] = []

    @property
    def part_rows(self) -> list[Any]:
        return [self[f"part_{n}"] for n in range(1, PART_ROWS + 1)]

    def set_part_choices(self, pairs: Iterable[tuple[str, str]]) -> None:
        choices = options([("", "—"), *pairs])
        for row in self.part_rows:
            row.form.code.choices = choices

    def chosen_parts(self) -> tuple[tuple[str, int, bool], ...]:
        """``(code, quantity, returned)`` for every row with a part chosen."""
        return tuple(
            (row.form.code.data, row.form.quantity.data or 0, bool(row.form.returned.data))
            for row in self.part_rows
            if row.form.code.data
        )

    def hours(self) -> decimal.Decimal:
        return self.labour_hours.data if self.labour_hours.data is not None else decimal.Decimal(0)

    def attach(self, errors: dict[str, list[str]]) -> None:
        """Show a service's errors next to their fields (parts under the parts table)."""
        for name, messages in errors.items():
            field = self._fields.get(name) if name else None
            if name == "parts" or name.startswith("part_"):
                self.parts_errors.extend(messages)
            elif field is None or name == "csrf_token":
                self.form_errors.extend(messages)
            else:
                field.errors = [*field.errors, *messages]


class QuoteForm(PartsForm):
    """The estimate shown to the customer and their consent to it."""

    consent_name = text(_l("Customer's name (typed by the customer)"), 100)
    agrees = BooleanField(_l("The customer agrees to these charges before the work starts"))
    # The charged total the customer was shown, so consent never covers other amounts.
    shown_total = HiddenField()


class ReportForm(PartsForm):
    """What a technician records on site."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[],
        validators=[InputRequired(message=_l("Choose an outcome."))],
        validate_choice=True,
    )
    diagnosis = long_text(_l("Diagnosis"), 2000)
    work_done = long_text(_l("Work done"), 2000)
    customer_name = text(_l("Customer's name (typed by the customer to confirm)"), 100)
    slip = FileField(_l("Photo of the signed slip (optional)"))
    unfinished_reason = long_text(_l("Why unfinished"), 1000)
    next_start = DateTimeLocalField(
        _l("Next appointment from (local time)"), format=LOCAL_MINUTE, validators=[Optional()]
    )
    next_end = DateTimeLocalField(
        _l("Next appointment until (local time)"), format=LOCAL_MINUTE, validators=[Optional()]
    )

    def set_outcome_choices(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.outcome.choices = options([("", "—"), *pairs])

    def report_info(self) -> ReportInfo:
        """The submitted report as plugins see it; times in naive UTC."""
        start, end = self.next_start.data, self.next_end.data
        outcome = self.outcome.data if self.outcome.data in REPORT_OUTCOMES else ""
        return ReportInfo(
            outcome=outcome,
            diagnosis=self.diagnosis.data or "",
            work_done=self.work_done.data or "",
            labour_hours=self.hours(),
            parts=self.chosen_parts(),
            customer_name=self.customer_name.data or "",
            unfinished_reason=self.unfinished_reason.data or "",
            next_start=local_to_utc(start) if start else None,
            next_end=local_to_utc(end) if end else None,
        )
