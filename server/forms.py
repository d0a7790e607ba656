"""Base WTForms forms and the builder that adds plugin fields as per-service subclasses."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf import file as wtf_file
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    Field,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms import validators as wtf_validators
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from server.i18n import LOCALE_NAMES, LazyText, _l, current_locale, gettext
from server.models import CHANNELS, CUSTOMER_KINDS, PRIORITIES, ROLES
from server.plugin_api import FieldSpec, Label, ServiceType

PLUGIN_FIELD_PREFIX = "f_"
# Control characters a text may not hold (PostgreSQL refuses NUL; the rest is noise).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- translated texts ---------------------------------------------------------------


def lazy_label(label: Label) -> Any:
    """A data-defined :class:`Label` pair that speaks the language of the request using it
    (for choices built when the module is imported)."""
    return LazyText(lambda: label.get(current_locale()))


class _MessageAsText:
    """A validator whose (lazy) message reaches ``field.errors`` as plain text in the
    request's language, so code that joins or compares errors gets strings."""

    def __call__(self, form: Any, field: Field) -> None:
        try:
            super().__call__(form, field)  # type: ignore[misc]
        except (ValidationError, StopValidation) as exc:
            exc.args = tuple(str(arg) for arg in exc.args)
            raise


# The validators that take a message: forms import these rather than WTForms' own.
class DataRequired(_MessageAsText, wtf_validators.DataRequired):
    pass


class InputRequired(_MessageAsText, wtf_validators.InputRequired):
    pass


class Email(_MessageAsText, wtf_validators.Email):
    pass


class Regexp(_MessageAsText, wtf_validators.Regexp):
    pass


class FileRequired(_MessageAsText, wtf_file.FileRequired):
    pass


PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "walk_in": _l("Walk in"),
    "web": _l("Web"),
    "wechat": _l("WeChat"),
    "email": _l("Email"),
    "letter": _l("Letter"),
}
ROLE_LABELS = {
    "admin": _l("Admin"),
    "supervisor": _l("Supervisor"),
    "dispatcher": _l("Dispatcher"),
    "technician": _l("Technician"),
}
CUSTOMER_KIND_LABELS = {"person": _l("Individual"), "company": _l("Company")}


def no_control_characters(form: Any, field: Field) -> None:
    """Refuse NUL and other control characters (PostgreSQL refuses NUL in text)."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(gettext("Contains control characters that cannot be stored."))


def finite_number(form: Any, field: Field) -> None:
    """Refuse "Infinity" and "NaN", which Python's Decimal happily parses."""
    if isinstance(field.data, decimal.Decimal) and not field.data.is_finite():
        raise ValidationError(gettext("Enter an ordinary number."))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def text(label: Any, max_length: int, required: bool = False, **kwargs: Any) -> Any:
    """A stripped single-line text field with the project's standard checks."""
    validators = [
        DataRequired() if required else Optional(),
        Length(max=max_length),
        no_control_characters,
        *kwargs.pop("validators", []),
    ]
    return StringField(label, validators=validators, filters=[_strip], **kwargs)


def long_text(label: Any, max_length: int, required: bool = False) -> Any:
    validators = [
        DataRequired() if required else Optional(),
        Length(max=max_length),
        no_control_characters,
    ]
    return TextAreaField(label, validators=validators, filters=[_strip])


def not_in_future(form: Any, field: Field) -> None:
    today = dt.date.today()
    value = field.data.date() if isinstance(field.data, dt.datetime) else field.data
    if value is not None and value > today + dt.timedelta(days=1):
        raise ValidationError(gettext("Must not be in the future."))


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, text) for value, text in pairs]


def _choices(values: Iterable[str], labels: dict[str, Any]) -> list[SelectChoice]:
    return options((v, labels.get(v, v)) for v in values)


class LoginForm(FlaskForm):
    username = text(_l("Username"), 64, required=True)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class CustomerForm(FlaskForm):
    name = text(_l("Name"), 200, required=True)
    kind = SelectField(
        _l("Kind"), choices=_choices(CUSTOMER_KINDS, CUSTOMER_KIND_LABELS), default="person"
    )
    phone = text(
        _l("Phone"),
        40,
        validators=[Regexp(r"^[0-9+()\- ]*$", message=_l("Digits, spaces, + - ( ) only."))],
    )
    email = text(_l("Email"), 200, validators=[Email(message=_l("Not a valid email address."))])
    address = text(_l("Address"), 300)
    region = text(_l("Region"), 100)
    tier = text(_l("Tier"), 40, default="normal")
    notify_by_email = BooleanField(
        _l("Mail the customer about their tickets"),
        description=_l(
            "Received, appointment set or moved, resolved; the callback survey when the "
            "automatic survey mail is on. Needs an email address."
        ),
    )
    language = SelectField(
        _l("Language of the customer's mail"),
        choices=options([("", _l("Default language")), *LOCALE_NAMES.items()]),
        default="",
    )

    def validate_notify_by_email(self, field: Field) -> None:
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(gettext("Give an email address to mail the customer."))


class AssetForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[], validate_choice=True)
    identifier = text(_l("Identifier (serial, meter, policy or licence no.)"), 100, required=True)
    coverage_start = DateField(_l("Coverage from"), validators=[Optional()])
    coverage_end = DateField(_l("Coverage until"), validators=[Optional()])

    def validate_coverage_end(self, field: Field) -> None:
        start = self.coverage_start.data
        if start and field.data and field.data < start:
            raise ValidationError(gettext("Must not be before the start of coverage."))


class TicketCoreFields(FlaskForm):
    """What every ticket has, whatever its service."""

    title = text(_l("Title"), 200, required=True)
    description = long_text(_l("Description"), 5000)
    priority = SelectField(
        _l("Priority"), choices=_choices(PRIORITIES, PRIORITY_LABELS), default="normal"
    )
    channel = SelectField(
        _l("Channel"), choices=_choices(CHANNELS, CHANNEL_LABELS), default="phone"
    )
    asset_id = SelectField(
        _l("Asset"), choices=options([("", "—")]), default="", validate_choice=True
    )
    reported_at = DateTimeLocalField(
        _l("Reported at (local time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), not_in_future],
    )


class TicketForm(TicketCoreFields):
    service = SelectField(
        _l("Service"), choices=[], validators=[InputRequired(message=_l("Choose a service."))]
    )


def version_field() -> Any:
    """The hidden optimistic-lock version every ticket-changing form carries."""
    return IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message=_l("The form is out of date; reload the page."))],
    )


class TicketEditForm(TicketCoreFields):
    version = version_field()


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assignee"), choices=[], default="", validate_choice=True)
    team = text(_l("Team"), 100)
    version = version_field()


class BoardAssignForm(FlaskForm):
    """One row of the dispatcher board: the ticket, its version, the technician's login."""

    number = StringField(widget=HiddenInput(), validators=[InputRequired(), Length(max=40)])
    version = version_field()
    assignee = text(_l("Technician"), 64, required=True)


class TicketVersionForm(FlaskForm):
    """A one-button action on a ticket named in a list: its number and the version seen."""

    number = StringField(widget=HiddenInput(), validators=[InputRequired(), Length(max=40)])
    version = version_field()


class CsrfOnlyForm(FlaskForm):
    """A button that changes something: nothing to fill in but the CSRF token."""


class TransitionForm(FlaskForm):
    # Checked by the workflow, which explains why a move is refused.
    to = StringField(_l("Move to"), validators=[InputRequired(), Length(max=20)])
    note = text(_l("Note (optional)"), 2000)
    version = version_field()


class CommentForm(FlaskForm):
    text = long_text(_l("Comment"), 5000, required=True)


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))])


class UserForm(FlaskForm):
    username = text(
        _l("Username"),
        64,
        required=True,
        validators=[Regexp(r"^[A-Za-z0-9_.\-]+$", message=_l("Letters, digits, _ . - only."))],
    )
    display_name = text(_l("Display name"), 100, required=True)
    email = text(
        _l("Email (for notifications)"),
        200,
        validators=[Email(message=_l("Not a valid email address."))],
    )
    role = SelectField(_l("Role"), choices=_choices(ROLES, ROLE_LABELS), default="technician")
    team = text(_l("Team"), 100)
    locale = SelectField(
        _l("Language"), choices=options([("", _l("Default")), ("zh_CN", "中文"), ("en", "English")])
    )
    active = BooleanField(_l("Active"), default=True)
    # The policy (length, common passwords, the username) is server.passwords', checked
    # where the password is set, so the CLI and these pages refuse the same ones.
    password = PasswordField(
        _l("Password (leave empty to keep)"),
        validators=[Optional(), Length(max=200)],
    )


# --- plugin fields ------------------------------------------------------------------


