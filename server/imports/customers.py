"""Customer rows: checked with the customer form and the plugins' ``validate_customer``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from server.catalog import Registry
from server.customers import CUSTOMER_FIELDS, MAIL_FIELDS, mail_choice, plugin_customer_errors
from server.forms import PLUGIN_FIELD_PREFIX, customer_form_class, plugin_attributes
from server.i18n import gettext
from server.imports.rows import RowError, cell_text, language_code, yes_no
from server.list_exports import ATTR_PREFIX
from server.models import Customer
from server.plugin_api import CustomerInfo


@dataclass(frozen=True)
class CustomerRow:
    """A checked row, ready to write."""

    row: int
    values: Mapping[str, Any]
    attributes: Mapping[str, Any]


def check_customer(
    number: int,
    cells: Mapping[str, Any],
    registry: Registry,
    pm: Any,
    locale: str,
    phones: dict[str, int],
) -> tuple[CustomerRow | None, list[RowError]]:
    """One row through the same checks as the new-customer page, plus duplicates.

    :param number: the row's number in the file.
    :param cells: column key → cell.
    :param phones: phone → the first row that had it (updated here).
    :returns: the checked row (None when it has errors) and its errors.
    """
    specs = {spec.name: spec for spec in registry.customer_fields}
    formdata: MultiDict[str, str] = MultiDict()
    errors: list[RowError] = []
    for key, cell in cells.items():
        text = cell_text(cell)
        if key in CUSTOMER_FIELDS:
            if text:
                formdata.add(key, text)
        elif key in MAIL_FIELDS:
            errors.extend(_mail_cell(number, key, text, formdata))
        elif key.startswith(ATTR_PREFIX) and key[len(ATTR_PREFIX) :] in specs:
            spec = specs[key[len(ATTR_PREFIX) :]]
            if spec.kind == "boolean":
                flag = yes_no(text)
                if flag is None:
                    errors.append(RowError(number, key, gettext("Enter yes or no.")))
                elif flag:
                    formdata.add(PLUGIN_FIELD_PREFIX + spec.name, "y")
            elif text:
                formdata.add(PLUGIN_FIELD_PREFIX + spec.name, text)
    form = customer_form_class(registry, locale)(formdata=formdata, meta={"csrf": False})
    form.validate()
    for name, messages in form.errors.items():
        column = _column(name)
        errors.extend(RowError(number, column, str(message)) for message in messages)
    if errors:
        return None, errors
    values = {name: form[name].data or "" for name in CUSTOMER_FIELDS}
    values.update(mail_choice(form))
    # an empty cell stores nothing (the page stores None; both read as "not given")
    attributes = {
        name: value
        for name, value in plugin_attributes(form, registry.customer_fields).items()
        if value is not None
    }
    info = CustomerInfo(
        id=None,
        name=values["name"],
        kind=values["kind"],
        region=values["region"],
        tier=values["tier"],
        attributes=attributes,
    )
    for name, messages in plugin_customer_errors(pm, info).items():
        column = name if name in CUSTOMER_FIELDS else ATTR_PREFIX + name
        errors.extend(RowError(number, column, message) for message in messages)
    errors.extend(_duplicate_phone(number, values["phone"], phones))
    if errors:
        return None, errors
    return CustomerRow(number, values, attributes), []


def _mail_cell(number: int, key: str, text: str, formdata: MultiDict[str, str]) -> list[RowError]:
    """A mail-choice cell as the customer form's input (an empty cell: off, the default
    language); a cell that is neither yes/no nor a language is the row's error."""
    if key == "notify_by_email":
        flag = yes_no(text)
        if flag is None:
            message = gettext("%(value)s is not yes or no.", value=text)
            return [RowError(number, key, message)]
        if flag:
            formdata.add(key, "y")
        return []
    code = language_code(text)
    if code is None:
        message = gettext(
            "Unknown language %(value)s: write zh_CN or en (中文, English), "
            "or leave it empty for the default.",
            value=text,
        )
        return [RowError(number, key, message)]
    if code:
        formdata.add(key, code)
    return []


def _column(field_name: str) -> str:
    if field_name.startswith(PLUGIN_FIELD_PREFIX):
        return ATTR_PREFIX + field_name[len(PLUGIN_FIELD_PREFIX) :]
    return field_name


def _duplicate_phone(number: int, phone: str, phones: dict[str, int]) -> list[RowError]:
    if not phone:
        return []
    if phone in phones:
        message = gettext("Phone %(phone)s is also on row %(row)s.", phone=phone, row=phones[phone])
        return [RowError(number, "phone", message)]
    phones[phone] = number
    existing = Customer.select().where(Customer.phone == phone).order_by(Customer.id).first()
    if existing is not None:
        message = gettext(
            "Phone %(phone)s is already customer #%(id)s (%(name)s).",
            phone=phone,
            id=existing.id,
            name=existing.name,
        )
        return [RowError(number, "phone", message)]
    return []


def write_customers(rows: list[CustomerRow], progress: Callable[[int], Any]) -> int:
    """Create the checked customers (the caller holds the transaction)."""
    for row in rows:
        Customer.create(**row.values, attributes=dict(row.attributes))
        progress(1)
    return len(rows)
