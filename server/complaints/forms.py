"""The complaint pages' forms: the list's filters, recording, each stage, the owner."""

from __future__ import annotations

import decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    Form,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from server.complaints.categories import CATEGORIES
from server.complaints.models import COMPLAINT_CHANNELS, STAGES
from server.forms import finite_number, long_text, options, text

CHANNEL_LABELS = {
    "in_person": "In person",
    "phone": "Phone",
    "letter": "Letter",
    "web": "Web",
}
STAGE_LABELS = {
    "record": "Record",
    "investigate": "Investigate",
    "act": "Act",
    "feedback": "Feed back",
    "follow_up": "Follow up",
    "closed": "Closed",
}


def channel_choices(blank: str | None = None) -> list:
    pairs = [(c, CHANNEL_LABELS[c]) for c in COMPLAINT_CHANNELS]
    return options([("", blank), *pairs] if blank else pairs)


def category_choices(blank: str | None = None) -> list:
    pairs = [(key, label.en) for key, label in CATEGORIES.items()]
    return options([("", blank), *pairs] if blank else pairs)


class ComplaintFilterForm(Form):
    """The ledger's filters (a GET form, so a filtered list can be shared and exported)."""

    stage = SelectField(
        "Stage",
        choices=options(
            [("", "— any —"), ("open", "Open"), *((s, STAGE_LABELS[s]) for s in STAGES)]
        ),
        default="",
    )
    channel = SelectField("Channel", choices=channel_choices("— any —"), default="")
    category = SelectField("Category", choices=category_choices("— any —"), default="")
    plugin = SelectField("Ticket industry", choices=[], default="")
    owner = SelectField("Owner", choices=[], default="")
    overdue = BooleanField("Overdue only")
    start = DateField("Received from", validators=[Optional()])
    end = DateField("Received to", validators=[Optional()])

    def validate_end(self, field: Field) -> None:
        for date in (self.start.data, field.data):
            if date is not None and not 2000 <= date.year <= 2999:
                raise ValidationError("Choose dates between the years 2000 and 2999.")
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("The end comes before the start.")


class ComplaintForm(FlaskForm):
    """Recording a complaint (来人、来电、来函登记)."""

    channel = SelectField("Channel", choices=channel_choices(), default="phone")
    category = SelectField("Category", choices=category_choices(), default="other")
    ticket = text("Related ticket no. (optional)", 40)
    customer = text(
        "Customer (name or phone)",
        200,
        description="Leave empty to use the related ticket's customer.",
    )
    staff = SelectField("Staff concerned (optional)", choices=[], default="")
    description = long_text("What the customer complains about", 5000, required=True)
    owner = SelectField("Owner (首问负责)", choices=[], default="")


class StageForm(FlaskForm):
    """The form finishing the complaint's current stage (fields used depend on the stage)."""

    stage = StringField(widget=HiddenInput(), validators=[InputRequired(), Length(max=20)])
    note = long_text("Note", 5000)
    upheld = SelectField(
        "Upheld (the firm is at fault)?",
        choices=options([("", "— choose —"), ("yes", "Yes, upheld"), ("no", "No")]),
        default="",
    )
    compensation = DecimalField(
        "Compensation paid first (有责投诉先行赔付)",
        places=2,
        validators=[Optional(), NumberRange(min=0, max=1_000_000), finite_number],
    )
    compensation_note = text("Compensation: what for", 500)
    satisfaction = SelectField(
        "Customer's final satisfaction",
        choices=options([("", "— choose —"), *((str(n), f"{n} / 5") for n in range(5, 0, -1))]),
        default="",
    )

    def validate_compensation(self, field: Field) -> None:
        value = field.data
        if (
            isinstance(value, decimal.Decimal)
            and value.is_finite()
            and value != value.quantize(decimal.Decimal("0.01"))
        ):
            raise ValidationError("At most two decimal places.")


class OwnerForm(FlaskForm):
    """A supervisor hands the complaint to another owner."""

    owner = SelectField("New owner", choices=[], default="")
