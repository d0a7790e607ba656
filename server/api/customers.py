"""Customers in the API: create, read, update and search (``/api/v1/customers``).

A customer sent here goes through the same checks as the customer page and the import:
the customer form (``server.forms.customer_form_class``) and every plugin's
``validate_customer``; the plugins' customer fields travel in ``attributes``. The
customer's mail choices (``notify_by_email``, ``language``) are checked by the same form.
Technicians see only the customers of tickets assigned to them.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Annotated, Any, Literal

import peewee
from flask import current_app, g, url_for
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
)
from werkzeug.datastructures import MultiDict

from server.api import bp
from server.api.attributes import model_for_specs
from server.api.errors import field_errors, invalid, not_found
from server.api.shapes import (
    PageQuery,
    aware,
    decode_cursor,
    encode_cursor,
    refuse_control_characters,
)
from server.api.spec import operation
from server.catalog import Registry, current_registry
from server.customers import (
    CUSTOMER_FIELDS,
    MAIL_FIELDS,
    mail_choice,
    matching_customers,
    plugin_customer_errors,
    save_customer,
)
from server.forms import PLUGIN_FIELD_PREFIX, customer_form_class, plugin_attributes
from server.i18n import LOCALES
from server.models import Customer, Ticket
from server.permissions import sees_only_own_tickets
from server.plugin_api import CustomerInfo

# API messages are in English, like the error shape's
LOCALE = "en"

Kind = Literal["person", "company"]


def _text(max_length: int, description: str, **rules: Any) -> Any:
    return Annotated[
        str,
        Field(max_length=max_length, description=description, **rules),
        AfterValidator(refuse_control_characters),
    ]


Name = _text(200, "The customer's or company's name (required).", pattern=r"\S")
Phone = Annotated[
    str,
    Field(max_length=40, pattern=r"^[0-9+()\- ]*$", description="Digits, spaces, + - ( ) only."),
]
Email = _text(200, "An email address, or empty (checked as the customer form checks it).")
Address = _text(300, "Postal address.")
Region = _text(100, "Region, as the dispatch rules know it.")
Tier = _text(40, "Service tier (default normal).")
MailLanguage = Literal[LOCALES]
NOTIFY_HELP = (
    "Mail the customer about their tickets (received, appointment set or moved, "
    "resolved). Needs an email address: true without one is refused, as on the "
    "customer page."
)
LANGUAGE_HELP = "The language of the customer's mail; null: the server's [locale] default."


class CustomerIn(BaseModel):
    """A new customer; ``attributes`` holds the plugins' customer fields."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: Kind = "person"
    phone: Phone = ""
    email: Email = ""
    address: Address = ""
    region: Region = ""
    tier: Tier = "normal"
    notify_by_email: StrictBool = Field(default=False, description=NOTIFY_HELP)
    language: MailLanguage | None = Field(default=None, description=LANGUAGE_HELP)
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="The plugins' customer fields, by name."
    )


class CustomerPatch(BaseModel):
    """The fields to change; those left out keep their values (null empties a field)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    kind: Kind | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None
    region: Region | None = None
    tier: Tier | None = None
    notify_by_email: StrictBool | None = Field(
        default=None, description=NOTIFY_HELP + " null: false."
    )
    language: MailLanguage | None = Field(default=None, description=LANGUAGE_HELP)
    attributes: dict[str, Any] | None = Field(
        default=None,
        description="The plugins' customer fields to change; null empties one.",
    )


class CustomerOut(BaseModel):
    id: int
    name: str
    kind: str
    phone: str
    email: str
    address: str
    region: str
    tier: str
    notify_by_email: bool = Field(description="Mailed about their tickets (opted in).")
    language: MailLanguage | None = Field(
        description="The language of their mail; null: the server's default."
    )
    attributes: dict[str, Any] = Field(description="The plugins' customer fields, as stored.")
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomersOut(BaseModel):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerQuery(PageQuery):
    q: Annotated[str, AfterValidator(refuse_control_characters)] | None = Field(
        default=None,
        max_length=100,
        description="Part of the name, phone or email (as the customer list's search box).",
    )
    phone: Annotated[str, AfterValidator(refuse_control_characters)] | None = Field(
        default=None, max_length=40, description="Exactly this phone number."
    )


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.id,
        name=customer.name,
        kind=customer.kind,
        phone=customer.phone,
        email=customer.email,
        address=customer.address,
        region=customer.region,
        tier=customer.tier,
        notify_by_email=bool(customer.notify_by_email),
        language=_stored_language(customer),
        attributes=dict(customer.attributes or {}),
        created_at=aware(customer.created_at),
        updated_at=aware(customer.updated_at),
    )


def _stored_language(customer: Customer) -> str | None:
    """The customer's mail language, or None for the default (or a value no longer known)."""
    return customer.language if customer.language in LOCALES else None


