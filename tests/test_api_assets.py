"""Assets in the JSON API: added to a customer with the add-asset form's checks and the
kind's identifier pattern, read one by one or as a customer's list."""

from __future__ import annotations

import pytest

from server.models import Asset, Customer, Ticket
from server.permissions import PERMISSIONS, role_can
from server.testing import add_customer, api_headers, ensure_user
from tests.conftest import add_ticket

ALL = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]


@pytest.fixture
def app(make_app):
    return make_app(enabled=ALL)


@pytest.fixture
def admin(app):
    return api_headers(app, "api-admin", "admin")


@pytest.fixture
def customer(app):
    return add_customer(app, "张伟")


def appliance(**fields):
    body = {"plugin": "home_appliances", "kind": "appliance", "identifier": "KFR-35GW-0001"}
    body.update(fields)
    return body


def add(client, headers, customer_id, **fields):
    return client.post(
        f"/api/v1/customers/{customer_id}/assets", json=appliance(**fields), headers=headers
    )


def asset_count(app):
    with app.app_context():
        return Asset.select().count()


def test_adding_an_asset_stores_it_and_points_at_it(app, client, admin, customer):
    response = add(
        client,
        admin,
        customer,
        coverage_start="2026-01-01",
        coverage_end="2028-12-31",
        attributes={"appliance_category": "air_conditioner", "brand": " 格力 "},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/assets/{body['id']}"
    assert body["customer_id"] == customer
    assert body["coverage_end"] == "2028-12-31"
    with app.app_context():
        asset = Asset.get_by_id(body["id"])
        assert (asset.plugin, asset.kind, asset.identifier) == (
            "home_appliances",
            "appliance",
            "KFR-35GW-0001",
        )
        # stored as the add-asset form stores the kind's fields: every one, trimmed
        assert asset.attributes == {
            "appliance_category": "air_conditioner",
            "brand": "格力",
            "model_no": None,
            "purchase_date": None,
            "seller": None,
        }
    assert client.get(response.headers["Location"], headers=admin).get_json() == body


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"plugin": "bakery"}, "plugin"),
        ({"kind": "toaster"}, "kind"),
        ({"identifier": ""}, "identifier"),
        ({"identifier": "ab"}, "identifier"),  # the appliance kind's serial pattern
        ({"identifier": "x" * 101}, "identifier"),
        ({"coverage_start": "2026-02-01", "coverage_end": "2026-01-01"}, "coverage_end"),
        ({"coverage_start": "first of May"}, "coverage_start"),
        ({"attributes": {"Bad Name": "x"}}, "attributes.Bad Name"),
        ({"attributes": {"note": "x"}}, "attributes.note"),  # not a field of the kind
        ({"attributes": {"seller": "x" * 101}}, "attributes.seller"),
        ({"attributes": {"appliance_category": "toaster"}}, "attributes.appliance_category"),
        ({"attributes": {"purchase_date": "2999-01-01"}}, "attributes.purchase_date"),
        ({"attributes": {"model_no": "型号"}}, "attributes.model_no"),
        ({"colour": "white"}, "colour"),
    ],
)
def test_bad_fields_are_422_per_field_and_store_nothing(
    app, client, admin, customer, fields, field
):
    response = add(client, admin, customer, **fields)
    assert response.status_code == 422
    assert any(name.startswith(field) for name in response.get_json()["fields"]), (
        response.get_json()
    )
    assert asset_count(app) == 0


def test_the_same_identifier_again_is_409(app, client, admin, customer):
    first = add(client, admin, customer).get_json()
    again = add(client, admin, add_customer(app, "李娜"))
    assert again.status_code == 409
    body = again.get_json()
    assert body["error"] == "conflict" and f"#{first['id']}" in body["message"]
    assert asset_count(app) == 1


def test_the_same_identifier_of_another_kind_is_fine(client, admin, customer):
    assert add(client, admin, customer, identifier="110101123456").status_code == 201
    licence = {"plugin": "tobacco_retail", "kind": "retail_licence", "identifier": "110101123456"}
    response = client.post(f"/api/v1/customers/{customer}/assets", json=licence, headers=admin)
    assert response.status_code == 201, response.get_json()


def test_an_asset_of_an_unknown_customer_is_404(app, client, admin):
    response = add(client, admin, 999999)
    assert response.status_code == 404
    assert asset_count(app) == 0


def test_an_unknown_asset_is_404(client, admin):
    response = client.get("/api/v1/assets/777", headers=admin)
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_a_customers_assets_come_in_pages_oldest_first(client, admin, customer):
    for number in range(5):
        assert add(client, admin, customer, identifier=f"SERIAL-{number:04d}").status_code == 201
    seen, cursor = [], None
    while True:
        url = f"/api/v1/customers/{customer}/assets?limit=2" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = client.get(url, headers=admin).get_json()
        seen += [a["identifier"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"SERIAL-{n:04d}" for n in range(5)]


def test_the_list_of_an_unknown_customer_is_404(client, admin):
    assert client.get("/api/v1/customers/999999/assets", headers=admin).status_code == 404


@pytest.mark.parametrize("query", ["limit=0", "cursor=%%%", "limit=x"])
def test_bad_list_parameters_are_422(client, admin, customer, query):
    response = client.get(f"/api/v1/customers/{customer}/assets?{query}", headers=admin)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "/api/v1/customers/1/assets"),
        ("GET", "/api/v1/customers/1/assets"),
        ("GET", "/api/v1/assets/1"),
    ],
)
def test_without_a_token_it_is_401(client, method, url):
    response = client.open(url, method=method, json=appliance())
    assert response.status_code == 401


@pytest.mark.parametrize("role", sorted(PERMISSIONS))
def test_adding_needs_customer_edit(app, client, customer, role):
    response = add(client, api_headers(app, f"api-{role}", role), customer)
    assert response.status_code == (201 if role_can(role, "customer.edit") else 403)


def test_a_session_write_without_csrf_is_403(app, login_as, customer):
    browser = login_as("dispatcher")
    url = f"/api/v1/customers/{customer}/assets"
    assert browser.post(url, json=appliance()).status_code == 403
    assert asset_count(app) == 0
    with_token = browser.post(url, json=appliance(), headers={"X-CSRFToken": browser.csrf_token()})
    assert with_token.status_code == 201


def test_a_technician_sees_only_assets_of_their_tickets_customers(app, client, admin):
    tech = ensure_user(app, "tech", "technician")
    own, other = add_customer(app, "Own"), add_customer(app, "Other")
    own_asset = add(client, admin, own).get_json()["id"]
    other_asset = add(client, admin, other, identifier="SERIAL-9999").get_json()["id"]
    with app.app_context():
        ticket = add_ticket(app, customer=Customer.get_by_id(own))
        Ticket.update(assignee=tech.id).where(Ticket.id == ticket.id).execute()
    headers = api_headers(app, "tech", "technician")
    assert client.get(f"/api/v1/assets/{own_asset}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/assets/{other_asset}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/customers/{own}/assets", headers=headers).status_code == 200
    assert client.get(f"/api/v1/customers/{other}/assets", headers=headers).status_code == 404
