"""IT-outsourcing industry plugin: a service desk for contracts, incidents and changes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import url_for

from server.plugin_api import (
    ArticleSpec,
    AssetKind,
    CalendarSpec,
    CustomerInfo,
    DemoTicket,
    Entitlement,
    FieldSpec,
    Industry,
    Label,
    NavLink,
    Panel,
    Part,
    PluginBlueprint,
    ServiceType,
    SlaPolicy,
    TicketInfo,
    UserInfo,
    Veto,
    articles_from_folder,
    asset_info,
    hookimpl,
    label,
)

from . import catalog, demo, panels, parts, priority, rules, sla, views
from .entitlement import contract_entitlement, local_day
from .settings import parse


@hookimpl
def register_industry(settings: Mapping[str, Any]) -> Industry:
    parse(settings)  # a bad [plugin.it_outsourcing] table stops start-up here
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
def customer_form_fields(settings: Mapping[str, Any]) -> list[FieldSpec]:
    return list(catalog.CUSTOMER_FIELDS)


@hookimpl
def validate_customer(customer: CustomerInfo) -> dict[str, list[Label]] | None:
    return rules.contract_errors(customer)


@hookimpl
def register_calendars(settings: Mapping[str, Any]) -> list[CalendarSpec]:
    return [sla.CALENDAR]


@hookimpl
def register_sla_policies(settings: Mapping[str, Any]) -> list[SlaPolicy]:
    return sla.policies()


@hookimpl
def derive_priority(
    service: ServiceType, attributes: Mapping[str, Any], settings: Mapping[str, Any]
) -> str | None:
    return priority.core_priority(parse(settings), attributes)


@hookimpl
def validate_ticket(service: ServiceType, ticket: TicketInfo) -> dict[str, list[Label]] | None:
    return rules.ticket_errors(service, ticket)


@hookimpl
def entitlement(ticket: TicketInfo) -> Entitlement | None:
    return contract_entitlement(
        ticket.customer.attributes, asset_info(ticket.asset_id), local_day(ticket.reported_at)
    )


@hookimpl
def before_transition(ticket: TicketInfo, new_status: str) -> Veto | None:
    return rules.change_veto(ticket, new_status)


@hookimpl
def ticket_detail_panels(ticket: TicketInfo, settings: Mapping[str, Any]) -> list[Panel]:
    return panels.service_desk_panel(parse(settings), ticket)


@hookimpl
def demo_tickets(settings: Mapping[str, Any]) -> list[DemoTicket]:
    return demo.tickets()


@hookimpl
def register_blueprints(settings: Mapping[str, Any]) -> list[PluginBlueprint]:
    return [PluginBlueprint(views.blueprint(parse(settings)), "customer.view")]


@hookimpl
def menu_links(user: UserInfo) -> list[NavLink]:
    return [
        NavLink(label("合同可用率", "Availability"), url_for("it_outsourcing.availability_page"))
    ]


@hookimpl
def register_translations() -> str:
    """The plugin's gettext catalogs (the words of its own pages)."""
    return str(Path(__file__).parent / "translations")


@hookimpl
def register_articles(settings: Mapping[str, Any]) -> list[ArticleSpec]:
    """Starter knowledge-base articles (self-checks before a visit), from articles/*.md."""
    return articles_from_folder(Path(__file__).parent / "articles")
