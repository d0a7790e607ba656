"""Power-utility industry plugin: 24×7 repair, outages, connections, meters, billing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import url_for

from server.plugin_api import (
    ArticleSpec,
    AssetKind,
    CalendarSpec,
    DemoTicket,
    Industry,
    Label,
    NavLink,
    Panel,
    PluginBlueprint,
    ServiceType,
    SlaPolicy,
    SurveyQuestion,
    TicketInfo,
    UserInfo,
    articles_from_folder,
    hookimpl,
    label,
)

from . import catalog, demo, panels, providers, sla, survey, views
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


@hookimpl
def validate_ticket(
    service: ServiceType, ticket: TicketInfo, settings: Mapping[str, Any]
) -> dict[str, list[Label]] | None:
    parsed = parse(settings)
    return providers.maintenance_errors(service, ticket, parsed.providers, parsed.timezone)


@hookimpl
def register_blueprints(settings: Mapping[str, Any]) -> list[PluginBlueprint]:
    return [PluginBlueprint(views.blueprint(parse(settings)), "ticket.view")]


@hookimpl
def menu_links(user: UserInfo) -> list[NavLink]:
    return [NavLink(label("代维单位", "Providers"), url_for("power_utility.providers_page"))]


@hookimpl
def survey_questions(service: ServiceType) -> list[SurveyQuestion]:
    return survey.questions_for(service.code)


@hookimpl
def register_translations() -> str:
    """The plugin's gettext catalogs (the words of its own pages)."""
    return str(Path(__file__).parent / "translations")


@hookimpl
def register_articles(settings: Mapping[str, Any]) -> list[ArticleSpec]:
    """Starter knowledge-base articles (self-checks before a visit), from articles/*.md."""
    return articles_from_folder(Path(__file__).parent / "articles")
