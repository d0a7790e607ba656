"""The power-utility plugin: every service form, the urban/rural/remote arrival targets at
their boundaries, the settings, and the demo data."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from plugins.power_utility.settings import parse
from server.config import ConfigError
from server.models import Customer, Ticket
from server.sla.models import TicketSla
from server.sla.sweep import sweep
from server.tickets import NewTicket, create_ticket
from tests.conftest import build_app, ensure_user, logged_in

TODAY = dt.date.today()


@pytest.fixture
def pu_app(tmp_path):
    return build_app(tmp_path, enabled=["power_utility"], extra_plugins=[])


CORE = {"title": "供电服务", "description": "", "priority": "normal", "channel": "phone"}
VALID = {
    "fault_repair": {
        "f_region_class": "urban",
        "f_outage": "y",
        "f_fault_kind": "no_power",
        "f_meter_no": "3300012345678",
        "f_supply_address": "长沙市开福区芙蓉中路一段479号",
        "f_customer_kind": "residential",
    },
    "outage": {
        "f_region_class": "rural",
        "f_feeder": "10kV 桃洪线 石门村2号台区",
        "f_affected_customers": "120",
        "f_cause": "weather",
    },
    "new_connection": {
        "f_requested_capacity_kva": "1250",
        "f_supply_voltage": "mv_10kv",
        "f_use_type": "industrial",
        "f_stage": "survey",
        "f_customer_kind": "industrial",
    },
    "meter_fault": {
        "f_meter_no": "3300012345678",
        "f_meter_symptom": "blank_display",
        "f_region_class": "remote",
    },
    "billing_dispute": {"f_bill_month": "2026-10", "f_dispute_reason": "high_bill"},
    "enquiry": {"f_topic": "tariff", "f_hotline_ref": "95598-2026-0001"},
    "contracted_maintenance": {
        "f_provider_name": "湖南湘电检修有限公司",
        "f_licence_type": "repair",
        "f_licence_expiry": (TODAY + dt.timedelta(days=200)).isoformat(),
        "f_equipment": "10kV 箱变年度预防性试验",
    },
}
INVALID = [
    ("fault_repair", {"f_region_class": ""}, "region_class", "required"),
    ("fault_repair", {"f_meter_no": "abc"}, "meter_no", "6–24 digits"),
    ("outage", {"f_feeder": ""}, "feeder", "required"),
    ("outage", {"f_affected_customers": "0"}, "affected_customers", ""),
    ("new_connection", {"f_stage": "dreaming"}, "stage", ""),
    ("meter_fault", {"f_meter_symptom": ""}, "meter_symptom", "required"),
    ("billing_dispute", {"f_bill_month": "2026-13"}, "bill_month", "YYYY-MM"),
    ("enquiry", {"f_hotline_ref": "9 9"}, "hotline_ref", "4–30 letters"),
    ("contracted_maintenance", {"f_licence_type": ""}, "licence_type", "required"),
    ("contracted_maintenance", {"f_licence_expiry": "2026-02-30"}, "licence_expiry", ""),
]


def _post(app, service: str, fields: dict) -> tuple[int, str]:
    client = logged_in(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="黄志刚", region="长沙市开福区").id
    response = client.form(
        f"/tickets/new?customer={customer}",
        {"service": f"power_utility:{service}", **CORE, **fields},
        headers={"Accept-Language": "en"},
    )
    return response.status_code, html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("service", sorted(VALID))
def test_every_service_form_accepts_valid_input(pu_app, service):
    status, page = _post(pu_app, service, VALID[service])
    assert status == 303, page
    with pu_app.app_context():
        ticket = Ticket.get()
        assert (ticket.service, ticket.number[:3]) == (service, "PU-")


@pytest.mark.parametrize(
    ("service", "changes", "field", "words"),
    INVALID,
    ids=[f"{s}-{f}-{i}" for i, (s, _c, f, _w) in enumerate(INVALID)],
)
def test_every_service_form_refuses_bad_input_next_to_the_field(
    pu_app, service, changes, field, words
):
    status, page = _post(pu_app, service, {**VALID[service], **changes})
    assert status == 422
    marker = f'<p class="error" id="f_{field}-error">'
    assert marker in page, page
    message = page[page.index(marker) : page.index("</p>", page.index(marker))]
    assert words in message
    with pu_app.app_context():
        assert Ticket.select().count() == 0


REPORTED = dt.datetime(2026, 3, 21, 15, 0)  # a Saturday, 23:00 in Shanghai


def _ticket(app, service: str, attributes: dict, reported: dt.datetime = REPORTED, **kw):
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="杨桂兰", region="邵阳市隆回县")
        new = NewTicket(
            industry="power_utility",
            service=registry.service("power_utility", service),
            customer=customer,
            title="无电",
            attributes=attributes,
            reported_at=reported,
            **kw,
        )
        return create_ticket(registry, new, actor, 2026, now=reported)


def _arrival(app, ticket) -> TicketSla:
    with app.app_context():
        return TicketSla.get(TicketSla.ticket == ticket.id, TicketSla.metric == "arrival")


@pytest.mark.parametrize(
    ("region_class", "minutes"), [("urban", 45), ("rural", 90), ("remote", 120)]
)
@pytest.mark.parametrize("service", ["fault_repair", "outage"])
def test_arrival_is_due_by_region_class_around_the_clock(pu_app, service, region_class, minutes):
    # reported late on a Saturday evening: the 24×7 clock still counts every minute
    ticket = _ticket(pu_app, service, {"region_class": region_class}, priority="low")
    row = _arrival(pu_app, ticket)
    assert row.policy == f"pu_repair_{region_class}"
    assert row.target_seconds == minutes * 60
    assert row.due_at == REPORTED + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("region_class", "minutes"), [("urban", 45), ("rural", 90), ("remote", 120)]
)
def test_arrival_on_the_last_minute_is_met_and_a_minute_later_breached(
    pu_app, region_class, minutes
):
    ticket = _ticket(pu_app, "fault_repair", {"region_class": region_class})
    due = REPORTED + dt.timedelta(minutes=minutes)
    with pu_app.app_context():
        sweep(pu_app.extensions["aftersales"].registry, now=due)
    assert _arrival(pu_app, ticket).state != "breached"
    with pu_app.app_context():
        sweep(pu_app.extensions["aftersales"].registry, now=due + dt.timedelta(minutes=1))
    assert _arrival(pu_app, ticket).state == "breached"


def test_office_services_have_no_arrival_target(pu_app):
    ticket = _ticket(
        pu_app, "billing_dispute", {"bill_month": "2026-10", "dispute_reason": "tariff"}
    )
    with pu_app.app_context():
        rows = {r.metric: r for r in TicketSla.select().where(TicketSla.ticket == ticket.id)}
    assert "arrival" not in rows
    assert rows["resolution"].policy == "pu_standard"
    assert rows["resolution"].calendar == "pu_office"


def test_the_arrival_minutes_come_from_the_settings(tmp_path):
    app = build_app(
        tmp_path,
        enabled=["power_utility"],
        extra_plugins=[],
        plugin={"power_utility": {"arrival_minutes": {"rural": 60}}},
    )
    rural = _arrival(app, _ticket(app, "fault_repair", {"region_class": "rural"}))
    urban = _arrival(app, _ticket(app, "fault_repair", {"region_class": "urban"}))
    assert (rural.target_seconds, urban.target_seconds) == (3600, 45 * 60)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"arrival_minutes": {"moon": 5}}, "arrival_minutes.moon: unknown key"),
        ({"arrival_minutes": {"urban": 0}}, "arrival_minutes.urban: must be whole minutes"),
        ({"arrival_minutes": 45}, "arrival_minutes: must be a table"),
        ({"timezone": "Mars/Base"}, "timezone: unknown time zone"),
        ({"colour": "red"}, "colour: unknown key"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_the_plugin(tmp_path, table, words):
    with pytest.raises(ValueError, match=words):
        parse(table)
    with pytest.raises(ConfigError) as raised:
        build_app(
            tmp_path, enabled=["power_utility"], extra_plugins=[], plugin={"power_utility": table}
        )
    message = str(raised.value)
    assert "plugin 'power_utility'" in message and words in message and "\n" not in message


def test_the_defaults_are_45_90_and_120_minutes():
    assert dict(parse({}).arrival_minutes) == {"urban": 45, "rural": 90, "remote": 120}
