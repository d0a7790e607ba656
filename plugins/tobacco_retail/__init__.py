"""Tobacco-retail industry plugin: a wholesaler's service to licensed retailers."""

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
    PluginBlueprint,
    ServiceType,
    SlaPolicy,
    TicketInfo,
    UserInfo,
    articles_from_folder,
    hookimpl,
    label,
)

from . import catalog, customers, demo, panels, rules, sla, views
from .entitlement import licence_entitlement as entitlement_of
from .settings import parse


@hookimpl
def register_industry(settings: Mapping[str, Any]) -> Industry:
    parse(settings)  # a bad [plugin.tobacco_retail] table stops start-up here
    return catalog.INDUSTRY


@hookimpl
def register_service_catalog(settings: Mapping[str, Any]) -> list[ServiceType]:
    return list(catalog.SERVICES)


@hookimpl
def register_asset_kinds(settings: Mapping[str, Any]) -> list[AssetKind]:
    return list(catalog.ASSET_KINDS)


@hookimpl
def customer_form_fields(settings: Mapping[str, Any]) -> list[FieldSpec]:
    return list(catalog.CUSTOMER_FIELDS)


@hookimpl
def validate_customer(customer: CustomerInfo) -> dict[str, list[Label]] | None:
    return customers.retailer_errors(customer)


@hookimpl
def register_calendars(settings: Mapping[str, Any]) -> list[CalendarSpec]:
    return [sla.CALENDAR]


@hookimpl
def register_sla_policies(settings: Mapping[str, Any]) -> list[SlaPolicy]:
    return sla.policies(parse(settings))


@hookimpl
def register_blueprints(settings: Mapping[str, Any]) -> list[PluginBlueprint]:
    return [PluginBlueprint(views.blueprint(parse(settings)), "customer.view")]


@hookimpl
def menu_links(user: UserInfo) -> list[NavLink]:
    return [NavLink(label("待走访", "Visits due"), url_for("tobacco_retail.visits_due_page"))]


@hookimpl
def validate_ticket(service: ServiceType, ticket: TicketInfo) -> dict[str, list[Label]] | None:
    return rules.complaint_outcome_errors(service, ticket)


@hookimpl
def entitlement(ticket: TicketInfo) -> Entitlement | None:
    return entitlement_of(ticket)


@hookimpl
def ticket_detail_panels(ticket: TicketInfo) -> list[Panel]:
    return panels.complaint_panel(ticket)


@hookimpl
def demo_tickets(settings: Mapping[str, Any]) -> list[DemoTicket]:
    return demo.tickets()


@hookimpl
def register_translations() -> str:
    """The plugin's gettext catalogs (the words of its own pages)."""
    return str(Path(__file__).parent / "translations")


@hookimpl
def register_articles(settings: Mapping[str, Any]) -> list[ArticleSpec]:
    """Starter knowledge-base articles (self-checks before a visit), from articles/*.md."""
    return articles_from_folder(Path(__file__).parent / "articles")