def field_from_spec(spec: FieldSpec, locale: str) -> Any:
    """The unbound WTForms field for one plugin :class:`FieldSpec`."""
    label = spec.label.get(locale)
    description = spec.help.get(locale) if spec.help else ""
    presence = [InputRequired() if spec.required else Optional()]
    bounds = []
    if spec.min_value is not None or spec.max_value is not None:
        bounds.append(NumberRange(min=spec.min_value, max=spec.max_value))
    if spec.kind in ("text", "textarea"):
        checks = [*presence, Length(max=spec.max_length), no_control_characters]
        if spec.pattern:
            hint = spec.pattern_hint.get(locale) if spec.pattern_hint else _l("Wrong format.")
            checks.append(Regexp(spec.pattern, message=hint))
        cls = TextAreaField if spec.kind == "textarea" else StringField
        return cls(label, validators=checks, filters=[_strip], description=description)
    if spec.kind == "integer":
        return IntegerField(label, validators=[*presence, *bounds], description=description)
    if spec.kind == "decimal":
        return DecimalField(
            label, validators=[*presence, finite_number, *bounds], description=description
        )
    if spec.kind == "date":
        checks = [*presence, not_in_future] if spec.not_in_future else presence
        return DateField(label, validators=checks, description=description)
    if spec.kind == "choice":
        choices = options([("", "—"), *((key, text.get(locale)) for key, text in spec.choices)])
        return SelectField(label, choices=choices, validators=presence, description=description)
    return BooleanField(label, description=description)


def stored_value(spec: FieldSpec, value: Any) -> Any:
    """A form value as it is kept in ``attributes`` (JSON-friendly)."""
    if value in (None, ""):
        return False if spec.kind == "boolean" else None
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def form_value(spec: FieldSpec, value: Any) -> Any:
    """A stored ``attributes`` value as the form field expects it."""
    if value is None:
        return None
    if spec.kind == "date":
        return dt.date.fromisoformat(value)
    if spec.kind == "decimal":
        return decimal.Decimal(value)
    return value


def with_plugin_fields(base: type, name: str, specs: Iterable[FieldSpec], locale: str) -> type:
    """A new subclass of ``base`` with one field per spec; ``base`` is never mutated."""
    attrs = {PLUGIN_FIELD_PREFIX + spec.name: field_from_spec(spec, locale) for spec in specs}
    return type(name, (base,), attrs)


def customer_form_class(registry: Any, locale: str) -> type:
    """The (cached) customer form with every plugin's customer fields (page and import)."""
    cache = registry.form_class_cache()
    key = ("CustomerForm", locale)
    if key not in cache:
        cache[key] = with_plugin_fields(
            CustomerForm, "CustomerFormWithPlugins", registry.customer_fields, locale
        )
    return cache[key]


def service_field_specs(registry: Any, industry: str, service: ServiceType) -> list[FieldSpec]:
    """The service's own fields plus those the ``ticket_form_fields`` hook adds."""
    extra = registry.ticket_hook(industry, "ticket_form_fields")(service=service)
    return [*service.fields, *(spec for result in extra for spec in result or [])]


def plugin_attributes(form: Any, specs: Iterable[FieldSpec]) -> dict[str, Any]:
    return {
        spec.name: stored_value(spec, form[PLUGIN_FIELD_PREFIX + spec.name].data) for spec in specs
    }


def ticket_form_class(
    registry: Any, base: type, industry: str, service: ServiceType, locale: str
) -> tuple[type, list[FieldSpec]]:
    """The (cached) form class for one service, and the plugin field specs it holds."""
    key = (base.__name__, industry, service.code, locale)
    cache = registry.form_class_cache()
    if key not in cache:
        specs = service_field_specs(registry, industry, service)
        name = f"{base.__name__}_{industry}_{service.code}"
        cache[key] = (with_plugin_fields(base, name, specs, locale), specs)
    return cache[key]


def asset_form_class(registry: Any, kind_key: str, locale: str) -> tuple[type, list[FieldSpec]]:
    """The (cached) add-asset form for one kind (``"<industry>:<code>"``) and its fields.

    An unknown or empty key gives the plain :class:`AssetForm` (whose kind check then
    refuses it) and no fields.
    """
    industry, _, code = kind_key.partition(":")
    kind = registry.asset_kinds.get((industry, code))
    if kind is None or not kind.fields:
        return AssetForm, []
    key = ("AssetForm", industry, code, locale)
    cache = registry.form_class_cache()
    if key not in cache:
        name = f"AssetForm_{industry}_{code}"
        cache[key] = (with_plugin_fields(AssetForm, name, kind.fields, locale), list(kind.fields))
    return cache[key]


