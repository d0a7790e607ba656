"""The tobacco-retail plugin: retailer fields, every service form, SLA choice, settings."""

from __future__ import annotations

import datetime as dt

import pytest

from server.config import ConfigError
from server.models import Customer, Ticket
from server.sla.models import TicketSla
from tests.conftest import build_app, ensure_user

SLUG = "tobacco_retail"


@pytest.fixture
def tr_app(tmp_path):
    return build_app(tmp_path, enabled=[SLUG], extra_plugins=[])


def _client(app, username="dispatcher", role="dispatcher"):
    ensure_user(app, username, role)
    client = app.test_client()
    assert client.login(username).status_code == 303
    return client


def _retailer(app, tier="A", **attributes):
    with app.app_context():
        return Customer.create(
            name="鑫源便利店（周国强）",
            kind="company",
            tier=tier,
            attributes={"tr_licence_no": "330105100237", **attributes},
        )


# --- the plugin alone and beside another ---------------------------------------------


def test_the_plugin_alone_registers_its_whole_catalog(tr_app):
    registry = tr_app.extensions["aftersales"].registry
    codes = {s.code for s in registry.services_of(SLUG)}
    assert codes == {
        "visit",
        "first_visit",
        "sales_guidance",
        "counterfeit_check",
        "settlement_card",
        "info_change",
        "new_product_notice",
        "policy_publicity",
        "quality_complaint",
        "delivery_complaint",
    }
    assert registry.industries[SLUG].ticket_prefix == "TR"
    assert {f.name for f in registry.customer_fields} >= {
        "tr_licence_no",
        "tr_store_name",
        "tr_business_type",
        "tr_ordering_phone",
        "tr_backup_phone",
        "tr_visit_time",
        "tr_vulnerable",
        "tr_business_status",
        "tr_manager",
    }
    assert "tr_office" in registry.calendars


def test_labels_are_in_chinese_and_english(tr_app):
    registry = tr_app.extensions["aftersales"].registry
    for service in registry.services_of(SLUG):
        assert service.label.zh and service.label.en and service.label.zh != service.label.en
        for spec in service.fields:
            assert spec.label.zh and spec.label.en


