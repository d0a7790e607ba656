"""Plugin fields as pydantic models: one model per service validates ``attributes`` in the
API and is the JSON Schema the OpenAPI document shows for that service.

The rules are the form's (``server.forms.field_from_spec``): text trimmed, at most
``max_length`` characters, no control characters, matching ``pattern``; numbers within
``min_value``/``max_value``; dates as ``YYYY-MM-DD`` and not in the future when asked;
choices by key; booleans. Values are stored as the forms store them
(``server.forms.stored_value``), so a ticket made through the API reads like one made
on the page.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    create_model,
)

from server.api.shapes import refuse_control_characters
from server.catalog import Registry
from server.forms import service_field_specs, stored_value
from server.plugin_api import AssetKind, FieldSpec, ServiceType


class AttributesInvalid(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("attributes are not valid")
        self.fields = fields


def _visible(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


def _not_in_future(value: dt.date) -> dt.date:
    # the form's rule: a day of slack, since the caller's today may be ahead of ours
    if value > dt.date.today() + dt.timedelta(days=1):
        raise ValueError("must not be in the future")
    return value


def _annotation(spec: FieldSpec) -> Any:
    bounds = {
        key: value
        for key, value in (("ge", spec.min_value), ("le", spec.max_value))
        if value is not None
    }
    described = {"title": spec.label.en, "description": _description(spec)}
    if spec.kind in ("text", "textarea"):
        # Length and pattern are checked on the text as sent (what the document says),
        # then it is trimmed; a required field needs a visible character.
        pattern = spec.pattern or (r"\S" if spec.required else None)
        text = StringConstraints(max_length=spec.max_length, pattern=pattern)
        return Annotated[
            str,
            text,
            AfterValidator(refuse_control_characters),
            AfterValidator(str.strip),
            *([AfterValidator(_visible)] if spec.required else []),
            Field(**described),
        ]
    if spec.kind == "integer":
        return Annotated[int, Field(strict=True, **bounds, **described)]
    if spec.kind == "decimal":
        return Annotated[decimal.Decimal, Field(allow_inf_nan=False, **bounds, **described)]
    if spec.kind == "date":
        checks = [AfterValidator(_not_in_future)] if spec.not_in_future else []
        return Annotated[dt.date, *checks, Field(strict=False, **described)]
    if spec.kind == "choice":
        keys = tuple(key for key, _label in spec.choices)
        return Annotated[Literal[keys], Field(**described)]  # type: ignore[valid-type]
    return Annotated[bool, Field(strict=True, **described)]


def _description(spec: FieldSpec) -> str:
    parts = [f"{spec.label.zh} / {spec.label.en}."]
    if spec.help:
        parts.append(spec.help.en)
    if spec.kind == "choice":
        parts.append(
            "Choices: "
            + "; ".join(f"{key} = {label.en} ({label.zh})" for key, label in spec.choices)
        )
    if spec.pattern and spec.pattern_hint:
        parts.append(spec.pattern_hint.en)
    return " ".join(parts)


def model_for_specs(name: str, specs: Iterable[FieldSpec]) -> type[BaseModel]:
    """A model with one field per spec; optional fields may be left out or null."""
    fields: dict[str, Any] = {}
    for spec in specs:
        annotation = _annotation(spec)
        if spec.required and spec.kind != "boolean":
            fields[spec.name] = (annotation, ...)
        else:
            fields[spec.name] = (annotation | None, None)
    config = ConfigDict(extra="forbid", regex_engine="python-re")
    return create_model(name, __config__=config, **fields)


def attributes_model(registry: Registry, industry: str, service: ServiceType) -> type[BaseModel]:
    """The (cached) model of one service's plugin fields."""
    key = ("api-attributes", industry, service.code)
    cache = registry.form_class_cache()
    if key not in cache:
        specs = service_field_specs(registry, industry, service)
        cache[key] = (model_for_specs(f"Attributes_{industry}_{service.code}", specs), specs)
    return cache[key][0]


def checked_attributes(
    registry: Registry,
    industry: str,
    service: ServiceType,
    values: dict[str, Any],
    current: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``values`` validated against the service's fields, as they are stored.

    For an update, ``current`` (the stored attributes) fills in the fields not sent and
    only the sent fields are returned. Raises :class:`AttributesInvalid` with
    ``attributes.<name>`` errors.
    """
    model = attributes_model(registry, industry, service)
    specs = registry.form_class_cache()[("api-attributes", industry, service.code)][1]
    merged = {**_known(current or {}, model), **values}
    try:
        data = model.model_validate(merged).model_dump()
    except ValidationError as exc:
        raise AttributesInvalid(_with_hints(exc, specs)) from None
    names = values if current is not None else data
    return {spec.name: stored_value(spec, data[spec.name]) for spec in specs if spec.name in names}


def _with_hints(exc: ValidationError, specs: list[FieldSpec]) -> dict[str, list[str]]:
    """Field errors, a pattern mismatch said with the plugin's hint (as the form says it)."""
    hints = {spec.name: spec.pattern_hint.en for spec in specs if spec.pattern_hint}
    fields: dict[str, list[str]] = {}
    for problem in exc.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "string_pattern_mismatch" and name in hints:
            message = hints[name]
        key = ".".join(["attributes", *(str(part) for part in problem["loc"])])
        fields.setdefault(key, []).append(message)
    return fields


def _known(stored: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Stored values of the fields the service still has (unset booleans left out)."""
    return {
        name: value
        for name, value in stored.items()
        if name in model.model_fields and value is not None
    }


def asset_attributes_model(registry: Registry, industry: str, kind: AssetKind) -> type[BaseModel]:
    """The (cached) model of one asset kind's fields (``AssetKind.fields``)."""
    key = ("api-asset-attributes", industry, kind.code)
    cache = registry.form_class_cache()
    if key not in cache:
        cache[key] = model_for_specs(f"AssetAttributes_{industry}_{kind.code}", kind.fields)
    return cache[key]


def checked_asset_attributes(
    registry: Registry, industry: str, kind: AssetKind, values: dict[str, Any]
) -> dict[str, Any]:
    """``values`` validated against the asset kind's fields, as the add-asset form stores
    them (every field, unset ones as None/False). Raises :class:`AttributesInvalid` with
    ``attributes.<name>`` errors (a name the kind has no field for is one of them)."""
    model = asset_attributes_model(registry, industry, kind)
    try:
        data = model.model_validate(values).model_dump()
    except ValidationError as exc:
        raise AttributesInvalid(_with_hints(exc, list(kind.fields))) from None
    return {spec.name: stored_value(spec, data[spec.name]) for spec in kind.fields}
