"""The import page's two forms: choose a file (dry run), then import the checked file."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired, Regexp

from server.forms import options

KIND_CHOICES = options([("customers", "Customers"), ("assets", "Assets")])


class ImportCheckForm(FlaskForm):
    """Upload a CSV/XLSX file and check every row (nothing is imported yet)."""

    kind = SelectField("What the file holds", choices=KIND_CHOICES, default="customers")
    file = FileField("CSV or XLSX file", validators=[FileRequired(message="Choose a file.")])


class ImportRunForm(FlaskForm):
    """Import the file the dry run checked (kept on the server under this token)."""

    kind = SelectField("Kind", choices=KIND_CHOICES)
    token = HiddenField(
        validators=[
            InputRequired(message="Check the file first."),
            Regexp(r"^[0-9a-f]{32}$", message="Check the file first."),
        ]
    )