def test_the_plugin_works_beside_home_appliances(tmp_path):
    app = build_app(tmp_path, enabled=["home_appliances", SLUG], extra_plugins=[])
    registry = app.extensions["aftersales"].registry
    assert {"home_appliances", SLUG} <= set(registry.industries)
    customer = _retailer(app)
    client = _client(app)
    response = client.form(
        f"/tickets/new?customer={customer.id}",
        {
            "service": f"{SLUG}:delivery_complaint",
            "title": "送货晚到",
            "priority": "high",
            "channel": "phone",
            "f_delivery_issue": "late",
            "f_details": "下午才到",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        ticket = Ticket.get(Ticket.plugin == SLUG)
    assert ticket.number.startswith("TR-")
    assert client.get("/p/tobacco_retail/visits-due").status_code == 200
    assert client.get("/tickets/new").status_code == 200


def test_menu_links_to_the_visits_due_list(tr_app):
    page = _client(tr_app).get("/tickets").get_data(as_text=True)
    assert 'href="/p/tobacco_retail/visits-due"' in page


# --- retailer fields -----------------------------------------------------------------

GOOD_RETAILER = {
    "name": "福兴烟酒商行（吴丽华）",
    "kind": "company",
    "tier": "B",
    "f_tr_licence_no": "320104200518",
    "f_tr_store_name": "福兴烟酒商行",
    "f_tr_business_type": "tobacco_and_liquor",
    "f_tr_ordering_phone": "13951827734",
    "f_tr_backup_phone": "025-84451230",
    "f_tr_visit_time": "afternoon",
    "f_tr_vulnerable": "y",
    "f_tr_business_status": "open",
    "f_tr_manager": "tech1",
}


def test_a_retailer_is_saved_with_its_fields(tr_app):
    ensure_user(tr_app, "tech1", "technician")
    response = _client(tr_app).form("/customers/new", GOOD_RETAILER)
    assert response.status_code == 303, response.get_data(as_text=True)
    with tr_app.app_context():
        customer = Customer.get(Customer.name == GOOD_RETAILER["name"])
    assert customer.tier == "B"
    assert customer.attributes["tr_licence_no"] == "320104200518"
    assert customer.attributes["tr_backup_phone"] == "025-84451230"
    assert customer.attributes["tr_vulnerable"] is True
    assert customer.attributes["tr_manager"] == "tech1"


def _in_language_of(message: str) -> dict[str, str]:
    """Ask for the page in the expected message's language (Chinese hint or WTForms' English)."""
    return {"Accept-Language": "en" if message.isascii() else "zh-CN"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("f_tr_licence_no", "32010420051", "12位"),  # 11 digits
        ("f_tr_licence_no", "3201042005189", "12位"),  # 13 digits
        ("f_tr_licence_no", "020104200518", "12位"),  # no area code starts with 0
        ("f_tr_licence_no", "32010420051X", "12位"),
        ("f_tr_ordering_phone", "1395182773", "11位手机号"),
        ("f_tr_backup_phone", "12345678901", "11位手机号"),
        ("f_tr_business_type", "casino", "Not a valid choice"),
        ("f_tr_business_status", "closed", "Not a valid choice"),
        ("f_tr_manager", "tech 1", "登录名"),
    ],
)
def test_a_bad_retailer_field_is_refused_next_to_it(tr_app, field, value, message):
    ensure_user(tr_app, "tech1", "technician")
    response = _client(tr_app).form(
        "/customers/new", {**GOOD_RETAILER, field: value}, headers=_in_language_of(message)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with tr_app.app_context():
        assert not Customer.select().where(Customer.name == GOOD_RETAILER["name"]).exists()


def test_a_licence_no_belongs_to_one_retailer_only(tr_app):
    ensure_user(tr_app, "tech1", "technician")
    other = _retailer(tr_app)  # holds 330105100237
    client = _client(tr_app)
    taken = {**GOOD_RETAILER, "f_tr_licence_no": "330105100237"}
    response = client.form("/customers/new", taken)
    assert response.status_code == 422
    assert "already belongs to" in response.get_data(as_text=True)
    # the holder itself may be saved with its own number
    mine = {**GOOD_RETAILER, "name": other.name, "f_tr_licence_no": "330105100237"}
    assert client.form(f"/customers/{other.id}/edit", mine).status_code == 303


def test_the_customer_manager_must_be_an_active_login(tr_app):
    response = _client(tr_app).form("/customers/new", {**GOOD_RETAILER, "f_tr_manager": "ghost"})
    assert response.status_code == 422
    assert "No active user logs in as ghost" in response.get_data(as_text=True)
    with tr_app.app_context():
        assert not Customer.select().where(Customer.name == GOOD_RETAILER["name"]).exists()


def test_the_licence_asset_needs_a_valid_number(tr_app):
    customer = _retailer(tr_app)
    client = _client(tr_app)
    bad = client.form(
        f"/customers/{customer.id}/assets",
        {"kind": f"{SLUG}:retail_licence", "identifier": "12345"},
    )
    assert bad.status_code == 422
    good = client.form(
        f"/customers/{customer.id}/assets",
        {"kind": f"{SLUG}:retail_licence", "identifier": "330105100237"},
    )
    assert good.status_code in (200, 303)


# --- every service form: valid and invalid -------------------------------------------

VALID = {
    "visit": {
        "f_ordering_smooth": "yes",
        "f_calls_on_time": "no",
        "f_display_ok": "partly",
        "f_prices_marked": "yes",
        "f_inventory_advice": "细支烟可增加订量",
        "f_visit_notes": "订货电话晚到一天",
    },
    "first_visit": {"f_ordering_explained": "yes", "f_card_explained": "partly"},
    "sales_guidance": {"f_topic": "品类结构", "f_advice": "调整高端规格陈列"},
    "counterfeit_check": {"f_brand_spec": "金城（硬珍品）", "f_suspect_quantity": "1"},
    "settlement_card": {"f_card_issue": "deduction_failed", "f_details": "余额充足但扣款失败"},
    "info_change": {
        "f_change_item": "ordering_phone",
        "f_new_phone": "13906712458",
        "f_effective_date": "2026-12-01",
    },
    "new_product_notice": {"f_brand_spec": "黄鹤楼（硬金砂）", "f_retailer_interested": "yes"},
    "policy_publicity": {"f_policy": "不向未成年人售烟"},
    "quality_complaint": {
        "f_brand_spec": "云岭（软经典）",
        "f_batch": "2026-08-14",
        "f_quantity": "10",
        "f_complainant_type": "consumer",
        "f_defect": "internal_mould",
    },
    "delivery_complaint": {
        "f_delivery_issue": "late",
        "f_delivery_date": "2026-01-05",
        "f_details": "下午三点才到",
    },
}

# One bad value per service, and the message shown next to it.
INVALID = {
    "visit": ("f_ordering_smooth", "maybe", "Not a valid choice"),
    "first_visit": ("f_card_explained", "", "This field is required"),
    "sales_guidance": ("f_advice", "", "This field is required"),
    "counterfeit_check": ("f_suspect_quantity", "0", "Number must be"),
    "settlement_card": ("f_card_issue", "lost_pin", "Not a valid choice"),
    "info_change": ("f_new_phone", "555-1234", "11位手机号"),
    "new_product_notice": ("f_brand_spec", "", "This field is required"),
    "policy_publicity": ("f_policy", "x" * 101, "longer than 100"),
    "quality_complaint": ("f_defect", "bad_taste", "Not a valid choice"),
    "delivery_complaint": ("f_delivery_date", "2999-01-01", "future"),
}


def _post_ticket(client, customer_id, service, fields, **kwargs):
    return client.form(
        f"/tickets/new?customer={customer_id}",
        {
            "service": f"{SLUG}:{service}",
            "title": "零售户服务",
            "priority": "normal",
            "channel": "phone",
            **fields,
        },
        **kwargs,
    )


@pytest.mark.parametrize("service", sorted(VALID))
def test_each_service_form_accepts_good_input(tr_app, service):
    customer = _retailer(tr_app)
    response = _post_ticket(_client(tr_app), customer.id, service, VALID[service])
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    with tr_app.app_context():
        ticket = Ticket.get(Ticket.service == service)
    for name, value in VALID[service].items():
        stored = ticket.attributes[name.removeprefix("f_")]
        assert str(stored) == value


@pytest.mark.parametrize("service", sorted(INVALID))
def test_each_service_form_refuses_bad_input_next_to_the_field(tr_app, service):
    field, value, message = INVALID[service]
    customer = _retailer(tr_app)
    response = _post_ticket(
        _client(tr_app),
        customer.id,
        service,
        {**VALID[service], field: value},
        headers=_in_language_of(message),
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with tr_app.app_context():
        assert Ticket.select().count() == 0


def test_every_service_has_an_invalid_case():
    assert set(INVALID) == set(VALID)


def test_a_compensated_complaint_needs_an_amount(tr_app):
    customer = _retailer(tr_app)
    fields = {**VALID["quality_complaint"], "f_outcome": "compensated"}
    response = _post_ticket(_client(tr_app), customer.id, "quality_complaint", fields)
    assert response.status_code == 422
    assert "Enter the compensation paid." in response.get_data(as_text=True)


def test_a_compensation_needs_the_compensated_outcome(tr_app):
    customer = _retailer(tr_app)
    fields = {**VALID["quality_complaint"], "f_outcome": "replaced", "f_compensation": "50.00"}
    response = _post_ticket(_client(tr_app), customer.id, "quality_complaint", fields)
    assert response.status_code == 422
    assert "Compensated" in response.get_data(as_text=True)


def test_a_complaint_records_its_first_contact_owner_outcome_and_compensation(tr_app):
    customer = _retailer(tr_app)
    ensure_user(tr_app, "hotline", "dispatcher")
    client = _client(tr_app, "hotline")
    fields = {**VALID["quality_complaint"], "f_outcome": "compensated", "f_compensation": "85.50"}
    assert _post_ticket(client, customer.id, "quality_complaint", fields).status_code == 303
    with tr_app.app_context():
        ticket = Ticket.get(Ticket.service == "quality_complaint")
    assert ticket.attributes["compensation"] == "85.50"
    # someone else looks at it later: the owner is still who took the call
    page = _client(tr_app, "supervisor", "supervisor").get(f"/tickets/{ticket.number}")
    text = page.get_data(as_text=True)
    assert "First-contact owner" in text and "Hotline" in text
    assert "¥85.50" in text and "Compensated" in text


# --- SLA defaults ----------------------------------------------------------------------


def _sla(app, ticket_id):
    with app.app_context():
        return {row.metric: row for row in TicketSla.select().where(TicketSla.ticket == ticket_id)}


def _create(app, customer, service, fields):
    response = _post_ticket(_client(app), customer.id, service, fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        return Ticket.select().order_by(Ticket.id.desc()).first()


@pytest.mark.parametrize("service", ["quality_complaint", "delivery_complaint"])
def test_complaints_are_answered_within_a_working_day(tr_app, service):
    ticket = _create(tr_app, _retailer(tr_app), service, VALID[service])
    sla = _sla(tr_app, ticket.id)
    assert sla["first_response"].policy == "tr_complaint"
    assert sla["first_response"].calendar == "tr_office"
    assert sla["first_response"].target_seconds == 8 * 3600  # 08:30–12:00 and 13:30–18:00


@pytest.mark.parametrize(
    ("tier", "policy", "days"),
    [
        ("A", "tr_visit_a", 7),
        ("B", "tr_visit_b", 14),
        ("C", "tr_visit_c", 30),
        ("D", "tr_visit_d", 60),
        ("normal", "tr_visit_other", 30),
    ],
)
def test_a_visit_is_due_by_its_grades_cycle(tr_app, tier, policy, days):
    ticket = _create(tr_app, _retailer(tr_app, tier=tier), "visit", VALID["visit"])
    resolution = _sla(tr_app, ticket.id)["resolution"]
    assert resolution.policy == policy
    assert resolution.calendar == "24x7"
    assert resolution.target_seconds == days * 86400


def test_the_cycles_come_from_the_plugin_settings(tmp_path):
    app = build_app(
        tmp_path,
        enabled=[SLUG],
        extra_plugins=[],
        plugin={SLUG: {"visit_cycle_days": {"A": 5, "B": 10}, "default_visit_cycle_days": 45}},
    )
    a = _create(app, _retailer(app, tier="A"), "visit", VALID["visit"])
    other = _create(app, _retailer(app, tier="C"), "visit", VALID["visit"])
    assert _sla(app, a.id)["resolution"].target_seconds == 5 * 86400
    assert _sla(app, other.id)["resolution"].target_seconds == 45 * 86400
    assert _sla(app, other.id)["resolution"].policy == "tr_visit_other"


def test_a_new_retailers_first_visit_is_due_at_once(tr_app):
    ticket = _create(tr_app, _retailer(tr_app), "first_visit", VALID["first_visit"])
    resolution = _sla(tr_app, ticket.id)["resolution"]
    assert resolution.policy == "tr_first_visit"
    assert resolution.target_seconds == 8 * 3600


def test_other_requests_get_the_standard_policy(tr_app):
    ticket = _create(tr_app, _retailer(tr_app), "settlement_card", VALID["settlement_card"])
    assert _sla(tr_app, ticket.id)["first_response"].policy == "tr_standard"


# --- settings checked at start-up ------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"visit_cycle_days": {"A": 0}}, "visit_cycle_days.A must be a whole number"),
        ({"visit_cycle_days": {"A": "weekly"}}, "visit_cycle_days.A must be a whole number"),
        ({"visit_cycle_days": {"A 1": 7}}, "grade 'A 1'"),
        ({"visit_cycle_days": 7}, "visit_cycle_days must be a table"),
        ({"default_visit_cycle_days": 400}, "default_visit_cycle_days must be"),
        ({"visit_cycles": {"A": 7}}, "unknown setting 'visit_cycles'"),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(tmp_path, table, message):
    with pytest.raises(ConfigError) as caught:
        build_app(tmp_path, enabled=[SLUG], extra_plugins=[], plugin={SLUG: table})
    text = str(caught.value)
    assert message in text and "tobacco_retail" in text and "\n" not in text


# --- entitlement: the licence's validity on the day of the call ------------------------


def _ticket_on(app, reported_at, coverage=(dt.date(2026, 3, 1), dt.date(2026, 3, 31))):
    from server.models import Asset
    from server.tickets import NewTicket, create_ticket

    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    customer = _retailer(app)
    with app.app_context():
        asset = None
        if coverage is not None:
            asset = Asset.create(
                customer=customer,
                plugin=SLUG,
                kind="retail_licence",
                identifier="330105100237",
                coverage_start=coverage[0],
                coverage_end=coverage[1],
            )
        new = NewTicket(
            industry=SLUG,
            service=registry.service(SLUG, "settlement_card"),
            customer=customer,
            title="结算卡",
            asset=asset,
            reported_at=reported_at,
            attributes={"card_issue": "other"},
        )
        return create_ticket(registry, new, actor, 2026, now=reported_at)


@pytest.mark.parametrize(
    ("reported_at", "status"),
    [
        # Asia/Shanghai is UTC+8: 15:59 UTC is 23:59 there, 16:00 UTC the next day
        (dt.datetime(2026, 2, 28, 15, 59), "licence_not_yet_valid"),
        (dt.datetime(2026, 2, 28, 16, 0), "licence_valid"),  # the first day
        (dt.datetime(2026, 3, 31, 15, 59), "licence_valid"),  # the last day
        (dt.datetime(2026, 3, 31, 16, 0), "licence_expired"),
    ],
)
def test_the_licence_entitles_on_each_boundary_day(tr_app, reported_at, status):
    ticket = _ticket_on(tr_app, reported_at)
    row = _sla(tr_app, ticket.id)["first_response"]
    assert row.entitlement == status
    assert "330105100237" in row.entitlement_reason


def test_only_a_valid_licence_covers_the_work(tr_app):
    from server.snapshots import ticket_info

    registry = tr_app.extensions["aftersales"].registry
    valid = _ticket_on(tr_app, dt.datetime(2026, 3, 10, 2, 0))
    expired = _ticket_on(tr_app, dt.datetime(2026, 4, 10, 2, 0))
    with tr_app.app_context():
        hook = registry.ticket_hook(SLUG, "entitlement")
        assert hook(ticket=ticket_info(Ticket.get_by_id(valid.id))).covered is True
        assert hook(ticket=ticket_info(Ticket.get_by_id(expired.id))).covered is False


def test_a_ticket_without_a_licence_has_no_entitlement(tr_app):
    ticket = _ticket_on(tr_app, dt.datetime(2026, 3, 10, 2, 0), coverage=None)
    assert _sla(tr_app, ticket.id)["first_response"].entitlement == ""
