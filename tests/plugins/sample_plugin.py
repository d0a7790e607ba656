"""A small test plugin that implements every hook, and records the per-ticket calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee
from flask import Blueprint

from server.plugin_api import (
    AssetKind,
    CalendarSpec,
    DemoAsset,
    DemoCustomer,
    DemoTicket,
    Entitlement,
    EscalationStep,
    FieldSpec,
    Industry,
    MetricTarget,
    Migration,
    NavLink,
    Panel,
    Part,
    PluginBlueprint,
    ServiceType,
    SlaMatch,
    SlaPolicy,
    SurveyQuestion,
    Veto,
    hookimpl,
    label,
)

REPAIR_FIELDS = (
    FieldSpec(
        "serial",
        label("序列号", "Serial number"),
        required=True,
        max_length=20,
        pattern=r"^[A-Z0-9]{4,20}$",
        pattern_hint=label("4-20 位大写字母或数字", "4-20 capitals or digits"),
    ),
    FieldSpec("purchase_date", label("购买日期", "Purchase date"), kind="date", not_in_future=True),
    FieldSpec(
        "kind",
        label("类别", "Kind"),
        kind="choice",
        choices=(("tv", label("电视", "TV")), ("fridge", label("冰箱", "Fridge"))),
    ),
    FieldSpec("units", label("数量", "Units"), kind="integer", min_value=1, max_value=10),
    FieldSpec("cost", label("费用", "Cost"), kind="decimal", min_value=0),
    FieldSpec("urgent", label("加急", "Urgent"), kind="boolean"),
    FieldSpec("notes", label("备注", "Notes"), kind="textarea", max_length=500),
)


class _SampleNoteV1(peewee.Model):
    """The plugin's own table as migration 1 creates it (frozen here, portable DDL)."""

    text = peewee.CharField(max_length=200)

    class Meta:
        table_name = "sample_note"


def _create_sample_note(db: Any) -> None:
    with db.bind_ctx([_SampleNoteV1]):
        db.create_tables([_SampleNoteV1])


