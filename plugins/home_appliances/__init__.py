"""Home-appliance industry plugin: installation, repair, 三包 returns and exchanges, upkeep."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from server.plugin_api import (
    ArticleSpec,
    AssetKind,
    CalendarSpec,
    DemoTicket,
    Entitlement,
    Industry,
    Label,
    Panel,
    Part,
    ServiceType,
    SlaPolicy,
    SurveyQuestion,
    TicketInfo,
    Veto,
    articles_from_folder,
    hookimpl,
)

from . import catalog, demo, followup, parts, proof, rules, sla, survey
from .settings import parse


@hookimpl
def register_industry(settings: Mapping[str, Any]) -> Industry:
    parse(settings)  # a bad [plugin.home_appliances] table stops start-up here
    return catalog.INDUSTRY


@hookimpl
def register_service_catalog(settings: Mapping[str, Any]) -> list[ServiceType]:
    return list(catalog.SERVICES)


@hookimpl
def register_asset_kinds(settings: Mapping[str, Any]) -> list[AssetKind]:
    return list(catalog.ASSET_KINDS)


@hookimpl
def register_calendars(settings: Mapping[str, Any]) -> list[CalendarSpec]:
    return [sla.calendar(parse(settings))]


@hookimpl
def register_sla_policies(settings: Mapping[str, Any]) -> list[SlaPolicy]:
    return sla.policies(parse(settings))


@hookimpl
def register_parts(settings: Mapping[str, Any]) -> list[Part]:
    return list(parts.PARTS)


@hookimpl
def demo_tickets(settings: Mapping[str, Any]) -> list[DemoTicket]:
    return demo.tickets()


@hookimpl
def validate_ticket(
    service: ServiceType, ticket: TicketInfo, settings: Mapping[str, Any]
) -> dict[str, list[Label]] | None:
    errors: dict[str, list[Label]] = {}
    for found in (
        rules.install_purchase_errors(service, ticket),
        rules.install_site_errors(service, ticket),
        rules.extended_warranty_errors(service, ticket, parse(settings)),
    ):
        for name, messages in (found or {}).items():
            errors.setdefault(name, []).extend(messages)
    return errors or None


@hookimpl
def entitlement(ticket: TicketInfo, settings: Mapping[str, Any]) -> Entitlement | None:
    return rules.ticket_entitlement(ticket, parse(settings))


@hookimpl
def before_transition(ticket: TicketInfo, old_status: str, new_status: str) -> Veto | None:
    return rules.repair_resolution_veto(ticket, new_status)


@hookimpl
def ticket_detail_panels(ticket: TicketInfo, settings: Mapping[str, Any]) -> list[Panel]:
    return [*proof.panels(ticket), *followup.panels(ticket, parse(settings))]


@hookimpl
def survey_questions(service: ServiceType) -> list[SurveyQuestion]:
    return survey.questions_for(service.category)


@hookimpl
def register_articles(settings: Mapping[str, Any]) -> list[ArticleSpec]:
    """Starter knowledge-base articles (self-checks before a visit), from articles/*.md."""
    return articles_from_folder(Path(__file__).parent / "articles")
