"""Asset kinds' own fields (issues 5–6, gap A): the add-asset form with and without
JavaScript, the asset card, the asset import and export, the API, the insurance policy
status; and the home-appliance proof-of-purchase warning (gap C)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from plugins.insurance import policy_term
from server.api.attributes import AttributesInvalid, checked_asset_attributes
from server.imports.reader import read_table
from server.imports.run import check_import, run_import
from server.models import Asset, Customer
from server.sla.models import TicketSla
from server.testing import add_customer, api_headers, ensure_user
from server.tickets import NewTicket, create_ticket

ALL = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]
TOMORROW_PLUS = (dt.date.today() + dt.timedelta(days=5)).isoformat()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def app(make_app):
    return make_app(enabled=ALL)


@pytest.fixture
def customer(app):
    return add_customer(app, "张伟")


@pytest.fixture
def staff(login_as):
    return login_as("dispatcher")


def assets(app):
    with app.app_context():
        return list(Asset.select().order_by(Asset.id))


# Good values per kind: (kind key, identifier, fields, stored attributes it must hold)
GOOD = [
    (
        "insurance:policy",
        "PCJZ202637010000000412",
        {"f_line": "construction", "f_sum_insured": "86000000.00", "f_status": "active"},
        {"line": "construction", "sum_insured": "86000000.00", "status": "active"},
    ),
    (
        "power_utility:supply_point",
        "4301052871",
        {
            "f_meter_no": "3110001528717",
            "f_supply_address": "长沙市岳麓区麓山南路932号",
            "f_customer_kind": "residential",
            "f_region_class": "urban",
        },
        {"meter_no": "3110001528717", "customer_kind": "residential", "region_class": "urban"},
    ),
    ("it_outsourcing:it_asset", "RXWL-100231", {"f_ci_type": "server"}, {"ci_type": "server"}),
    (
        "home_appliances:appliance",
        "KFR35GW-A2611",
        {
            "f_appliance_category": "air_conditioner",
            "f_brand": " 格力 ",
            "f_model_no": "KFR-35GW/BP3DN8Y",
            "f_purchase_date": "2026-01-10",
            "f_seller": "苏宁易购天河城店",
        },
        {"appliance_category": "air_conditioner", "brand": "格力", "purchase_date": "2026-01-10"},
    ),
]


@pytest.mark.parametrize(("kind", "identifier", "fields", "stored"), GOOD)
def test_each_kinds_fields_are_stored_and_shown_on_the_card(
    app, staff, customer, kind, identifier, fields, stored
):
    response = staff.form(
        f"/customers/{customer}/assets", {"kind": kind, "identifier": identifier, **fields}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    [asset] = assets(app)
    assert stored.items() <= asset.attributes.items()
    page = staff.get(f"/customers/{customer}", headers={"Accept-Language": "zh-CN"})
    page = page.get_data(as_text=True)
    assert '<dl class="asset-fields">' in page
    if kind == "insurance:policy":
        # the page's language (Chinese here): labels and choices by their label
        assert "<dt>险种</dt><dd>建筑工程险</dd>" in page
        assert "<dt>保单状态</dt><dd>有效</dd>" in page


# Bad values per kind: (kind key, identifier, field, value)
BAD = [
    ("insurance:policy", "PCJZ202637010000000412", "f_sum_insured", "-1"),
    ("insurance:policy", "PCJZ202637010000000412", "f_sum_insured", "Infinity"),
    ("insurance:policy", "PCJZ202637010000000412", "f_status", "expired"),
    ("insurance:policy", "PCJZ202637010000000412", "f_line", "pets"),
    ("power_utility:supply_point", "4301052871", "f_meter_no", "ab"),
    ("power_utility:supply_point", "4301052871", "f_region_class", "city"),
    ("power_utility:supply_point", "4301052871", "f_customer_kind", "farm"),
    ("power_utility:supply_point", "4301052871", "f_supply_address", "x" * 301),
    ("it_outsourcing:it_asset", "RXWL-100231", "f_ci_type", "printer"),
    ("home_appliances:appliance", "KFR35GW-A2611", "f_purchase_date", TOMORROW_PLUS),
    ("home_appliances:appliance", "KFR35GW-A2611", "f_purchase_date", "2026-02-30"),
    ("home_appliances:appliance", "KFR35GW-A2611", "f_appliance_category", "toaster"),
    ("home_appliances:appliance", "KFR35GW-A2611", "f_model_no", "型号"),
    ("home_appliances:appliance", "KFR35GW-A2611", "f_seller", "a\x00b"),
]


@pytest.mark.parametrize(("kind", "identifier", "field", "value"), BAD)
def test_a_bad_kind_field_is_refused_next_to_it(
    app, staff, customer, kind, identifier, field, value
):
    response = staff.form(
        f"/customers/{customer}/assets", {"kind": kind, "identifier": identifier, field: value}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert assets(app) == []


def test_without_javascript_choosing_the_kind_shows_its_fields_and_saves_nothing(
    app, staff, customer
):
    page = staff.get(f"/customers/{customer}").get_data(as_text=True)
    assert 'name="choose"' in page and 'name="f_status"' not in page
    response = staff.form(
        f"/customers/{customer}/assets",
        {"kind": "insurance:policy", "identifier": "", "choose": "1"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="f_status"' in page and 'name="f_sum_insured"' in page
    assert "This field is required" not in page  # nothing is checked yet
    assert assets(app) == []
    # then the fields are filled in and the same form adds the asset
    response = staff.form(
        f"/customers/{customer}/assets",
        {"kind": "insurance:policy", "identifier": "PCJZ202637010000000412", "f_status": "lapsed"},
    )
    assert response.status_code == 303
    assert assets(app)[0].attributes["status"] == "lapsed"


def test_with_htmx_the_kind_list_swaps_in_its_fields(app, staff, customer):
    page = staff.get(f"/customers/{customer}").get_data(as_text=True)
    assert "hx-vals" in page and "choose" in page
    response = staff.form(
        f"/customers/{customer}/assets",
        {"kind": "it_outsourcing:it_asset", "choose": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and 'name="f_ci_type"' in fragment


def test_an_unknown_kind_chosen_shows_no_fields_and_is_refused_on_save(app, staff, customer):
    response = staff.form(f"/customers/{customer}/assets", {"kind": "bakery:oven", "choose": "1"})
    assert response.status_code == 200 and 'name="f_' not in response.get_data(as_text=True)
    response = staff.form(
        f"/customers/{customer}/assets", {"kind": "bakery:oven", "identifier": "X1"}
    )
    assert response.status_code == 422 and assets(app) == []


def test_a_technician_cannot_add_or_choose(app, login_as, customer):
    tech = login_as("technician")
    response = tech.form(
        f"/customers/{customer}/assets", {"kind": "insurance:policy", "choose": "1"}
    )
    assert response.status_code == 403


# --- import and export ------------------------------------------------------------


def _table(text: str):
    return read_table("assets.csv", text.encode(), 1_000_000)


def _check(app, text: str):
    with app.test_request_context():
        return check_import("assets", _table(text), app.extensions["aftersales"].registry)


def test_the_import_checks_attr_columns_against_the_kind(app, customer):
    text = (
        "customer_id,plugin,kind,identifier,attr.line,attr.sum_insured,attr.status,attr.ci_type\n"
        f"{customer},insurance,policy,PCJZ202637010000000412,motor,180000.00,active,\n"
        f"{customer},insurance,policy,PCJZ202637010000000413,pets,-5,expired,\n"
        f"{customer},insurance,policy,PCJZ202637010000000414,,,,server\n"
        f"{customer},it_outsourcing,it_asset,RXWL-100231,,,,desktop\n"
    )
    plan = _check(app, text)
    found = {(e.row, e.column) for e in plan.errors}
    assert found == {
        (3, "attr.line"),
        (3, "attr.sum_insured"),
        (3, "attr.status"),
        (4, "attr.ci_type"),  # policies have no CI type
    }
    good = "\n".join(text.splitlines()[i] for i in (0, 1, 4)) + "\n"
    with app.test_request_context():
        plan = run_import("assets", _table(good), app.extensions["aftersales"].registry)
    assert plan.imported == 2
    policy, item = assets(app)
    assert policy.attributes == {"line": "motor", "sum_insured": "180000.00", "status": "active"}
    assert item.attributes == {"ci_type": "desktop"}


def test_the_export_writes_the_kind_fields_and_reads_back(app, staff, customer):
    staff.form(
        f"/customers/{customer}/assets",
        {"kind": "insurance:policy", "identifier": "PCJZ202637010000000412", **GOOD[0][2]},
    )
    rows = list(
        csv.reader(
            io.StringIO(
                staff.get("/assets/export?format=csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    header = rows[0]
    status = next(i for i, name in enumerate(header) if "[attr.status]" in name)
    assert rows[1][status] == "active"
    assert any("[attr.ci_type]" in name for name in header)
    # the exported file passes the import's header check (only its duplicate is refused)
    plan = _check(app, "\n".join(",".join(row) for row in rows) + "\n")
    assert [e.message for e in plan.errors] == [
        "policy PCJZ202637010000000412 already exists (customer #1)."
    ]


# --- API -------------------------------------------------------------------------


@pytest.fixture
def admin(app):
    return api_headers(app, "api-admin", "admin")


def test_asset_kinds_lists_each_kind_with_its_fields_and_schema(app, client, admin):
    body = client.get("/api/v1/asset-kinds", headers=admin).get_json()
    kinds = {(item["industry"], item["code"]): item for item in body["items"]}
    assert set(kinds) == set(app.extensions["aftersales"].registry.asset_kinds)
    policy = kinds[("insurance", "policy")]
    assert [f["name"] for f in policy["fields"]] == ["line", "sum_insured", "status"]
    schema = policy["attributes_schema"]
    assert set(schema["properties"]) == {"line", "sum_insured", "status"}
    assert schema["additionalProperties"] is False
    assert policy["identifier_pattern"] and policy["identifier_label"]["zh"]
    only = client.get("/api/v1/asset-kinds?industry=it_outsourcing", headers=admin).get_json()
    assert [item["code"] for item in only["items"]] == ["it_asset"]
    bad = client.get("/api/v1/asset-kinds?industry=bakery", headers=admin)
    assert bad.status_code == 422 and "industry" in bad.get_json()["fields"]
    assert client.get("/api/v1/asset-kinds").status_code == 401
    doc = client.get("/api/v1/openapi.json", headers=admin).get_json()
    assert "/api/v1/asset-kinds" in doc["paths"] or "/asset-kinds" in str(doc["paths"])


def test_a_technician_may_read_the_asset_kinds(app, client):
    headers = api_headers(app, "tech", "technician")
    assert client.get("/api/v1/asset-kinds", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"status": "expired"}, "attributes.status"),
        ({"sum_insured": -1}, "attributes.sum_insured"),
        ({"sum_insured": "lots"}, "attributes.sum_insured"),
        ({"colour": "red"}, "attributes.colour"),
    ],
)
def test_the_api_checks_a_policys_fields(app, client, admin, customer, attributes, field):
    body = {"plugin": "insurance", "kind": "policy", "identifier": "PCJZ202637010000000412"}
    response = client.post(
        f"/api/v1/customers/{customer}/assets",
        json={**body, "attributes": attributes},
        headers=admin,
    )
    assert response.status_code == 422
    assert field in response.get_json()["fields"]
    assert assets(app) == []


def test_the_api_stores_a_policy_as_the_page_does(app, client, admin, customer):
    body = {
        "plugin": "insurance",
        "kind": "policy",
        "identifier": "PCJZ202637010000000412",
        "attributes": {"line": "motor", "sum_insured": "180000.50", "status": "active"},
    }
    response = client.post(f"/api/v1/customers/{customer}/assets", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attributes"] == body["attributes"]


def test_every_demo_asset_passes_its_kinds_checks(app):
    from plugins.home_appliances import demo as ha
    from plugins.insurance import demo as ins
    from plugins.it_outsourcing import demo as it
    from plugins.power_utility import demo as pu

    registry = app.extensions["aftersales"].registry
    for industry, module in [
        ("home_appliances", ha),
        ("insurance", ins),
        ("it_outsourcing", it),
        ("power_utility", pu),
    ]:
        for template in module.tickets():
            if template.asset is None:
                continue
            kind = registry.asset_kinds[(industry, template.asset.kind)]
            known = {spec.name for spec in kind.fields}
            values = {k: v for k, v in template.asset.attributes.items() if k in known}
            assert values, (industry, template.asset.identifier)
            try:
                checked_asset_attributes(registry, industry, kind, values)
            except AttributesInvalid as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{industry} {template.asset.identifier}: {exc.fields}")


# --- insurance: a policy that is not active is not entitled -------------------------


def _claim(app, status: str | None):
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    reported = dt.datetime(2026, 6, 1, 2, 0)
    with app.app_context():
        customer = Customer.create(name="恒泰建设集团有限公司", kind="company")
        asset = Asset.create(
            customer=customer,
            plugin="insurance",
            kind="policy",
            identifier="PCJZ202637010000000412",
            coverage_start=dt.date(2026, 3, 1),
            coverage_end=dt.date(2027, 2, 28),
            attributes={"status": status} if status else {},
        )
        new = NewTicket(
            industry="insurance",
            service=registry.service("insurance", "claim_report"),
            customer=customer,
            title="基坑边坡坍塌",
            asset=asset,
            attributes={
                "insurance_line": "construction",
                "loss_description": "暴雨",
                "loss_date": "2026-05-30",
            },
            reported_at=reported,
        )
        ticket = create_ticket(registry, new, actor, 2026, now=reported)
        return TicketSla.get(
            (TicketSla.ticket == ticket.id) & (TicketSla.metric == "first_response")
        )


@pytest.mark.parametrize(
    ("status", "entitlement"),
    [
        (None, policy_term.ACTIVE),
        ("active", policy_term.ACTIVE),
        ("lapsed", policy_term.INACTIVE),
        ("surrendered", policy_term.INACTIVE),
        ("cancelled", policy_term.INACTIVE),
        ("required", policy_term.INACTIVE),
    ],
)
def test_a_policy_that_is_not_active_is_not_entitled(app, status, entitlement):
    row = _claim(app, status)
    assert row.entitlement == entitlement
    if status not in (None, "active"):
        assert status in row.entitlement_reason


# --- home appliances: proof of purchase ticked but nothing attached ------------------


def test_a_ticked_proof_without_an_attachment_is_warned_until_one_is_uploaded(app, staff):
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="李秀英", region="广州市天河区")

        def ticket(proof: bool):
            new = NewTicket(
                industry="home_appliances",
                service=registry.service("home_appliances", "consultation"),
                customer=customer,
                title="保修咨询",
                attributes={"proof_of_purchase": proof},
            )
            return create_ticket(registry, new, actor, 2026)

        ticked, unticked = ticket(True), ticket(False)
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    warning = "购机凭证未上传"  # "Proof of purchase not attached", in the page's language
    assert warning in staff.get(f"/tickets/{ticked.number}").get_data(as_text=True)
    assert warning not in staff.get(f"/tickets/{unticked.number}").get_data(as_text=True)
    response = staff.form(
        f"/tickets/{ticked.number}/attachments",
        {"file": (io.BytesIO(PNG), "receipt.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 303)
    assert warning not in staff.get(f"/tickets/{ticked.number}").get_data(as_text=True)