class PauseRow(Form):
    """One optional pause of the SLA calculator."""

    start = DateTimeLocalField(_l("Paused from"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    end = DateTimeLocalField(_l("Paused until"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    status = SelectField(_l("Pause status"), choices=[], default="", validate_choice=False)

    def validate_end(self, field: Field) -> None:
        start = self.start.data
        if bool(start) != bool(field.data):
            raise ValidationError(gettext("Give both ends of the pause, or neither."))
        if start and field.data and field.data <= start:
            raise ValidationError(gettext("Must be after the start of the pause."))


class SlaCalculatorForm(FlaskForm):
    """The SLA calculator's inputs (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    policy = SelectField(_l("Policy"), choices=[], validators=[InputRequired()])
    priority = SelectField(
        _l("Priority"), choices=_choices(PRIORITIES, PRIORITY_LABELS), default="normal"
    )
    reported_at = DateTimeLocalField(
        _l("Reported at (local time)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    # Three fixed rows rather than a FieldList, whose re-numbering of sparse indices
    # would read one row twice from a hand-written URL.
    pause_1 = FormField(PauseRow)
    pause_2 = FormField(PauseRow)
    pause_3 = FormField(PauseRow)

    @property
    def pauses(self) -> list[Any]:
        return [self.pause_1, self.pause_2, self.pause_3]


class OutletForm(FlaskForm):
    name = text(_l("Name"), 200, required=True)
    kind = SelectField(
        _l("Kind"),
        choices=options(
            [
                ("own", _l("Own outlet")),
                ("contracted", _l("Contracted repair firm")),
                ("agent", _l("Regional agent")),
            ]
        ),
        default="own",
    )
    region = text(_l("Region"), 100)
    contact_name = text(_l("Contact person"), 100)
    contact_phone = text(
        _l("Contact phone"),
        40,
        validators=[Regexp(r"^[0-9+()\- ]*$", message=_l("Digits, spaces, + - ( ) only."))],
    )
    grade = SelectField(_l("Grade"), choices=options((g, g) for g in "ABCD"), default="B")
    active = BooleanField(_l("Active"), default=True)


def _regions(form: Any, field: Field) -> None:
    for region in field.data or []:
        if len(region) > 100:
            raise ValidationError(gettext("Each region must be at most 100 characters."))
        if CONTROL_CHARACTERS.search(region):
            raise ValidationError(gettext("Contains control characters that cannot be stored."))


class RegionListField(StringField):
    """Regions separated by commas or new lines, kept as a list."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = valuelist[0] if valuelist else ""
        self.data = [part.strip() for part in re.split(r"[,\n，]", raw) if part.strip()]

    def _value(self) -> str:
        return ", ".join(self.data or [])


class TechnicianForm(FlaskForm):
    outlet = SelectField(_l("Outlet"), choices=[], default="", validate_choice=True)
    skills = SelectMultipleField(_l("Skills"), choices=[], validate_choice=True)
    regions = RegionListField(
        _l("Regions served (comma-separated)"), validators=[Length(max=2000), _regions]
    )


class ReadinessForm(FlaskForm):
    confirm = BooleanField(
        _l("I confirm this condition with the customer"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    note = text(_l("Note (who confirmed, how)"), 500)


class AppointmentForm(FlaskForm):
    """The window agreed with the customer, in local time (one day, start and end)."""

    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Choose the day."))])
    start = TimeField(_l("From"), validators=[InputRequired(message=_l("Give the start time."))])
    end = TimeField(_l("Until"), validators=[InputRequired(message=_l("Give the end time."))])
    reason = text(_l("Reason (required when rescheduling)"), 500)
    # How many settings of the window the page showed: a reschedule by someone else
    # since then is reported instead of being overwritten unseen.
    seen = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def validate_date(self, field: Field) -> None:
        from server.timeutil import local_today

        today = local_today()
        if field.data < today:
            raise ValidationError(gettext("Choose a day from today on."))
        if field.data > today + dt.timedelta(days=2 * 366):
            raise ValidationError(gettext("Choose a day within the next two years."))


class CalendarForm(Form):
    """The calendar's choices (a GET form: links to a day or week can be shared)."""

    view = SelectField(
        _l("Display"), choices=options([("day", _l("Day")), ("week", _l("Week"))]), default="day"
    )
    date = DateField(_l("Date"), validators=[Optional()])
    technician = SelectField(_l("Technician"), choices=[], default="", validate_choice=True)
    outlet = SelectField(_l("Outlet"), choices=[], default="", validate_choice=True)

    def validate_date(self, field: Field) -> None:
        if field.data is not None and not 2000 <= field.data.year <= 2999:
            raise ValidationError(gettext("Choose a date between the years 2000 and 2999."))


class LinkForm(FlaskForm):
    """Link this ticket under a parent ticket (e.g. a customer's report under an outage)."""

    parent = text(_l("Parent ticket no."), 30, required=True)
