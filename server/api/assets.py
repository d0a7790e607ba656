"""Assets in the API: add one to a customer, read one, list a customer's.

An asset sent here passes the add-asset form's checks (a kind some plugin registers, an
identifier, coverage that does not end before it starts), its kind's identifier
pattern and its kind's own fields (``attributes``, the rules of
:mod:`server.api.attributes`; ``GET /asset-kinds`` lists them with their JSON Schema),
then :func:`server.customers.add_asset` stores it. The pages cannot edit an
asset, so neither can the API. Technicians see the assets of the customers they see.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from flask import g, url_for
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from werkzeug.datastructures import MultiDict

from server.api import bp
from server.api.attributes import AttributesInvalid, checked_asset_attributes
from server.api.customers import LOCALE, only_visible, visible_customer
from server.api.errors import ApiError, invalid, not_found
from server.api.shapes import PageQuery, aware, decode_cursor, encode_cursor
from server.api.spec import operation
from server.catalog import current_registry
from server.customers import add_asset, asset_identifier_error, existing_asset
from server.forms import AssetForm, options
from server.models import Asset, Customer

AttributeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$")]


class AssetIn(BaseModel):
    """A serviced thing of the customer: an appliance, meter, policy, licence …"""

    model_config = ConfigDict(extra="forbid")

    plugin: str = Field(min_length=1, max_length=50, description="The industry (plugin) slug.")
    kind: str = Field(
        min_length=1, max_length=50, description="One of the plugin's asset kinds (its code)."
    )
    identifier: str = Field(
        min_length=1,
        max_length=100,
        description="Serial, meter, policy or licence no., matching the kind's pattern.",
    )
    coverage_start: dt.date | None = Field(default=None, description="Covered from this day.")
    coverage_end: dt.date | None = Field(
        default=None, description="Covered until this day (not before coverage_start)."
    )
    attributes: dict[AttributeName, Any] = Field(
        default_factory=dict,
        max_length=30,
        description=(
            "The kind's own fields by name (the asset import's `attr.<name>` columns), "
            "checked against the kind's `attributes_schema` from GET /asset-kinds; "
            "a name the kind has no field for is refused."
        ),
    )


class AssetOut(BaseModel):
    id: int
    customer_id: int
    plugin: str
    kind: str
    identifier: str
    coverage_start: dt.date | None
    coverage_end: dt.date | None
    attributes: dict[str, Any]
    created_at: dt.datetime


class AssetsOut(BaseModel):
    items: list[AssetOut]
    next_cursor: str | None


def asset_out(asset: Asset) -> AssetOut:
    return AssetOut(
        id=asset.id,
        customer_id=asset.customer_id,
        plugin=asset.plugin,
        kind=asset.kind,
        identifier=asset.identifier,
        coverage_start=asset.coverage_start,
        coverage_end=asset.coverage_end,
        attributes=dict(asset.attributes or {}),
        created_at=aware(asset.created_at),
    )


def _checked_asset(body: AssetIn) -> tuple[AssetForm, dict[str, Any]]:
    """The add-asset form filled from ``body`` and validated, and the kind's attributes
    as they are stored; or a 422 per field."""
    registry = current_registry()
    if body.plugin not in registry.industries:
        known = ", ".join(sorted(registry.industries)) or "none"
        raise invalid({"plugin": [f"unknown industry (known: {known})"]})
    formdata = MultiDict(
        {
            "kind": f"{body.plugin}:{body.kind}",
            "identifier": body.identifier,
            **{
                name: value.isoformat()
                for name in ("coverage_start", "coverage_end")
                if (value := getattr(body, name)) is not None
            },
        }
    )
    form = AssetForm(formdata=formdata, meta={"csrf": False})
    form.kind.choices = options((f"{i}:{c}", f"{i}:{c}") for (i, c) in registry.asset_kinds)
    form.validate()
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    if "kind" in errors:
        codes = ", ".join(kind.code for kind in registry.asset_kinds_of(body.plugin)) or "none"
        errors["kind"] = [f"{body.plugin} has no asset kind {body.kind} (known: {codes})"]
    kind = registry.asset_kinds.get((body.plugin, body.kind))
    if kind is not None and "identifier" not in errors:
        problem = asset_identifier_error(kind, form.identifier.data, LOCALE)
        if problem:
            errors["identifier"] = [problem]
    attributes: dict[str, Any] = {}
    if kind is not None:
        try:
            attributes = checked_asset_attributes(registry, body.plugin, kind, body.attributes)
        except AttributesInvalid as exc:
            errors.update(exc.fields)
    if errors:
        raise invalid(errors)
    return form, attributes


@operation(
    bp,
    "POST",
    "/customers/<id:customer_id>/assets",
    summary="Add an asset to a customer",
    tag="Assets",
    permission="customer.edit",
    body=AssetIn,
    response=AssetOut,
    status=201,
    errors=(409,),
    writes=True,
    response_headers=("Location",),
)
def create_asset(customer_id: int, body: AssetIn) -> tuple[AssetOut, int, dict[str, str]]:
    """Checked as the customer page's add-asset form checks it, plus the kind's
    identifier pattern. An identifier the same plugin and kind already have is a 409
    (as in the asset import), so a retried request never makes a second asset."""
    customer = visible_customer(customer_id)
    form, attributes = _checked_asset(body)
    identifier = form.identifier.data
    existing = existing_asset(body.plugin, body.kind, identifier)
    if existing is not None:
        raise ApiError(
            409,
            "conflict",
            f"{body.kind} {identifier} already exists: asset #{existing.id} "
            f"of customer #{existing.customer_id}.",
            {"identifier": ["already exists"]},
        )
    asset = add_asset(
        customer,
        body.plugin,
        body.kind,
        identifier,
        form.coverage_start.data,
        form.coverage_end.data,
        attributes=attributes,
    )
    location = url_for("api.get_asset", asset_id=asset.id)
    return asset_out(asset), 201, {"Location": location}


@operation(
    bp,
    "GET",
    "/assets/<id:asset_id>",
    summary="An asset",
    tag="Assets",
    permission="customer.view",
    response=AssetOut,
)
def get_asset(asset_id: int) -> AssetOut:
    """A technician sees the assets of the customers of their tickets (others: 404)."""
    query = only_visible(Asset.select().join(Customer), g.user)
    asset = query.where(Asset.id == asset_id).first()
    if asset is None:
        raise not_found("asset")
    return asset_out(asset)


@operation(
    bp,
    "GET",
    "/customers/<id:customer_id>/assets",
    summary="A customer's assets",
    tag="Assets",
    permission="customer.view",
    query=PageQuery,
    response=AssetsOut,
)
def list_customer_assets(customer_id: int, query: PageQuery) -> AssetsOut:
    """Oldest first, as on the customer page."""
    customer = visible_customer(customer_id)
    rows = Asset.select().where(Asset.customer == customer)
    if query.cursor is not None:
        (last_id,) = decode_cursor(query.cursor, (int,))
        rows = rows.where(Asset.id > last_id)
    page = list(rows.order_by(Asset.id).limit(query.limit + 1))
    more = len(page) > query.limit
    page = page[: query.limit]
    return AssetsOut(
        items=[asset_out(asset) for asset in page],
        next_cursor=encode_cursor([page[-1].id]) if more else None,
    )
