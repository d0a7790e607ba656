"""What the plugins offer: industries and their services with field definitions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.api import bp
from server.api.attributes import asset_attributes_model, attributes_model
from server.api.errors import invalid
from server.api.shapes import LabelOut, label_out
from server.api.spec import operation
from server.catalog import current_registry
from server.forms import service_field_specs
from server.plugin_api import FieldSpec


class IndustryOut(BaseModel):
    slug: str
    label: LabelOut
    ticket_prefix: str
    version: str


class IndustriesOut(BaseModel):
    items: list[IndustryOut]


class ChoiceOut(BaseModel):
    key: str
    label: LabelOut


class FieldOut(BaseModel):
    """A plugin field, as ``attributes.<name>`` of a ticket of this service."""

    name: str
    label: LabelOut
    kind: str = Field(description="text, textarea, integer, decimal, date, choice or boolean")
    required: bool
    choices: list[ChoiceOut]
    max_length: int | None
    pattern: str | None
    min_value: float | None
    max_value: float | None
    not_in_future: bool
    help: LabelOut | None


class ServiceOut(BaseModel):
    industry: str
    code: str
    label: LabelOut
    description: LabelOut | None
    asset_kind: str | None
    readiness: LabelOut | None = Field(description="What must be confirmed before dispatch.")
    fields: list[FieldOut]
    attributes_schema: dict[str, Any] = Field(
        description="JSON Schema of the `attributes` a ticket of this service takes."
    )


class ServicesOut(BaseModel):
    items: list[ServiceOut]


class ServicesQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    industry: str | None = Field(default=None, max_length=50, description="Only this industry.")


def field_out(spec: FieldSpec) -> FieldOut:
    text = spec.kind in ("text", "textarea")
    return FieldOut(
        name=spec.name,
        label=label_out(spec.label),
        kind=spec.kind,
        required=spec.required,
        choices=[ChoiceOut(key=key, label=label_out(label)) for key, label in spec.choices],
        max_length=spec.max_length if text else None,
        pattern=spec.pattern if text else None,
        min_value=spec.min_value,
        max_value=spec.max_value,
        not_in_future=spec.not_in_future,
        help=label_out(spec.help) if spec.help else None,
    )


@operation(
    bp,
    "GET",
    "/industries",
    summary="The industries (plugins) enabled on this server",
    tag="Catalog",
    permission="ticket.view",
    response=IndustriesOut,
)
def list_industries() -> IndustriesOut:
    """Each enabled industry with its ticket number prefix."""
    registry = current_registry()
    return IndustriesOut(
        items=[
            IndustryOut(
                slug=industry.slug,
                label=label_out(industry.label),
                ticket_prefix=industry.ticket_prefix,
                version=industry.version,
            )
            for industry in registry.industries.values()
        ]
    )


@operation(
    bp,
    "GET",
    "/services",
    summary="Services with their plugin fields",
    tag="Catalog",
    permission="ticket.view",
    query=ServicesQuery,
    response=ServicesOut,
)
def list_services(query: ServicesQuery) -> ServicesOut:
    """Every service of every enabled industry (or of ``industry``), with the fields a
    ticket of that service takes in ``attributes`` and their JSON Schema."""
    registry = current_registry()
    if query.industry is not None and query.industry not in registry.industries:
        raise invalid({"industry": [f"unknown industry (known: {', '.join(registry.industries)})"]})
    items = []
    for (industry, _code), service in registry.services.items():
        if query.industry not in (None, industry):
            continue
        specs = service_field_specs(registry, industry, service)
        items.append(
            ServiceOut(
                industry=industry,
                code=service.code,
                label=label_out(service.label),
                description=label_out(service.description) if service.description else None,
                asset_kind=service.asset_kind,
                readiness=label_out(service.readiness) if service.readiness else None,
                fields=[field_out(spec) for spec in specs],
                attributes_schema=attributes_model(registry, industry, service).model_json_schema(),
            )
        )
    return ServicesOut(items=items)


class AssetKindOut(BaseModel):
    industry: str
    code: str
    label: LabelOut
    identifier_label: LabelOut
    identifier_pattern: str | None = Field(description="The identifier must match it whole.")
    fields: list[FieldOut]
    attributes_schema: dict[str, Any] = Field(
        description="JSON Schema of the `attributes` an asset of this kind takes."
    )


class AssetKindsOut(BaseModel):
    items: list[AssetKindOut]


@operation(
    bp,
    "GET",
    "/asset-kinds",
    summary="Asset kinds with their fields",
    tag="Catalog",
    permission="customer.view",
    query=ServicesQuery,
    response=AssetKindsOut,
)
def list_asset_kinds(query: ServicesQuery) -> AssetKindsOut:
    """Every asset kind of every enabled industry (or of ``industry``), with the fields
    an asset of that kind takes in ``attributes`` and their JSON Schema."""
    registry = current_registry()
    if query.industry is not None and query.industry not in registry.industries:
        raise invalid({"industry": [f"unknown industry (known: {', '.join(registry.industries)})"]})
    return AssetKindsOut(
        items=[
            AssetKindOut(
                industry=industry,
                code=kind.code,
                label=label_out(kind.label),
                identifier_label=label_out(kind.identifier_label),
                identifier_pattern=kind.identifier_pattern,
                fields=[field_out(spec) for spec in kind.fields],
                attributes_schema=asset_attributes_model(
                    registry, industry, kind
                ).model_json_schema(),
            )
            for (industry, _code), kind in registry.asset_kinds.items()
            if query.industry in (None, industry)
        ]
    )
