"""IT-outsourcing industry plugin: a service desk for incidents, requests and changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.plugin_api import AssetKind, DemoTicket, Industry, Part, ServiceType, hookimpl

from . import catalog, demo, parts


@hookimpl
def register_industry(settings: Mapping[str, Any]) -> Industry:
    return catalog.INDUSTRY


@hookimpl
def register_service_catalog(settings: Mapping[str, Any]) -> list[ServiceType]:
    return list(catalog.SERVICES)


@hookimpl
def register_asset_kinds(settings: Mapping[str, Any]) -> list[AssetKind]:
    return list(catalog.ASSET_KINDS)


@hookimpl
def register_parts(settings: Mapping[str, Any]) -> list[Part]:
    return list(parts.PARTS)


@hookimpl
def demo_tickets(settings: Mapping[str, Any]) -> list[DemoTicket]:
    return demo.tickets()
