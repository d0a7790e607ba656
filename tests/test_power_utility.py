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


PROVIDERS = [
    {
        "name": "湖南湘电检修有限公司",
        "licence_no": "4-1-00123-2021",
        "licence_types": ["repair", "test"],
        "licence_expiry": dt.date(2026, 3, 21),
        "ratings": {"2024": "B", "2025": "A"},
    }
]


@pytest.fixture
def register_app(tmp_path):
    return build_app(
        tmp_path,
        enabled=["power_utility"],
        extra_plugins=[],
        plugin={"power_utility": {"providers": PROVIDERS}},
    )


def _maintenance(app, reported: dt.datetime, **changes):
    registry = app.extensions["aftersales"].registry
    from server.tickets import validate_new_ticket

    attributes = {
        "provider_name": "湖南湘电检修有限公司",
        "licence_type": "repair",
        "equipment": "箱变检修",
        **changes,
    }
    with app.app_context():
        new = NewTicket(
            industry="power_utility",
            service=registry.service("power_utility", "contracted_maintenance"),
            customer=Customer.create(name="蓝山食品"),
            title="箱变检修",
            attributes=attributes,
            reported_at=reported,
        )
        return validate_new_ticket(registry, new)


@pytest.mark.parametrize(
    ("reported", "ok"),
    [
        (dt.datetime(2026, 3, 21, 15, 59), True),  # 23:59 on the expiry day in Shanghai
        (dt.datetime(2026, 3, 21, 16, 0), False),  # 00:00 the day after
    ],
)
def test_the_provider_licence_is_valid_through_its_expiry_day(register_app, reported, ok):
    errors = _maintenance(register_app, reported)
    if ok:
        assert errors == {}
    else:
        # the core hands pages the plugin's Label in the page's language (English here,
        # outside a request)
        assert errors == {
            "provider_name": ["湖南湘电检修有限公司's licence expired on 2026-03-21."]
        }


def test_the_provider_must_be_registered_with_the_licence_type(register_app):
    at = dt.datetime(2026, 1, 5, 2, 0)
    assert (
        "not in the provider register"
        in _maintenance(register_app, at, provider_name="无名")["provider_name"][0]
    )
    assert _maintenance(register_app, at, licence_type="install") == {
        "licence_type": ["湖南湘电检修有限公司 holds no installation licence."]
    }


def test_the_provider_register_page_lists_licences_and_ratings(register_app):
    client = logged_in(register_app, "tech", "technician")
    assert 'href="/p/power_utility/providers"' in client.get("/tickets").get_data(as_text=True)
    page = html.unescape(client.get("/p/power_utility/providers").get_data(as_text=True))
    assert "湖南湘电检修有限公司" in page and "4-1-00123-2021" in page
    assert "repair, test" in page and "A (2025)" in page and "expired" in page
    partial = client.get("/p/power_utility/providers", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert "/p/power_utility/providers?format=csv" in page
    export = client.get(
        "/p/power_utility/providers?format=csv", headers={"Accept-Language": "zh-CN"}
    )
    export = export.get_data(as_text=True)
    lines = export.lstrip("\ufeff").splitlines()
    assert lines[0] == "服务商,许可证号,许可类别,有效期至,已过期,最近评级年度,最近评级"
    assert any(line.startswith("湖南湘电检修有限公司,4-1-00123-2021,") for line in lines)


@pytest.mark.parametrize(
    ("providers", "words"),
    [
        (
            [{"name": "X", "licence_types": ["fly"], "licence_expiry": dt.date(2027, 1, 1)}],
            "licence_types",
        ),
        ([{"name": "X", "licence_types": ["repair"], "licence_expiry": "soon"}], "licence_expiry"),
        (
            [{"name": "", "licence_types": ["repair"], "licence_expiry": dt.date(2027, 1, 1)}],
            "name",
        ),
        (
            [
                {
                    "name": "X",
                    "licence_types": ["repair"],
                    "licence_expiry": dt.date(2027, 1, 1),
                    "ratings": {"2025": "E"},
                }
            ],
            "ratings",
        ),
    ],
)
def test_a_bad_provider_entry_stops_start_up(providers, words):
    with pytest.raises(ValueError, match=f"providers\\[1\\].{words}"):
        parse({"providers": providers})
