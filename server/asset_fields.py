"""An asset kind's own fields as shown on the customer page: label and readable value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.i18n import gettext
from server.plugin_api import AssetKind, FieldSpec


def shown_value(spec: FieldSpec, value: Any, locale: str) -> str:
    """A stored value as a person reads it (a choice by its label, a flag as yes/no)."""
    if spec.kind == "choice":
        labels = {key: text.get(locale) for key, text in spec.choices}
        return labels.get(value, str(value))
    if spec.kind == "boolean":
        # in the page's language (every caller passes the page's ``locale``)
        return gettext("yes") if value else gettext("no")
    return str(value)


def asset_field_rows(
    kind: AssetKind | None, attributes: Mapping[str, Any] | None, locale: str
) -> list[tuple[str, str]]:
    """(label, value) of each of the kind's fields the asset has a value for, in order."""
    if kind is None:
        return []
    values = attributes or {}
    return [
        (spec.label.get(locale), shown_value(spec, values[spec.name], locale))
        for spec in kind.fields
        if values.get(spec.name) not in (None, "")
    ]
