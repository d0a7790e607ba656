"""The import page's two forms: choose a file (dry run), then import the checked file."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField

from server.forms import FileRequired, InputRequired, Regexp, options
from server.i18n import _l

KIND_CHOICES = options([("customers", _l("Customers")), ("assets", _l("Assets"))])


class ImportCheckForm(FlaskForm):
    """Upload a CSV/XLSX file and check every row (nothing is imported yet)."""

    kind = SelectField(_l("What the file holds"), choices=KIND_CHOICES, default="customers")
    file = FileField(
        _l("CSV or XLSX file"), validators=[FileRequired(message=_l("Choose a file."))]
    )


class ImportRunForm(FlaskForm):
    """Import the file the dry run checked (kept on the server under this token)."""

    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    token = HiddenField(
        validators=[
            InputRequired(message=_l("Check the file first.")),
            Regexp(r"^[0-9a-f]{32}$", message=_l("Check the file first.")),
        ]
    )
