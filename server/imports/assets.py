"""Asset rows: the customer by phone or id, then the asset form (with the kind's own
fields as ``attr.<name>`` columns) and the kind's pattern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from server.catalog import Registry
from server.customers import asset_identifier_error
from server.forms import PLUGIN_FIELD_PREFIX, asset_form_class, options, plugin_attributes
from server.i18n import gettext
from server.imports.rows import RowError, cell_text, yes_no
from server.list_exports import ATTR_PREFIX
from server.models import Asset, Customer

_FORM_COLUMNS = {"kind": "kind", "identifier": "identifier"}
_DATES = ("coverage_start", "coverage_end")


@dataclass(frozen=True)
class AssetRow:
    """A checked row, ready to write."""

    row: int
    customer_id: int
    plugin: str
    kind: str
    identifier: str
    coverage_start: dt.date | None
    coverage_end: dt.date | None
    attributes: Mapping[str, Any]


def check_asset(
    number: int,
    cells: Mapping[str, Any],
    registry: Registry,
    locale: str,
    seen: dict[tuple[str, str, str], int],
) -> tuple[AssetRow | None, list[RowError]]:
    """One row through the add-asset form's checks, its customer, and duplicates.

    :param number: the row's number in the file.
    :param cells: column key → cell.
    :param seen: (plugin, kind, identifier) → the first row that had it (updated here).
    :returns: the checked row (None when it has errors) and its errors.
    """
    text = {key: cell_text(cell) for key, cell in cells.items()}
    customer_id, errors = _customer(number, text.get("customer_phone", ""), text)
    plugin, kind = text.get("plugin", ""), text.get("kind", "")
    form_class, specs = asset_form_class(registry, f"{plugin}:{kind}", locale)
    formdata = MultiDict(
        {
            "kind": f"{plugin}:{kind}",
            "identifier": text.get("identifier", ""),
            **{name: text[name] for name in _DATES if text.get(name)},
        }
    )
    errors.extend(
        _attribute_cells(number, text, specs, formdata, (plugin, kind) in registry.asset_kinds)
    )
    form = form_class(formdata=formdata, meta={"csrf": False})
    form.kind.choices = options((f"{i}:{c}", f"{i}:{c}") for (i, c) in registry.asset_kinds)
    form.validate()
    for name, messages in form.errors.items():
        for message in messages:
            if name == "kind":
                message = f"{plugin or '—'} has no asset kind {kind or '—'}."
            column = name
            if name.startswith(PLUGIN_FIELD_PREFIX):
                column = ATTR_PREFIX + name[len(PLUGIN_FIELD_PREFIX) :]
            errors.append(RowError(number, column, str(message)))
    asset_kind = registry.asset_kinds.get((plugin, kind))
    identifier = form.identifier.data or ""
    if asset_kind is not None and identifier and "identifier" not in form.errors:
        problem = asset_identifier_error(asset_kind, identifier, locale)
        if problem:
            errors.append(RowError(number, "identifier", problem))
    if not errors:
        errors.extend(_duplicate(number, (plugin, kind, identifier), seen))
    if errors or customer_id is None:
        return None, errors
    # an empty cell stores nothing (as in the customer import)
    attributes = {
        name: value for name, value in plugin_attributes(form, specs).items() if value is not None
    }
    return (
        AssetRow(
            number,
            customer_id,
            plugin,
            kind,
            identifier,
            form.coverage_start.data,
            form.coverage_end.data,
            attributes,
        ),
        [],
    )


def _attribute_cells(
    number: int,
    text: Mapping[str, str],
    specs: list,
    formdata: MultiDict,
    known_kind: bool,
) -> list[RowError]:
    """Put the ``attr.<name>`` cells into ``formdata`` as the kind's fields; a filled
    cell the kind has no field for is an error (when the kind itself is known)."""
    by_name = {spec.name: spec for spec in specs}
    errors = []
    for key, value in text.items():
        if not key.startswith(ATTR_PREFIX):
            continue
        spec = by_name.get(key[len(ATTR_PREFIX) :])
        if spec is None:
            if value and known_kind:
                errors.append(
                    RowError(number, key, gettext("This kind of asset has no such field."))
                )
            continue
        if spec.kind == "boolean":
            flag = yes_no(value)
            if flag is None:
                errors.append(RowError(number, key, gettext("Enter yes or no.")))
            elif flag:
                formdata.add(PLUGIN_FIELD_PREFIX + spec.name, "y")
        elif value:
            formdata.add(PLUGIN_FIELD_PREFIX + spec.name, value)
    return errors


def _customer(number: int, phone: str, text: Mapping[str, str]) -> tuple[int | None, list]:
    """The asset's customer: by phone when given (it must be one customer's), else by id."""
    if phone:
        found = list(Customer.select(Customer.id).where(Customer.phone == phone).limit(2))
        if not found:
            message = gettext("No customer has phone %(phone)s.", phone=phone)
            return None, [RowError(number, "customer_phone", message)]
        if len(found) > 1:
            message = gettext(
                "More than one customer has phone %(phone)s: give the customer ID instead.",
                phone=phone,
            )
            return None, [RowError(number, "customer_phone", message)]
        return found[0].id, []
    raw = text.get("customer_id", "")
    if not raw:
        message = gettext("Give the customer's ID or phone.")
        return None, [RowError(number, "customer_id", message)]
    if not raw.isdigit() or len(raw) > 12:
        message = gettext("%(value)s is not a customer ID.", value=raw)
        return None, [RowError(number, "customer_id", message)]
    if Customer.get_or_none(Customer.id == int(raw)) is None:
        message = gettext("There is no customer #%(id)s.", id=raw)
        return None, [RowError(number, "customer_id", message)]
    return int(raw), []


def _duplicate(
    number: int, key: tuple[str, str, str], seen: dict[tuple[str, str, str], int]
) -> list[RowError]:
    plugin, kind, identifier = key
    if key in seen:
        message = gettext(
            "%(kind)s %(identifier)s is also on row %(row)s.",
            kind=kind,
            identifier=identifier,
            row=seen[key],
        )
        return [RowError(number, "identifier", message)]
    seen[key] = number
    existing = Asset.get_or_none(
        (Asset.plugin == plugin) & (Asset.kind == kind) & (Asset.identifier == identifier)
    )
    if existing is not None:
        message = gettext(
            "%(kind)s %(identifier)s already exists (customer #%(id)s).",
            kind=kind,
            identifier=identifier,
            id=existing.customer_id,
        )
        return [RowError(number, "identifier", message)]
    return []


def write_assets(rows: list[AssetRow], progress: Callable[[int], Any]) -> int:
    """Create the checked assets (the caller holds the transaction)."""
    for row in rows:
        Asset.create(
            customer=row.customer_id,
            plugin=row.plugin,
            kind=row.kind,
            identifier=row.identifier,
            coverage_start=row.coverage_start,
            coverage_end=row.coverage_end,
            attributes=dict(row.attributes),
        )
        progress(1)
    return len(rows)
