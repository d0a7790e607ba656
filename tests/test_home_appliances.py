"""The home-appliance plugin through the pages and the core: forms, entitlement, SLA,
follow-up dates, settings, demo data, and the plugin alone and beside another."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from plugins.home_appliances import followup
from plugins.home_appliances.settings import parse
from server.config import ConfigError
from server.models import Customer, Ticket
from server.plugin_api import CustomerInfo, Label, TicketInfo
from server.sla.models import TicketSla
from server.snapshots import ticket_info
from server.tickets import NewTicket, create_ticket, transition_ticket
from tests.conftest import build_app, ensure_user, logged_in

TODAY = dt.date.today()


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def ha_app(tmp_path):
    return build_app(tmp_path, enabled=["home_appliances"], extra_plugins=[])


def _customer(app) -> int:
    with app.app_context():
        return Customer.create(name="张伟", region="上海市浦东新区").id


CORE = {"title": "家电服务", "description": "", "priority": "normal", "channel": "phone"}
CLAIM = {
    "f_appliance_category": "refrigerator",
    "f_brand": "海尔",
    "f_model_no": "BCD-500WPZM",
    "f_serial_no": "BCD500WPZM-07731",
    "f_purchase_date": ago(100),
    "f_seller": "苏宁易购",
    "f_proof_of_purchase": "y",
    "f_fault_description": "冷藏室不制冷",
    "f_fault_kind": "performance",
    "f_previous_repairs": "0",
}
VALID = {
    "install": {
        "f_appliance_category": "air_conditioner",
        "f_purchase_date": ago(3),
        "f_install_address": "上海市浦东新区张杨路1588弄12号801室",
        "f_install_address_ready": "y",
        "f_model_no": "KFR-35GW/BP3DN8Y",
        "f_serial_no": "KFR35GW-A2611",
        "f_region_class": "urban",
    },
    "repair": {**CLAIM, "f_repair_location": "on_site", "f_region_class": "suburban"},
    "dismantle_move": {
        "f_appliance_category": "air_conditioner",
        "f_new_address": "北京市朝阳区望京西园三区318号楼1506",
        "f_pipe_extension_m": "3.5",
    },
    "maintenance": {"f_appliance_category": "water_heater", "f_last_service_date": ago(400)},
    "parts_sale": {
        "f_appliance_category": "washing_machine",
        "f_parts_wanted": "排水泵",
        "f_quantity": "1",
    },
    "exchange": dict(CLAIM),
    "return": dict(CLAIM),
    "extended_warranty_sale": {
        "f_appliance_category": "tv",
        "f_serial_no": "TV65Q8-2291034",
        "f_purchase_date": ago(10),
        "f_extended_warranty_years": "2",
        "f_price_yuan": "299.00",
    },
    "consultation": {
        "f_topic": "usage",
        "f_question": "如何清洗滤网？",
        "f_resolved_by_phone": "y",
    },
    "complaint": {
        "f_complaint_kind": "timeliness",
        "f_related_ticket": "HA-2026-000123",
        "f_complaint_details": "师傅迟到三小时",
    },
}
# (service, changed fields, the field that must show the error, words of the message)
INVALID = [
    (
        "install",
        {"f_purchase_date": (TODAY + dt.timedelta(days=2)).isoformat()},
        "purchase_date",
        "future",
    ),
    ("install", {"f_install_address": "浦东"}, "install_address", "full installation address"),
    ("install", {"f_install_address": ""}, "install_address", "required"),
    ("install", {"f_purchase_date": ago(11 * 366)}, "purchase_date", "more than 10 years"),
    ("repair", {"f_serial_no": "abc"}, "serial_no", "6–30 capitals"),
    ("repair", {"f_repair_location": ""}, "repair_location", ""),
    ("repair", {"f_fault_kind": "broken"}, "fault_kind", ""),
    ("repair", {"f_extended_warranty_years": "4"}, "extended_warranty_years", ""),
    (
        "repair",
        {"f_extended_warranty_years": "2"},
        "extended_warranty_bought_on",
        "extended warranty was bought",
    ),
    ("dismantle_move", {"f_new_address": ""}, "new_address", "required"),
    ("dismantle_move", {"f_pipe_extension_m": "31"}, "pipe_extension_m", ""),
    ("maintenance", {"f_last_service_date": "2026-13-01"}, "last_service_date", ""),
    ("parts_sale", {"f_quantity": "0"}, "quantity", ""),
    ("exchange", {"f_serial_no": ""}, "serial_no", "required"),
    (
        "return",
        {"f_extended_warranty_years": "1", "f_extended_warranty_bought_on": ago(101)},
        "extended_warranty_bought_on",
        "before the appliance",
    ),
    (
        "return",
        {
            "f_purchase_date": "",
            "f_extended_warranty_years": "1",
            "f_extended_warranty_bought_on": ago(5),
        },
        "purchase_date",
        "purchase date of an appliance",
    ),
    ("extended_warranty_sale", {"f_extended_warranty_years": ""}, "extended_warranty_years", ""),
    ("consultation", {"f_question": ""}, "question", "required"),
    ("complaint", {"f_related_ticket": "TR-1"}, "related_ticket", "HA-2026-000123"),
]


def _post(app, service: str, fields: dict) -> tuple[int, str]:
    client = logged_in(app, "dispatcher", "dispatcher")
    response = client.form(
        f"/tickets/new?customer={_customer(app)}",
        {"service": f"home_appliances:{service}", **CORE, **fields},
        headers={"Accept-Language": "en"},
    )
    return response.status_code, html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("service", sorted(VALID))
def test_every_service_form_accepts_valid_input(ha_app, service):
    status, page = _post(ha_app, service, VALID[service])
    assert status == 303, page
    with ha_app.app_context():
        ticket = Ticket.get()
        assert (ticket.service, ticket.number[:3]) == (service, "HA-")
        expected = VALID[service]
        for key, value in expected.items():
            if value == "y":
                assert ticket.attributes[key[2:]] is True
        assert ticket.attributes.get("appliance_category", "") == expected.get(
            "f_appliance_category", ""
        )


@pytest.mark.parametrize(
    ("service", "changes", "field", "words"),
    INVALID,
    ids=[f"{s}-{f}-{i}" for i, (s, _c, f, _w) in enumerate(INVALID)],
)
def test_every_service_form_refuses_bad_input_next_to_the_field(
    ha_app, service, changes, field, words
):
    status, page = _post(ha_app, service, {**VALID[service], **changes})
    assert status == 422
    marker = f'<p class="error" id="f_{field}-error">'
    assert marker in page, page
    message = page[page.index(marker) : page.index("</p>", page.index(marker))]
    assert words in message
    with ha_app.app_context():
        assert Ticket.select().count() == 0


def _ticket(app, service: str, attributes: dict, reported: dt.datetime | None = None, **kw):
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="李秀英", region="广州市天河区")
        new = NewTicket(
            industry="home_appliances",
            service=registry.service("home_appliances", service),
            customer=customer,
            title="冰箱不制冷",
            attributes=attributes,
            reported_at=reported,
            **kw,
        )
        return create_ticket(registry, new, actor, 2026, now=reported)


def _sla(app, ticket) -> dict[str, TicketSla]:
    with app.app_context():
        return {row.metric: row for row in TicketSla.select().where(TicketSla.ticket == ticket.id)}


def _claim(purchased: dt.date, **more) -> dict:
    return {
        "repair_location": "on_site",
        "appliance_category": "refrigerator",
        "purchase_date": purchased.isoformat(),
        "proof_of_purchase": True,
        "fault_description": "不制冷",
        "fault_kind": "performance",
        **more,
    }


REPORTED = dt.datetime(2026, 3, 20, 2, 0)  # 10:00 in Shanghai


@pytest.mark.parametrize(
    ("days_before", "service", "entitlement", "policy"),
    [
        (7, "return", "return", "ha_return_exchange"),
        (8, "return", "exchange", "ha_return_exchange"),
        (15, "exchange", "exchange", "ha_return_exchange"),
        (16, "exchange", "free_repair", "ha_standard"),
        (7, "repair", "return", "ha_standard"),  # a repair still needs its visit
    ],
)
def test_the_entitlement_picks_the_policy_and_is_shown(
    ha_app, days_before, service, entitlement, policy
):
    purchased = REPORTED.date() - dt.timedelta(days=days_before)
    ticket = _ticket(ha_app, service, _claim(purchased), REPORTED)
    rows = _sla(ha_app, ticket)
    assert rows["resolution"].entitlement == entitlement
    assert rows["resolution"].policy == policy
    assert ("arrival" in rows) is (policy != "ha_return_exchange")
    page = logged_in(ha_app, "dispatcher", "dispatcher").get(
        f"/tickets/{ticket.number}", headers={"Accept-Language": "en"}
    )
    assert f"day {days_before} after purchase" in html.unescape(page.get_data(as_text=True)) or (
        entitlement == "free_repair"
    )


def test_the_reported_day_is_the_local_day(ha_app):
    # 23:30 UTC on the 7th day is already the 8th day in Shanghai: exchange, not return.
    purchased = dt.date(2026, 3, 1)
    ticket = _ticket(ha_app, "return", _claim(purchased), dt.datetime(2026, 3, 8, 23, 30))
    assert _sla(ha_app, ticket)["resolution"].entitlement == "exchange"


def test_paid_work_is_not_covered_and_misuse_says_why(ha_app):
    ticket = _ticket(ha_app, "repair", _claim(dt.date(2026, 3, 1), fault_kind="misuse"), REPORTED)
    row = _sla(ha_app, ticket)["resolution"]
    assert row.entitlement == "paid_repair" and "misuse" in row.entitlement_reason
    with ha_app.app_context():
        from server.catalog import current_registry
        from server.sla.engine import ticket_entitlement

        assert ticket_entitlement(current_registry(), Ticket.get_by_id(ticket.id)).covered is False


def test_the_warranty_table_in_the_config_reaches_the_entitlement(tmp_path):
    app = build_app(
        tmp_path,
        enabled=["home_appliances"],
        extra_plugins=[],
        plugin={"home_appliances": {"warranty_months": {"refrigerator": 72}}},
    )
    ticket = _ticket(app, "repair", _claim(dt.date(2022, 1, 1)), REPORTED)
    row = _sla(app, ticket)["resolution"]
    assert row.entitlement == "free_repair" and "72-month" in row.entitlement_reason


@pytest.mark.parametrize(
    ("region_class", "policy", "minutes"),
    [
        ("urban", "ha_urban", 1440),
        ("suburban", "ha_suburban", 2160),
        ("remote", "ha_remote", 4320),
        (None, "ha_standard", 1440),
    ],
)
def test_arrival_follows_the_region_class(ha_app, region_class, policy, minutes):
    attributes = _claim(dt.date(2020, 1, 1))
    if region_class:
        attributes["region_class"] = region_class
    ticket = _ticket(ha_app, "repair", attributes, REPORTED, priority="normal")
    rows = _sla(ha_app, ticket)
    assert rows["arrival"].policy == policy
    registry = ha_app.extensions["aftersales"].registry
    target = next(t for t in registry.policies[policy].targets if t.metric == "arrival")
    assert target.minutes["normal"] == minutes and target.calendar == "ha_service_hours"


def test_the_sla_minutes_come_from_the_settings(tmp_path):
    app = build_app(
        tmp_path,
        enabled=["home_appliances"],
        extra_plugins=[],
        plugin={
            "home_appliances": {
                "sla": {"first_response": {"urgent": 15}, "arrival": {"remote": {"low": 9000}}}
            }
        },
    )
    policies = app.extensions["aftersales"].registry.policies
    response = next(t for t in policies["ha_urban"].targets if t.metric == "first_response")
    assert response.minutes == {"urgent": 15, "high": 60, "normal": 120, "low": 240}
    arrival = next(t for t in policies["ha_remote"].targets if t.metric == "arrival")
    assert arrival.minutes["low"] == 9000


def test_waiting_for_parts_pauses_resolution_only():
    settings = parse({})
    from plugins.home_appliances.sla import policies

    for policy in policies(settings):
        for target in policy.targets:
            if target.metric == "resolution" and policy.name != "ha_return_exchange":
                assert "waiting_parts" in target.pause_statuses
            if target.metric in ("arrival", "first_response"):
                assert "waiting_parts" not in target.pause_statuses


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"colour": "red"}, "plugin.home_appliances.colour: unknown key"),
        ({"warranty_months": {"tv": 0}}, "warranty_months.tv: must be whole months"),
        ({"warranty_months": {"toaster": 12}}, "warranty_months.toaster: unknown key"),
        ({"timezone": "Mars/Base"}, "unknown time zone"),
        ({"return_days": 20}, "exchange_days: must not be shorter"),
        ({"factory_return_working_days": [15, 10]}, "factory_return_working_days"),
        ({"sla": {"resolution": {"normal": -5}}}, "sla.resolution.normal: must be positive"),
        ({"sla": {"arrival": {"moon": {}}}}, "sla.arrival.moon: unknown key"),
        ({"parts_working_days": True}, "parts_working_days: must be a whole number"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_the_plugin(tmp_path, table, words):
    with pytest.raises(ConfigError) as caught:
        build_app(
            tmp_path,
            enabled=["home_appliances"],
            extra_plugins=[],
            plugin={"home_appliances": table},
        )
    message = str(caught.value)
    assert "plugin 'home_appliances'" in message and words in message and "\n" not in message


def _info(status: str, since: dt.datetime, **attributes) -> TicketInfo:
    return TicketInfo(
        id=1,
        number="HA-2026-000001",
        plugin="home_appliances",
        service="repair",
        status=status,
        priority="normal",
        customer=CustomerInfo(1, "x", "person", "", "normal"),
        asset_id=None,
        assignee_id=None,
        reported_at=since,
        attributes=attributes,
        status_since=since,
    )


def test_parts_are_due_seven_working_days_after_waiting_starts():
    # Friday 2026-09-25 is the Mid-Autumn holiday, 1–7 October the National Day holiday,
    # and Saturday 10 October a make-up working day (China's official 2026 schedule).
    since = dt.datetime(2026, 9, 25, 2, 0)
    [panel] = followup.panels(_info("waiting_parts", since), parse({}), today=dt.date(2026, 9, 25))
    rows = {name.en: value for name, value in panel.rows}
    assert rows["Parts due by"] == "2026-10-12"
    assert followup.add_working_days(dt.date(2026, 9, 25), 3) == dt.date(2026, 9, 30)
    assert followup.add_working_days(dt.date(2026, 9, 25), 4) == dt.date(2026, 10, 8)
    assert followup.add_working_days(dt.date(2026, 9, 25), 6) == dt.date(2026, 10, 10)


def test_a_factory_return_is_followed_up_after_10_and_due_by_15_working_days():
    since = dt.datetime(2026, 11, 2, 2, 0)  # Monday
    info = _info("waiting_parts", since, factory_return=True)
    [panel] = followup.panels(info, parse({}), today=dt.date(2026, 11, 30))
    rows = {name.zh: value for name, value in panel.rows}
    assert rows["返厂跟进"] == "2026-11-16"
    assert rows["返厂最迟返回"] == Label("2026-11-23（已逾期）", "2026-11-23 (overdue)")


def test_no_follow_up_panel_unless_waiting_for_parts():
    assert followup.panels(_info("in_progress", dt.datetime(2026, 11, 2)), parse({})) == []


def test_working_days_without_holiday_data_are_monday_to_friday():
    assert followup.add_working_days(dt.date(2040, 1, 6), 1) == dt.date(2040, 1, 9)  # Fri → Mon


def test_the_ticket_page_shows_the_follow_up_dates(ha_app):
    ticket = _ticket(ha_app, "repair", _claim(dt.date(2026, 3, 1), factory_return=True), REPORTED)
    registry = ha_app.extensions["aftersales"].registry
    tech = ensure_user(ha_app, "tech", "technician")
    with ha_app.app_context():
        from server.tickets import assign_ticket

        fresh = Ticket.get_by_id(ticket.id)
        boss = ensure_user(ha_app, "dispatcher", "dispatcher")
        fresh = assign_ticket(registry, fresh, fresh.version, tech, "", boss)
        fresh = transition_ticket(registry, fresh, fresh.version, "waiting_parts", tech)
        since = ticket_info(fresh).status_since
    page = logged_in(ha_app, "dispatcher", "dispatcher").get(
        f"/tickets/{ticket.number}", headers={"Accept-Language": "zh-CN"}
    )
    text = html.unescape(page.get_data(as_text=True))
    assert "跟进日期" in text and "返厂跟进" in text
    local = (since + dt.timedelta(hours=8)).date()
    assert followup.add_working_days(local, 10).isoformat() in text


def test_the_plugin_works_beside_another_industry(tmp_path):
    app = build_app(tmp_path, enabled=["home_appliances", "tobacco_retail"], extra_plugins=[])
    registry = app.extensions["aftersales"].registry
    assert {"home_appliances", "tobacco_retail"} <= set(registry.industries)
    ticket = _ticket(app, "repair", _claim(dt.date(2025, 6, 1)), REPORTED)
    assert _sla(app, ticket)["resolution"].entitlement == "free_repair"
    status, _page = _post(app, "install", VALID["install"])
    assert status == 303


def test_the_demo_data_passes_the_plugins_own_checks(ha_app):
    from plugins.home_appliances import demo

    registry = ha_app.extensions["aftersales"].registry
    templates = demo.tickets()
    assert {t.service for t in templates} == {
        s.code for s in registry.services_of("home_appliances")
    }
    for template in templates:
        _ticket(ha_app, template.service, dict(template.attributes), priority=template.priority)
    with ha_app.app_context():
        assert Ticket.select().count() == len(templates)
        statuses = {row.entitlement for row in TicketSla.select()}
    assert {"free_install", "free_repair", "paid_repair", "exchange", "paid_service"} <= statuses
