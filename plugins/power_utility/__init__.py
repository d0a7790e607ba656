"""Power-utility industry plugin: 24×7 repair, outages, connections, meters, billing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.plugin_api import (
    AssetKind,
    CalendarSpec,
    DemoTicket,
    Industry,
    Panel,
    ServiceType,
    SlaPolicy,
    TicketInfo,
    hookimpl,
)

from . import catalog, demo, panels, sla
from .settings import parse


@hookimpl
def register_industry(settings: Mapping[str, Any]) -> Industry:
    parse(settings)  # a bad [plugin.power_utility] table stops start-up here
    return catalog.INDUSTRY


@hookimpl
def register_service_catalog(settings: Mapping[str, Any]) -> list[ServiceType]:
    return list(catalog.SERVICES)


@hookimpl
def register_asset_kinds(settings: Mapping[str, Any]) -> list[AssetKind]:
    return list(catalog.ASSET_KINDS)


@hookimpl
def demo_tickets(settings: Mapping[str, Any]) -> list[DemoTicket]:
    return demo.tickets()


@hookimpl
def register_calendars(settings: Mapping[str, Any]) -> list[CalendarSpec]:
    return [sla.calendar(parse(settings))]


@hookimpl
def register_sla_policies(settings: Mapping[str, Any]) -> list[SlaPolicy]:
    return sla.policies(parse(settings))


@hookimpl
def ticket_detail_panels(ticket: TicketInfo) -> list[Panel]:
    return panels.panels(ticket)
