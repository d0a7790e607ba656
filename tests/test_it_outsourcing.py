"""The IT-outsourcing plugin: contracts, service forms, priority matrix, SLA tiers, changes."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.it_outsourcing.entitlement import contract_entitlement, local_day
from plugins.it_outsourcing.settings import DEFAULT_MATRIX, parse
from server.config import ConfigError
from server.models import Asset, Customer, Ticket
from server.plugin_api import AssetInfo, Label
from server.sla.models import TicketSla
from tests.conftest import build_app, ensure_user

SLUG = "it_outsourcing"
CONTRACT = {
    "it_contract_no": "RX-2026-001",
    "it_contract_tier": "gold",
    "it_contract_start": "2026-03-01",
    "it_contract_end": "2026-03-31",
}


@pytest.fixture
def it_app(tmp_path):
    return build_app(tmp_path, enabled=[SLUG], extra_plugins=[])


def _client(app, username="dispatcher", role="dispatcher"):
    ensure_user(app, username, role)
    client = app.test_client()
    assert client.login(username).status_code == 303
    return client


def _customer(app, **attributes):
    with app.app_context():
        return Customer.create(
            name="瑞信物流股份有限公司", kind="company", attributes={**CONTRACT, **attributes}
        )


def _ticket(app, service="incident", reported_at=None, asset=True, customer=None, **attributes):
    from server.tickets import NewTicket, create_ticket

    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    customer = customer or _customer(app)
    reported_at = reported_at or dt.datetime(2026, 3, 10, 2, 0)
    with app.app_context():
        item = None
        if asset:
            item = Asset.create(
                customer=customer, plugin=SLUG, kind="it_asset", identifier="RXWL-100231"
            )
        new = NewTicket(
            industry=SLUG,
            service=registry.service(SLUG, service),
            customer=customer,
            title="WMS无法登录",
            asset=item,
            reported_at=reported_at,
            attributes=attributes,
        )
        return create_ticket(registry, new, actor, 2026, now=reported_at)


def _assigned(app, ticket):
    """The ticket assigned to a technician (work needs an assignee before it starts)."""
    from server.tickets import assign_ticket

    technician = ensure_user(app, "tech", "technician")
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        registry = app.extensions["aftersales"].registry
        return assign_ticket(registry, ticket, ticket.version, technician, "north", actor)


def _sla(app, ticket) -> dict[str, TicketSla]:
    with app.app_context():
        return {row.metric: row for row in TicketSla.select().where(TicketSla.ticket == ticket.id)}


# --- catalog, labels, forms ------------------------------------------------------------


def test_the_catalog_covers_the_service_desk(it_app):
    registry = it_app.extensions["aftersales"].registry
    assert {s.code for s in registry.services_of(SLUG)} == {
        "incident",
        "service_request",
        "problem",
        "change_request",
        "inspection",
        "remote_support",
        "on_site_support",
    }
    for service in registry.services_of(SLUG):
        assert service.label.zh and service.label.en and service.label.zh != service.label.en
        for spec in service.fields:
            assert spec.label.zh and spec.label.en
    assert {"it_contract_tier", "it_contract_start", "it_contract_end"} <= {
        f.name for f in registry.customer_fields
    }
    assert "it_business" in registry.calendars


FORMS = {
    "incident": {
        "f_impact": "high",
        "f_urgency": "medium",
        "f_affected_users": "40",
        "f_symptoms": "登录超时",
    },
    "service_request": {"f_request_kind": "account_access", "f_details": "开通VPN"},
    "problem": {"f_impact": "medium", "f_urgency": "medium", "f_root_cause": "连接池泄漏"},
    "change_request": {"f_change_type": "normal", "f_rollback_plan": "恢复原固件"},
    "inspection": {"f_inspection_scope": "network", "f_devices_checked": "12"},
    "remote_support": {"f_remote_tool": "screen_share", "f_details": "Outlook无法收信"},
    "on_site_support": {"f_site_contact": "何磊", "f_details": "更换交换机"},
}
MISSING = {
    "incident": "f_symptoms",
    "service_request": "f_request_kind",
    "problem": "f_impact",
    "change_request": "f_rollback_plan",
    "inspection": "f_inspection_scope",
    "remote_support": "f_details",
    "on_site_support": "f_site_contact",
}


def _new_form(service, **overrides):
    return {
        "service": f"{SLUG}:{service}",
        "title": "服务请求",
        "priority": "normal",
        "channel": "phone",
        **FORMS[service],
        **overrides,
    }


@pytest.mark.parametrize("service", sorted(FORMS))
def test_every_service_form_files_a_ticket(it_app, service):
    customer = _customer(it_app)
    response = _client(it_app).form(f"/tickets/new?customer={customer.id}", _new_form(service))
    assert response.status_code == 303, response.get_data(as_text=True)
    with it_app.app_context():
        ticket = Ticket.get(Ticket.service == service)
    assert ticket.number.startswith("IT-2026-") or ticket.number.startswith("IT-")


@pytest.mark.parametrize("service", sorted(MISSING))
def test_every_service_form_refuses_a_missing_required_field(it_app, service):
    customer = _customer(it_app)
    response = _client(it_app).form(
        f"/tickets/new?customer={customer.id}", _new_form(service, **{MISSING[service]: ""})
    )
    assert response.status_code == 422
    with it_app.app_context():
        assert Ticket.select().count() == 0


# --- priority: impact × urgency ----------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        ("high", "high", "urgent"),  # P1
        ("high", "medium", "high"),  # P2
        ("medium", "high", "high"),  # P2
        ("high", "low", "normal"),  # P3
        ("medium", "medium", "normal"),  # P3
        ("low", "high", "normal"),  # P3
        ("medium", "low", "low"),  # P4
        ("low", "low", "low"),  # P4
    ],
)
def test_priority_comes_from_impact_and_urgency(it_app, impact, urgency, priority):
    customer = _customer(it_app)
    client = _client(it_app)
    form = _new_form("incident", f_impact=impact, f_urgency=urgency, priority="low")
    assert client.form(f"/tickets/new?customer={customer.id}", form).status_code == 303
    with it_app.app_context():
        assert Ticket.get().priority == priority


def test_an_edit_of_impact_or_urgency_derives_the_priority_again(it_app):
    ticket = _ticket(it_app, impact="low", urgency="low", symptoms="慢")
    assert ticket.priority == "low"
    client = _client(it_app)
    response = client.form(
        f"/tickets/{ticket.number}/edit",
        {
            "title": ticket.title,
            "priority": "low",
            "channel": "phone",
            "version": ticket.version,
            "f_impact": "high",
            "f_urgency": "high",
            "f_symptoms": "全部宕机",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with it_app.app_context():
        assert Ticket.get_by_id(ticket.id).priority == "urgent"
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "P1 (high × high)" in page


def test_a_configured_matrix_is_used(tmp_path):
    matrix = {k: dict(v) for k, v in DEFAULT_MATRIX.items()}
    matrix["low"]["low"] = "P1"
    app = build_app(
        tmp_path, enabled=[SLUG], extra_plugins=[], plugin={SLUG: {"priority_matrix": matrix}}
    )
    ticket = _ticket(app, impact="low", urgency="low", symptoms="x")
    assert ticket.priority == "urgent"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"colour": 1}, "unknown setting 'colour'"),
        ({"priority_matrix": {"high": {}}}, "priority_matrix"),
        (
            {
                "priority_matrix": {
                    **DEFAULT_MATRIX,
                    "low": {"high": "P9", "medium": "P4", "low": "P4"},
                }
            },
            "priority_matrix.low.high",
        ),
        (
            {"core_priority": {"P1": "asap", "P2": "high", "P3": "normal", "P4": "low"}},
            "core_priority.P1",
        ),
    ],
)
def test_bad_settings_stop_start_up_naming_the_key(tmp_path, table, message):
    with pytest.raises(ValueError, match=message):
        parse(table)
    with pytest.raises(ConfigError, match=SLUG):
        build_app(tmp_path, enabled=[SLUG], extra_plugins=[], plugin={SLUG: table})


# --- contracts and entitlement ----------------------------------------------------------

ASSET = AssetInfo(id=1, plugin=SLUG, kind="it_asset", identifier="RXWL-100231")


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (dt.date(2026, 2, 28), "out_of_contract"),  # the day before the start
        (dt.date(2026, 3, 1), "contract_gold"),  # the first day
        (dt.date(2026, 3, 31), "contract_gold"),  # the last day
        (dt.date(2026, 4, 1), "out_of_contract"),  # the day after expiry
    ],
)
def test_the_contract_term_edges(day, status):
    result = contract_entitlement(CONTRACT, ASSET, day)
    assert result.status == status
    assert result.covered is (status != "out_of_contract")


def test_an_asset_outside_its_own_coverage_is_out_of_contract():
    asset = AssetInfo(
        id=1,
        plugin=SLUG,
        kind="it_asset",
        identifier="RXWL-1",
        coverage_start=dt.date(2026, 3, 15),
    )
    assert contract_entitlement(CONTRACT, asset, dt.date(2026, 3, 14)).status == "out_of_contract"
    assert contract_entitlement(CONTRACT, asset, dt.date(2026, 3, 15)).status == "contract_gold"


def test_no_contract_is_out_of_contract_and_charged():
    result = contract_entitlement({}, ASSET, dt.date(2026, 3, 10))
    assert (result.status, result.covered) == ("out_of_contract", False)
    assert result.reason == Label("无运维合同", "No service contract on file")


def test_contract_days_are_beijing_days():
    # 15:59 UTC on 28 Feb is 23:59 in Beijing; 16:00 UTC is already 1 March there
    assert local_day(dt.datetime(2026, 2, 28, 15, 59)) == dt.date(2026, 2, 28)
    assert local_day(dt.datetime(2026, 2, 28, 16, 0)) == dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("tier", "policy"),
    [("gold", "it_gold"), ("silver", "it_silver"), ("bronze", "it_bronze")],
)
def test_the_contract_tier_chooses_the_sla_policy(it_app, tier, policy):
    customer = _customer(it_app, it_contract_tier=tier)
    ticket = _ticket(it_app, customer=customer, impact="high", urgency="high", symptoms="x")
    rows = _sla(it_app, ticket)
    assert {row.policy for row in rows.values()} == {policy}
    assert {row.entitlement for row in rows.values()} == {f"contract_{tier}"}


def test_gold_runs_round_the_clock_and_silver_in_business_hours(it_app):
    # Saturday 14 March 2026, 10:00 Beijing: gold answers within 15 minutes
    saturday = dt.datetime(2026, 3, 14, 2, 0)
    gold = _ticket(it_app, reported_at=saturday, impact="high", urgency="high", symptoms="x")
    assert _sla(it_app, gold)["first_response"].due_at == saturday + dt.timedelta(minutes=15)
    silver_customer = _customer(it_app, it_contract_tier="silver")
    silver = _ticket(
        it_app,
        customer=silver_customer,
        reported_at=saturday,
        impact="high",
        urgency="high",
        symptoms="x",
    )
    # silver waits for Monday 09:00 Beijing (01:00 UTC) and then has 30 minutes
    assert _sla(it_app, silver)["first_response"].due_at == dt.datetime(2026, 3, 16, 1, 30)


def test_an_expired_contract_is_out_of_contract_on_the_ticket(it_app):
    ticket = _ticket(
        it_app, reported_at=dt.datetime(2026, 4, 1, 2, 0), impact="low", urgency="low", symptoms="x"
    )
    rows = _sla(it_app, ticket)
    assert {row.policy for row in rows.values()} == {"it_out_of_contract"}
    page = _client(it_app).get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "The contract ended on 2026-03-31" in page


GOOD_CUSTOMER = {
    "name": "天府职业技术学院",
    "kind": "company",
    "f_it_contract_no": "TF-2026-09",
    "f_it_contract_tier": "silver",
    "f_it_contract_start": "2026-09-01",
    "f_it_contract_end": "2027-08-31",
}


def test_a_customer_with_a_contract_is_saved(it_app):
    response = _client(it_app).form("/customers/new", GOOD_CUSTOMER)
    assert response.status_code == 303, response.get_data(as_text=True)
    with it_app.app_context():
        customer = Customer.get(Customer.name == "天府职业技术学院")
    assert customer.attributes["it_contract_tier"] == "silver"
    assert customer.attributes["it_contract_end"] == "2027-08-31"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"f_it_contract_end": "2026-08-31"}, "it_contract_end", "cannot end before it starts"),
        ({"f_it_contract_tier": ""}, "it_contract_tier", "needs its tier, start and end"),
        ({"f_it_contract_start": ""}, "it_contract_start", "needs its tier, start and end"),
    ],
)
def test_a_bad_contract_is_refused_next_to_its_field(it_app, changes, field, message):
    response = _client(it_app).form("/customers/new", {**GOOD_CUSTOMER, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with it_app.app_context():
        assert Customer.select().count() == 0


def test_a_contract_may_end_on_the_day_it_starts(it_app):
    same_day = {**GOOD_CUSTOMER, "f_it_contract_end": "2026-09-01"}
    assert _client(it_app).form("/customers/new", same_day).status_code == 303


# --- escalation and change approval ----------------------------------------------------


def test_escalating_to_the_second_line_needs_a_reason(it_app):
    customer = _customer(it_app)
    client = _client(it_app)
    url = f"/tickets/new?customer={customer.id}"
    refused = client.form(url, _new_form("incident", f_support_line="second"))
    assert refused.status_code == 422
    assert "Give the reason for escalating" in refused.get_data(as_text=True)
    accepted = client.form(
        url, _new_form("incident", f_support_line="second", f_escalation_reason="疑似数据库死锁")
    )
    assert accepted.status_code == 303


def _edit_change(client, ticket, approved):
    with_box = {"f_change_approved": "y"} if approved else {}
    return client.form(
        f"/tickets/{ticket.number}/edit",
        {
            "title": ticket.title,
            "priority": "normal",
            "channel": "phone",
            "version": ticket.version,
            "f_change_type": "normal",
            "f_rollback_plan": "恢复原固件",
            **with_box,
        },
    )


def test_a_change_starts_only_once_a_supervisor_approved_it(it_app):
    ticket = _assigned(
        it_app,
        _ticket(it_app, service="change_request", change_type="normal", rollback_plan="回退"),
    )
    dispatcher = _client(it_app)
    move = {"to": "in_progress", "version": ticket.version}
    refused = dispatcher.form(f"/tickets/{ticket.number}/transition", move)
    assert refused.status_code == 422
    assert "not been approved by a supervisor" in refused.get_data(as_text=True)

    # a dispatcher cannot tick the approval
    response = _edit_change(dispatcher, ticket, approved=True)
    assert response.status_code == 422
    assert "Only a supervisor approves" in response.get_data(as_text=True)
    with it_app.app_context():
        assert not Ticket.get_by_id(ticket.id).attributes.get("change_approved")

    supervisor = _client(it_app, "lead", "supervisor")
    assert _edit_change(supervisor, ticket, approved=True).status_code == 303
    with it_app.app_context():
        ticket = Ticket.get_by_id(ticket.id)
    assert ticket.attributes["change_approved"] is True

    # once approved, a dispatcher may edit other fields, and the work may start
    assert _edit_change(dispatcher, ticket, approved=True).status_code == 303
    with it_app.app_context():
        ticket = Ticket.get_by_id(ticket.id)
    moved = dispatcher.form(
        f"/tickets/{ticket.number}/transition", {"to": "in_progress", "version": ticket.version}
    )
    assert moved.status_code == 303
    with it_app.app_context():
        assert Ticket.get_by_id(ticket.id).status == "in_progress"


def test_other_services_are_not_held_for_approval(it_app):
    ticket = _assigned(it_app, _ticket(it_app, impact="low", urgency="low", symptoms="x"))
    response = _client(it_app).form(
        f"/tickets/{ticket.number}/transition", {"to": "in_progress", "version": ticket.version}
    )
    assert response.status_code == 303


# --- beside the other plugins -------------------------------------------------------------


def test_the_plugin_works_beside_the_other_industries(tmp_path):
    app = build_app(tmp_path, enabled=["home_appliances", "tobacco_retail", SLUG], extra_plugins=[])
    registry = app.extensions["aftersales"].registry
    assert {"home_appliances", "tobacco_retail", SLUG} <= set(registry.industries)
    customer = _customer(app)
    client = _client(app)
    response = client.form(f"/tickets/new?customer={customer.id}", _new_form("incident"))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert client.get("/tickets/new").status_code == 200
    assert client.get("/customers/new").status_code == 200


# --- availability per contract -------------------------------------------------------------


def test_service_minutes_follow_the_contract_calendar(it_app):
    import chinese_calendar

    from plugins.it_outsourcing.availability import month_bounds, service_minutes

    start, end = month_bounds(2026, 3)
    assert start == dt.datetime(2026, 2, 28, 16, 0)  # 1 March 00:00 in Beijing
    with it_app.app_context():
        assert service_minutes(start, end, "gold") == 31 * 24 * 60
        # March 2026 has 22 weekdays of nine business hours
        assert service_minutes(start, end, "silver") == 22 * 9 * 60
        # October has the National Day holidays and a make-up Saturday: the official
        # schedule (chinesecalendar, used here as the oracle) decides the working days
        start, end = month_bounds(2026, 10)
        october = [dt.date(2026, 10, day) for day in range(1, 32)]
        workdays = [day for day in october if chinese_calendar.is_workday(day)]
        assert len(workdays) != sum(1 for day in october if day.weekday() < 5)
        assert service_minutes(start, end, "bronze") == len(workdays) * 9 * 60


def test_the_availability_report_counts_p1_downtime(it_app):
    from server.tickets import transition_ticket

    customer = _customer(it_app)  # gold, contract RX-2026-001, March 2026
    outage = _assigned(
        it_app,
        _ticket(
            it_app,
            customer=customer,
            reported_at=dt.datetime(2026, 3, 10, 2, 0),
            impact="high",
            urgency="high",
            symptoms="全部宕机",
        ),
    )
    _ticket(it_app, customer=customer, impact="low", urgency="low", symptoms="打印机")  # not P1
    actor = ensure_user(it_app, "dispatcher", "dispatcher")
    with it_app.app_context():
        registry = it_app.extensions["aftersales"].registry
        outage = transition_ticket(
            registry,
            outage,
            outage.version,
            "in_progress",
            actor,
            now=dt.datetime(2026, 3, 10, 2, 30),
        )
        transition_ticket(
            registry, outage, outage.version, "resolved", actor, now=dt.datetime(2026, 3, 10, 3, 0)
        )
    client = _client(it_app)
    page = client.get("/p/it_outsourcing/availability?contract=RX-2026-001&month=2026-03")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert outage.number in text
    assert ">60<" in text  # one hour down
    percent = 100 * (31 * 24 * 60 - 60) / (31 * 24 * 60)
    assert f"{percent:.3f}%" in text
    assert "format=csv" in text and "format=xlsx" in text

    export = client.get(
        "/p/it_outsourcing/availability?contract=RX-2026-001&month=2026-03&format=csv",
        headers={"Accept-Language": "zh-CN"},
    )
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    lines = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("合同编号,客户,合同等级,月份,")  # the headers in Chinese
    assert lines[1:] == [
        f"RX-2026-001,瑞信物流股份有限公司,gold,2026-03,{31 * 24 * 60},60,{percent:.3f},"
        f"{outage.number},2026-03-10 02:00,2026-03-10 03:00"
    ]
    book = client.get(
        "/p/it_outsourcing/availability?contract=RX-2026-001&month=2026-03&format=xlsx"
    )
    from tests.test_tabular import xlsx_rows

    rows = xlsx_rows(book.get_data())
    assert rows[1][7] == outage.number
    assert rows[1][5] == 60


def test_the_availability_page_refuses_a_bad_month_and_an_unknown_contract(it_app):
    client = _client(it_app)
    bad = client.get("/p/it_outsourcing/availability?contract=RX-2026-001&month=2026-13")
    assert bad.status_code == 422
    assert "YYYY-MM" in bad.get_data(as_text=True)
    assert (
        client.get("/p/it_outsourcing/availability?contract=NOPE-1&month=2026-03").status_code
        == 404
    )
    assert 'href="/p/it_outsourcing/availability"' in client.get("/tickets").get_data(as_text=True)


def test_tickets_in_period_takes_the_tickets_open_in_the_period(it_app):
    from server.plugin_api import tickets_in_period

    customer = _customer(it_app)
    start, end = dt.datetime(2026, 3, 1), dt.datetime(2026, 4, 1)
    before = _ticket(it_app, customer=customer, reported_at=dt.datetime(2026, 2, 27), symptoms="a")
    inside = _ticket(it_app, customer=customer, reported_at=dt.datetime(2026, 3, 5), symptoms="b")
    at_end = _ticket(it_app, customer=customer, reported_at=end, symptoms="c")
    with it_app.app_context():
        # resolved exactly when the period starts: not open in it
        Ticket.update(resolved_at=start).where(Ticket.id == before.id).execute()
        spans = tickets_in_period(SLUG, customer.id, start, end, ("incident",))
        assert [s.ticket.number for s in spans] == [inside.number]
        assert spans[0].resolved_at is None
        Ticket.update(resolved_at=start + dt.timedelta(minutes=1)).where(
            Ticket.id == before.id
        ).execute()
        numbers = [
            s.ticket.number for s in tickets_in_period(SLUG, customer.id, start, end, ("incident",))
        ]
    assert numbers == [before.number, inside.number]
    assert at_end.number not in numbers  # reported when the period ends: excluded