class SamplePlugin:
    """Registered as "sample" by the test fixtures; each app gets a fresh instance."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def register_industry(self, settings: Any) -> Industry:
        return Industry(
            "sample",
            label("样例行业", "Sample industry"),
            "SP",
            version=str(settings.get("version", "1.0")),
        )

    @hookimpl
    def register_service_catalog(self) -> list[ServiceType]:
        return [
            ServiceType(
                "repair", label("维修", "Repair"), fields=REPAIR_FIELDS, asset_kind="gadget"
            ),
            # A consultation is not called back (no callback, so it closes by hand).
            ServiceType(
                "consult", label("咨询", "Consultation"), default_priority="low", callback_days=0
            ),
            ServiceType(
                "install",
                label("安装", "Installation"),
                readiness=label("安装位置已具备条件", "The installation site is ready"),
                arrival_within_appointment=True,
            ),
        ]

    @hookimpl
    def register_asset_kinds(self) -> list[AssetKind]:
        return [
            AssetKind(
                "gadget",
                label("设备", "Gadget"),
                label("序列号", "Serial no."),
                identifier_pattern=r"[A-Z0-9]{4,20}",
                fields=(FieldSpec("colour", label("颜色", "Colour"), max_length=20),),
            )
        ]

    @hookimpl
    def register_calendars(self) -> list[CalendarSpec]:
        return [
            CalendarSpec(
                "sample_hours", "Asia/Shanghai", {"weekdays": ("08:00-17:00",)}, holidays="china"
            )
        ]

    @hookimpl
    def register_sla_policies(self) -> list[SlaPolicy]:
        ladder = (EscalationStep(75, "assignee"), EscalationStep(100, "supervisor"))
        targets = (
            MetricTarget("first_response", "24x7", {"urgent": 30, "normal": 120, "low": 240}),
            MetricTarget(
                "resolution",
                "sample_hours",
                {"urgent": 240, "normal": 960},
                pause_statuses=("waiting_customer",),
                escalation=ladder,
            ),
        )
        return [
            SlaPolicy(
                "sample_warranty",
                label("保修期内", "In warranty"),
                targets,
                when=(SlaMatch(entitlements=("in_warranty",)),),
            ),
            SlaPolicy("sample_standard", label("标准", "Standard"), targets),
        ]

    @hookimpl
    def entitlement(self, ticket: Any) -> Entitlement | None:
        bought = ticket.attributes.get("purchase_date")
        if not bought:
            return None
        age = ticket.reported_at.date() - dt.date.fromisoformat(bought)
        if age.days <= 365:
            return Entitlement(
                "in_warranty", f"bought {age.days} days before the call", covered=True
            )
        return Entitlement("out_of_warranty", f"bought {age.days} days before the call")

    @hookimpl
    def register_parts(self) -> list[Part]:
        return [
            Part("FUSE-5A", label("保险丝 5A", "Fuse 5 A"), 250),
            Part("BOARD-01", label("主板", "Main board"), 32000, services=("repair",)),
            Part("CABLE-2M", label("电源线 2 米", "Power cable 2 m"), 1550, label("根", "piece")),
            Part("BRACKET", label("安装支架", "Mounting bracket"), 4800, services=("install",)),
        ]

    @hookimpl
    def validate_report(self, service: ServiceType, ticket: Any, report: Any) -> Any:
        self.calls.append(("validate_report", report))
        if service.code == "repair" and not report.diagnosis.strip():
            return {"diagnosis": ["The sample plugin needs a diagnosis for every repair."]}
        return None

    @hookimpl
    def register_migrations(self) -> list[Migration]:
        return [Migration(1, "create sample_note", _create_sample_note)]

    @hookimpl
    def customer_form_fields(self) -> list[FieldSpec]:
        return [
            FieldSpec(
                "loyalty_no", label("会员号", "Loyalty number"), max_length=12, pattern=r"^\d*$"
            )
        ]

    @hookimpl
    def validate_customer(self, customer: Any) -> dict[str, list[str]] | None:
        if customer.attributes.get("loyalty_no") == "000000":
            return {"loyalty_no": ["Loyalty number 000000 is reserved."]}
        return None

    @hookimpl
    def demo_tickets(self) -> list[DemoTicket]:
        customer = DemoCustomer("张三", "13800000000", "上海市浦东新区 1 号", region="urban")
        return [
            DemoTicket(
                "repair",
                "电视无法开机",
                customer,
                asset=DemoAsset("gadget", "TV0001"),
                attributes={"serial": "TV0001"},
            ),
            DemoTicket("consult", "咨询保修政策", customer, priority="low"),
        ]

    @hookimpl
    def ticket_form_fields(self, service: ServiceType) -> list[FieldSpec]:
        if service.code == "consult":
            return [FieldSpec("topic", label("主题", "Topic"), max_length=50)]
        return []

    @hookimpl
    def validate_ticket(self, service: ServiceType, ticket: Any) -> dict[str, list[str]] | None:
        self.calls.append(("validate_ticket", ticket))
        if ticket.attributes.get("serial") == "BAD0000":
            return {"serial": ["This serial number is blacklisted."]}
        return None

    @hookimpl
    def derive_priority(self, attributes: Any) -> str | None:
        # A serial of PRIO0000 makes the ticket urgent whatever the form chose.
        return "urgent" if attributes.get("serial") == "PRIO0000" else None

    @hookimpl
    def before_transition(self, ticket: Any, old_status: str, new_status: str) -> Veto | None:
        self.calls.append(("before_transition", (old_status, new_status)))
        if new_status == "closed" and ticket.attributes.get("serial") == "HOLD0000":
            return Veto("the sample plugin holds this ticket open")
        return None

    @hookimpl
    def after_transition(self, ticket: Any, old_status: str, new_status: str, actor: Any) -> None:
        self.calls.append(("after_transition", (ticket.number, old_status, new_status, actor.role)))

    @hookimpl
    def survey_questions(self, service: ServiceType) -> list[SurveyQuestion]:
        # Repairs ask two weighted questions; other services have no survey.
        if service.code != "repair":
            return []
        return [
            SurveyQuestion("speed", label("速度", "Speed"), weight=3, kind="scale"),
            SurveyQuestion("tidy", label("整洁", "Left the place tidy"), weight=1, kind="yes_no"),
        ]

    @hookimpl
    def ticket_created(self, ticket: Any, actor: Any) -> None:
        self.calls.append(("ticket_created", ticket.number))

    @hookimpl
    def menu_links(self, user: Any) -> list[NavLink]:
        return [NavLink(label("样例", "Sample link"), "/sample-link")]

    @hookimpl
    def register_blueprints(self) -> list[PluginBlueprint]:
        blueprint = Blueprint("sample_pages", __name__)

        @blueprint.get("/hello")
        def hello() -> str:
            return "hello from the sample plugin"

        return [PluginBlueprint(blueprint, "customer.view")]

    @hookimpl
    def ticket_detail_panels(self, ticket: Any) -> list[Panel]:
        return [
            Panel(
                label("样例面板", "Sample panel"),
                (("Serial", str(ticket.attributes.get("serial", ""))),),
            )
        ]


def sample_plugin() -> SamplePlugin:
    return SamplePlugin()
