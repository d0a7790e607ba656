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

from server.complaints.categories import CATEGORIES, CHANNEL_NAMES, STAGE_NAMES
from server.complaints.models import COMPLAINT_CHANNELS, STAGES
from server.forms import finite_number, lazy_label, long_text, options, text
from server.i18n import _l, gettext

# The names of channels and stages in the language of the request using them.
CHANNEL_LABELS = {key: lazy_label(name) for key, name in CHANNEL_NAMES.items()}
STAGE_LABELS = {key: lazy_label(name) for key, name in STAGE_NAMES.items()}
ANY = _l("— any —")
CHOOSE = _l("— choose —")


def channel_choices(blank: object = None) -> list:
    pairs = [(c, CHANNEL_LABELS[c]) for c in COMPLAINT_CHANNELS]
    return options([("", blank), *pairs] if blank is not None else pairs)


def category_choices(blank: object = None) -> list:
    pairs = [(key, lazy_label(label)) for key, label in CATEGORIES.items()]
    return options([("", blank), *pairs] if blank is not None else pairs)


class ComplaintFilterForm(Form):
    """The ledger's filters (a GET form, so a filtered list can be shared and exported)."""

    stage = SelectField(
        _l("Stage"),
        choices=options([("", ANY), ("open", _l("Open")), *((s, STAGE_LABELS[s]) for s in STAGES)]),
        default="",
    )
    channel = SelectField(_l("Channel"), choices=channel_choices(ANY), default="")
    category = SelectField(_l("Category"), choices=category_choices(ANY), default="")
    plugin = SelectField(_l("Ticket industry"), choices=[], default="")
    owner = SelectField(_l("Owner"), choices=[], default="")
    overdue = BooleanField(_l("Overdue only"))
    start = DateField(_l("Received from"), validators=[Optional()])
    end = DateField(_l("Received to"), validators=[Optional()])

    def validate_end(self, field: Field) -> None:
        for date in (self.start.data, field.data):
            if date is not None and not 2000 <= date.year <= 2999:
                raise ValidationError(gettext("Choose dates between the years 2000 and 2999."))
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(gettext("The end comes before the start."))


class ComplaintForm(FlaskForm):
    """Recording a complaint (来人、来电、来函登记)."""

    channel = SelectField(_l("Channel"), choices=channel_choices(), default="phone")
    category = SelectField(_l("Category"), choices=category_choices(), default="other")
    ticket = text(_l("Related ticket no. (optional)"), 40)
    customer = text(
        _l("Customer (name or phone)"),
        200,
        description=_l("Leave empty to use the related ticket's customer."),
    )
    staff = SelectField(_l("Staff concerned (optional)"), choices=[], default="")
    description = long_text(_l("What the customer complains about"), 5000, required=True)
    owner = SelectField(_l("Owner (首问负责)"), choices=[], default="")


class StageForm(FlaskForm):
    """The form finishing the complaint's current stage (fields used depend on the stage)."""

    stage = StringField(widget=HiddenInput(), validators=[InputRequired(), Length(max=20)])
    note = long_text(_l("Note"), 5000)
    upheld = SelectField(
        _l("Upheld (the firm is at fault)?"),
        choices=options([("", CHOOSE), ("yes", _l("Yes, upheld")), ("no", _l("No"))]),
        default="",
    )
    compensation = DecimalField(
        _l("Compensation paid first (有责投诉先行赔付)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=1_000_000), finite_number],
    )
    compensation_note = text(_l("Compensation: what for"), 500)
    satisfaction = SelectField(
        _l("Customer's final satisfaction"),
        choices=options([("", CHOOSE), *((str(n), f"{n} / 5") for n in range(5, 0, -1))]),
        default="",
    )

    def validate_compensation(self, field: Field) -> None:
        value = field.data
        if (
            isinstance(value, decimal.Decimal)
            and value.is_finite()
            and value != value.quantize(decimal.Decimal("0.01"))
        ):
            raise ValidationError(gettext("At most two decimal places."))


class OwnerForm(FlaskForm):
    """A supervisor hands the complaint to another owner."""

    owner = SelectField(_l("New owner"), choices=[], default="")
