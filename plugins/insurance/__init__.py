"""Insurance industry plugin: claims and their time limits, policy servicing, enquiries."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
    ServiceType,
    SlaPolicy,
    SurveyQuestion,
    TicketInfo,
    articles_from_folder,
    asset_info,
    current_user,
    hookimpl,
)

from . import catalog, demo, rules, sla, survey
from .policy_term import loss_day, policy_on, policy_status_refusal


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
def register_calendars(settings: Mapping[str, Any]) -> list[CalendarSpec]:
    return [sla.CALENDAR_SPEC]


@hookimpl
def register_sla_policies(settings: Mapping[str, Any]) -> list[SlaPolicy]:
    return list(sla.POLICIES)


@hookimpl
def customer_form_fields(settings: Mapping[str, Any]) -> list[FieldSpec]:
    return list(catalog.CUSTOMER_FIELDS)


@hookimpl
def validate_customer(customer: CustomerInfo) -> dict[str, list[Label]] | None:
    return rules.customer_errors(customer) or None


@hookimpl
def validate_ticket(service: ServiceType, ticket: TicketInfo) -> dict[str, list[Label]] | None:
    if ticket.plugin != catalog.INDUSTRY.slug:
        return None
    if service.code == "policy_servicing":
        return rules.servicing_errors(ticket.attributes, current_user()) or None
    if service.code == "claim_report":
        return rules.claim_errors(ticket.attributes) or None
    return None


@hookimpl
def entitlement(ticket: TicketInfo) -> Entitlement | None:
    policy = asset_info(ticket.asset_id)
    if policy is None or policy.kind != catalog.POLICY.code:
        return None
    day = loss_day(dict(ticket.attributes), ticket.reported_at)
    term = policy_on(day, policy.coverage_start, policy.coverage_end)
    if not term.covered:
        return term
    return policy_status_refusal(policy.attributes, day) or term


@hookimpl
def demo_tickets(settings: Mapping[str, Any]) -> list[DemoTicket]:
    return demo.tickets()


@hookimpl
def survey_questions(service: ServiceType) -> list[SurveyQuestion]:
    return survey.questions_for(service.code)


@hookimpl
def register_articles(settings: Mapping[str, Any]) -> list[ArticleSpec]:
    """Starter knowledge-base articles (self-checks before a visit), from articles/*.md."""
    return articles_from_folder(Path(__file__).parent / "articles")
