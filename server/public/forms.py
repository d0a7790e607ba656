"""The public pages' forms: a request for one service, and the status lookup."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, StringField
from wtforms.validators import Length, ValidationError

from server.catalog import Registry
from server.forms import (
    PLUGIN_FIELD_PREFIX,
    Email,
    Regexp,
    field_from_spec,
    long_text,
    service_field_specs,
    stored_value,
    text,
)
from server.i18n import _l, gettext
from server.plugin_api import FieldSpec, ServiceType

# Customer fields a plugin adds carry this prefix (ticket fields carry ``f_``).
CUSTOMER_FIELD_PREFIX = "c_"
HONEYPOT = "website"


def enough_digits(form: Any, field: Field) -> None:
    """A phone number someone can be called back on: 5 to 20 digits."""
    digits = re.sub(r"\D", "", field.data or "")
    if field.data and not 5 <= len(digits) <= 20:
        raise ValidationError(gettext("Enter a phone number of 5 to 20 digits."))


class PublicRequestForm(FlaskForm):
    """The customer part of every public request; each service's subclass adds its fields."""

    name = text(_l("Your name"), 100, required=True)
    phone = text(
        _l("Phone"),
        40,
        required=True,
        validators=[
            Regexp(r"^[0-9+()\- ]*$", message=_l("Digits, spaces, + - ( ) only.")),
            enough_digits,
        ],
    )
    email = text(_l("Email"), 200, validators=[Email(message=_l("Not a valid email address."))])
    # Unticked by default; needs an email (checked in ``validate``, next to the email).
    email_updates = BooleanField(
        _l(
            "Email me updates on this request: when it is received, when a visit is set or "
            "changed, and when it is resolved."
        )
    )
    address = text(_l("Address"), 300)
    description = long_text(_l("Anything else we should know"), 2000)
    # The honeypot: hidden from people by CSS, left empty by them; bots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then: updates by email need an email address."""
        valid = super().validate(extra_validators)
        if self.email_updates.data and not (self.email.data or "").strip():
            self.email.errors = [
                *self.email.errors,
                gettext("Enter your email address to get updates by email."),
            ]
            return False
        return valid


class StatusLookupForm(FlaskForm):
    number = text(_l("Ticket number"), 40, required=True)
    contact = text(_l("The phone number or email you gave us"), 200, required=True)


def public_ticket_specs(registry: Registry, industry: str, service: ServiceType) -> list[FieldSpec]:
    """The service's fields a customer fills in: all but the internal ones."""
    return [s for s in service_field_specs(registry, industry, service) if not s.internal]


def public_customer_specs(registry: Registry, industry: str) -> list[FieldSpec]:
    """The customer fields of the service's own plugin that are not internal."""
    plugin = registry.plugin_of_industry.get(industry)
    return [
        spec
        for spec in registry.customer_fields
        if not spec.internal and registry.customer_field_plugin.get(spec.name) == plugin
    ]


def public_form_class(
    registry: Registry, industry: str, service: ServiceType, locale: str
) -> tuple[type, list[FieldSpec], list[FieldSpec]]:
    """The (cached) form for one public service, its ticket specs and customer specs."""
    key = ("PublicRequestForm", industry, service.code, locale)
    cache = registry.form_class_cache()
    if key not in cache:
        ticket_specs = public_ticket_specs(registry, industry, service)
        customer_specs = public_customer_specs(registry, industry)
        attrs = {
            **{CUSTOMER_FIELD_PREFIX + s.name: field_from_spec(s, locale) for s in customer_specs},
            **{PLUGIN_FIELD_PREFIX + s.name: field_from_spec(s, locale) for s in ticket_specs},
        }
        name = f"PublicRequestForm_{industry}_{service.code}"
        cache[key] = (type(name, (PublicRequestForm,), attrs), ticket_specs, customer_specs)
    return cache[key]


def values_of(form: Any, prefix: str, specs: list[FieldSpec]) -> dict[str, Any]:
    """The stored (JSON-friendly) values of the fields ``specs`` describe."""
    return {spec.name: stored_value(spec, form[prefix + spec.name].data) for spec in specs}


def field_names(form: Any, prefix: str) -> list[str]:
    return [name for name in form._fields if name.startswith(prefix)]


def attach_errors(form: Any, errors: dict[str, list[str]]) -> None:
    """The plugins' errors next to their fields; those about fields the customer does not
    see (internal ones) at the top of the form."""
    for name, messages in errors.items():
        field = (
            form._fields.get(PLUGIN_FIELD_PREFIX + name)
            or form._fields.get(CUSTOMER_FIELD_PREFIX + name)
            or (form._fields.get(name) if name in ("name", "phone", "email", "address") else None)
        )
        if field is None:
            form.form_errors.extend(messages)
            continue
        field.errors = [*field.errors, *messages]