# --- who sees which customers ---------------------------------------------------------


def only_visible(query: peewee.ModelSelect, user: Any) -> peewee.ModelSelect:
    """``query``'s customers that ``user`` may read: all of them, or for a technician
    (who sees only their own tickets) the customers of tickets assigned to them."""
    if sees_only_own_tickets(user):
        own = Ticket.select(Ticket.customer).where(Ticket.assignee == user.id)
        query = query.where(Customer.id.in_(own))
    return query


def visible_customer(customer_id: int) -> Customer:
    """The customer, or a 404 when there is none or the caller may not see it."""
    customer = only_visible(Customer.select(), g.user).where(Customer.id == customer_id).first()
    if customer is None:
        raise not_found("customer")
    return customer


# --- the checks of the page and the import ---------------------------------------------


def customer_attributes_model(registry: Registry) -> type[BaseModel]:
    """The (cached) pydantic model of every plugin's customer fields."""
    cache = registry.form_class_cache()
    key = ("api-customer-attributes",)
    if key not in cache:
        cache[key] = model_for_specs("CustomerAttributes", registry.customer_fields)
    return cache[key]


def _body_schema(registry: Registry, model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s schema with ``attributes`` described field by field (the enabled
    plugins' customer fields); a PATCH may also send null for it."""
    schema = model.model_json_schema()
    attributes = customer_attributes_model(registry).model_json_schema()
    attributes["description"] = model.model_fields["attributes"].description
    if model is CustomerPatch:
        attributes = {"anyOf": [attributes, {"type": "null"}], "default": None}
    schema["properties"]["attributes"] = attributes
    return schema


def _form_text(value: Any) -> str | None:
    """A typed attribute value as the form's text (None: leave the field empty)."""
    if value is None or value is False:
        return None
    if value is True:
        return "y"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def checked_customer(
    registry: Registry,
    values: dict[str, Any],
    attributes: dict[str, Any],
    customer: Customer | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The customer's fields and plugin attributes, as the page would store them.

    ``values`` (the core fields and the mail choices) and ``attributes`` are whole (the
    stored ones merged in for an update).
    They pass the plugin fields' types, then the customer form, then every plugin's
    ``validate_customer``; any error is a 422 naming ``<field>`` or ``attributes.<name>``.
    """
    model = customer_attributes_model(registry)
    try:
        typed = model.model_validate(attributes).model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise invalid(field_errors(exc, prefix="attributes")) from None
    formdata: MultiDict[str, str] = MultiDict()
    for name in CUSTOMER_FIELDS:
        if values.get(name):
            formdata.add(name, values[name])
    if values.get("notify_by_email"):
        formdata.add("notify_by_email", "y")
    if values.get("language"):
        formdata.add("language", values["language"])
    for name, value in typed.items():
        text = _form_text(value)
        if text is not None:
            formdata.add(PLUGIN_FIELD_PREFIX + name, text)
    form = customer_form_class(registry, LOCALE)(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        raise invalid(
            {
                _field_name(name): [str(m) for m in messages]
                for name, messages in form.errors.items()
            }
        )
    checked = {name: form[name].data or "" for name in CUSTOMER_FIELDS}
    checked.update(mail_choice(form))
    stored = plugin_attributes(form, registry.customer_fields)
    info = CustomerInfo(
        id=customer.id if customer is not None else None,
        name=checked["name"],
        kind=checked["kind"],
        region=checked["region"],
        tier=checked["tier"],
        attributes={**((customer.attributes or {}) if customer is not None else {}), **stored},
    )
    problems = plugin_customer_errors(current_app.extensions["aftersales"].pm, info)
    if problems:
        raise invalid(
            {
                name if name in CUSTOMER_FIELDS else f"attributes.{name}": messages
                for name, messages in problems.items()
            }
        )
    return checked, stored


def _field_name(form_field: str) -> str:
    if form_field.startswith(PLUGIN_FIELD_PREFIX):
        return "attributes." + form_field[len(PLUGIN_FIELD_PREFIX) :]
    return form_field


def _stored_attributes(customer: Customer, registry: Registry) -> dict[str, Any]:
    """The stored values of the fields the plugins still declare (empty ones left out)."""
    names = {spec.name for spec in registry.customer_fields}
    return {
        name: value
        for name, value in (customer.attributes or {}).items()
        if name in names and value is not None
    }


# --- the operations ----------------------------------------------------------------


@operation(
    bp,
    "POST",
    "/customers",
    summary="Create a customer",
    tag="Customers",
    permission="customer.edit",
    body=CustomerIn,
    body_schema=lambda registry: _body_schema(registry, CustomerIn),
    response=CustomerOut,
    status=201,
    writes=True,
    response_headers=("Location",),
)
def create_customer(body: CustomerIn) -> tuple[CustomerOut, int, dict[str, str]]:
    """Checked like the new-customer page: the form's rules on every field, the plugins'
    customer fields in ``attributes``, and every plugin's ``validate_customer``."""
    registry = current_registry()
    values = body.model_dump(exclude={"attributes"})
    values["language"] = values["language"] or ""
    checked, stored = checked_customer(registry, values, body.attributes, None)
    # a field left empty stores nothing, as in the import
    stored = {name: value for name, value in stored.items() if value is not None}
    customer = save_customer(None, checked, stored)
    location = url_for("api.get_customer", customer_id=customer.id)
    return customer_out(customer), 201, {"Location": location}


@operation(
    bp,
    "GET",
    "/customers/<id:customer_id>",
    summary="A customer",
    tag="Customers",
    permission="customer.view",
    response=CustomerOut,
)
def get_customer(customer_id: int) -> CustomerOut:
    """A technician sees only the customers of tickets assigned to them (others: 404)."""
    return customer_out(visible_customer(customer_id))


@operation(
    bp,
    "PATCH",
    "/customers/<id:customer_id>",
    summary="Change a customer",
    tag="Customers",
    permission="customer.edit",
    body=CustomerPatch,
    body_schema=lambda registry: _body_schema(registry, CustomerPatch),
    response=CustomerOut,
    writes=True,
)
def update_customer(customer_id: int, body: CustomerPatch) -> CustomerOut:
    """Only the fields sent change; the whole customer is then checked as the edit page
    checks it (a plugin may refuse a change because of a field not sent)."""
    registry = current_registry()
    customer = visible_customer(customer_id)
    values: dict[str, Any] = {name: getattr(customer, name) or "" for name in CUSTOMER_FIELDS}
    values["notify_by_email"] = bool(customer.notify_by_email)
    values["language"] = _stored_language(customer) or ""
    sent = body.model_dump(exclude_unset=True)
    for name in (*CUSTOMER_FIELDS, *MAIL_FIELDS):
        if name in sent:
            empty = False if name == "notify_by_email" else ""
            values[name] = empty if sent[name] is None else sent[name]
    attributes = {**_stored_attributes(customer, registry), **(sent.get("attributes") or {})}
    checked, stored = checked_customer(registry, values, attributes, customer)
    return customer_out(save_customer(customer, checked, stored))


@operation(
    bp,
    "GET",
    "/customers",
    summary="Search customers",
    tag="Customers",
    permission="customer.view",
    query=CustomerQuery,
    response=CustomersOut,
)
def search_customers(query: CustomerQuery) -> CustomersOut:
    """Newest first. ``q`` matches part of the name, phone or email, as the customer
    list's search box does; ``phone`` is an exact phone number."""
    rows = matching_customers(query.q.strip() if query.q else "")
    rows = only_visible(rows, g.user)
    if query.phone is not None:
        rows = rows.where(Customer.phone == query.phone.strip())
    if query.cursor is not None:
        (last_id,) = decode_cursor(query.cursor, (int,))
        rows = rows.where(Customer.id < last_id)
    page = list(rows.order_by(Customer.id.desc()).limit(query.limit + 1))
    more = len(page) > query.limit
    page = page[: query.limit]
    return CustomersOut(
        items=[customer_out(customer) for customer in page],
        next_cursor=encode_cursor([page[-1].id]) if more else None,
    )
