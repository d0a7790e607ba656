"""Customers in the JSON API: create, read, change, search; the page's checks and the
plugins' customer fields; who may see and change which customer."""

from __future__ import annotations

import pytest

from server.models import Customer, Ticket
from server.permissions import PERMISSIONS, role_can
from server.testing import add_customer, api_headers, ensure_user
from tests.conftest import add_ticket

ALL = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]
URL = "/api/v1/customers"
# a valid mainland resident ID (check character included) for the insurance plugin
RESIDENT_ID = "11010519491231002X"


@pytest.fixture
def app(make_app):
    return make_app(enabled=ALL)


@pytest.fixture
def admin(app):
    return api_headers(app, "api-admin", "admin")


def create(client, headers, **body):
    body.setdefault("name", "张伟")
    return client.post(URL, json=body, headers=headers)


def stored(app, customer_id):
    with app.app_context():
        return Customer.get_by_id(customer_id)


# --- create -------------------------------------------------------------------------


def test_create_stores_the_customer_and_points_at_it(app, client, admin):
    response = create(
        client,
        admin,
        name=" 张伟 ",
        phone="138 0013 8000",
        email="zw@example.com",
        region="north",
        attributes={"in_id_kind": "resident_id", "in_id_number": RESIDENT_ID},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"{URL}/{body['id']}"
    customer = stored(app, body["id"])
    assert (customer.name, customer.phone, customer.region) == ("张伟", "138 0013 8000", "north")
    assert customer.attributes["in_id_number"] == RESIDENT_ID
    assert body["tier"] == "normal" and body["kind"] == "person"
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


def test_a_created_customer_reads_back_the_same(client, admin):
    created = create(client, admin, phone="010-12345678").get_json()
    assert client.get(f"{URL}/{created['id']}", headers=admin).get_json() == created


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"phone": "call me"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"kind": "robot"}, "kind"),
        ({"tier": 5}, "tier"),
        ({"nickname": "Wei"}, "nickname"),
        ({"attributes": {"no_such_field": "x"}}, "attributes.no_such_field"),
        ({"attributes": {"tr_business_type": "casino"}}, "attributes.tr_business_type"),
        ({"attributes": {"tr_licence_no": "ABC"}}, "attributes.tr_licence_no"),
        ({"attributes": {"tr_vulnerable": "yes"}}, "attributes.tr_vulnerable"),
    ],
)
def test_bad_fields_are_422_per_field_and_store_nothing(app, client, admin, body, field):
    response = create(client, admin, **body)
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["error"] == "invalid_request"
    assert field in payload["fields"], payload
    with app.app_context():
        assert Customer.select().count() == 0


def test_a_plugins_validate_customer_refuses_per_field(client, admin):
    """The insurance plugin checks the ID number's check character (validate_customer)."""
    response = create(
        client,
        admin,
        attributes={"in_id_kind": "resident_id", "in_id_number": "110105194912310021"},
    )
    assert response.status_code == 422
    assert "Not a valid number" in response.get_json()["fields"]["attributes.in_id_number"][0]


def test_a_licence_number_of_another_customer_is_refused(client, admin):
    first = create(client, admin, attributes={"tr_licence_no": "110101123456"})
    assert first.status_code == 201
    second = create(client, admin, name="李娜", attributes={"tr_licence_no": "110101123456"})
    assert second.status_code == 422
    assert "attributes.tr_licence_no" in second.get_json()["fields"]


@pytest.mark.parametrize("payload", ["[]", "not json", '"text"'])
def test_a_body_that_is_not_a_json_object_is_422(client, admin, payload):
    response = client.post(URL, data=payload, headers=admin, content_type="application/json")
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_request"


# --- the customer's mail choices ---------------------------------------------------------


def test_mail_choices_default_to_off_and_the_server_language(app, client, admin):
    body = create(client, admin).get_json()
    assert (body["notify_by_email"], body["language"]) == (False, None)
    customer = stored(app, body["id"])
    assert (customer.notify_by_email, customer.language) == (False, "")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_customer_created_opted_in_in_a_language(app, client, admin, language):
    response = create(
        client, admin, email="zw@example.com", notify_by_email=True, language=language
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["notify_by_email"], body["language"]) == (True, language)
    customer = stored(app, body["id"])
    assert (customer.notify_by_email, customer.language) == (True, language)
    assert client.get(f"{URL}/{body['id']}", headers=admin).get_json() == body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notify_by_email": "yes"}, "notify_by_email"),
        ({"notify_by_email": 1}, "notify_by_email"),
        ({"language": "fr"}, "language"),
        ({"language": "zh-CN"}, "language"),
        ({"language": ""}, "language"),
        ({"language": 7}, "language"),
    ],
)
def test_bad_mail_choices_are_422_and_store_nothing(app, client, admin, body, field):
    response = create(client, admin, email="zw@example.com", **body)
    assert response.status_code == 422
    assert field in response.get_json()["fields"], response.get_json()
    with app.app_context():
        assert Customer.select().count() == 0


def test_opting_in_without_an_email_is_refused_as_on_the_page(app, client, admin):
    response = create(client, admin, notify_by_email=True)
    assert response.status_code == 422
    assert response.get_json()["fields"] == {
        "notify_by_email": ["Give an email address to mail the customer."]
    }
    with app.app_context():
        assert Customer.select().count() == 0


def test_patch_leaves_mail_choices_alone_unless_sent(app, client, admin):
    created = create(
        client, admin, email="zw@example.com", notify_by_email=True, language="en"
    ).get_json()
    url = f"{URL}/{created['id']}"
    body = client.patch(url, json={"region": "south"}, headers=admin).get_json()
    assert (body["notify_by_email"], body["language"]) == (True, "en")
    body = client.patch(url, json={"language": "zh_CN"}, headers=admin).get_json()
    assert (body["notify_by_email"], body["language"]) == (True, "zh_CN")
    body = client.patch(url, json={"notify_by_email": False}, headers=admin).get_json()
    assert (body["notify_by_email"], body["language"]) == (False, "zh_CN")
    body = client.patch(url, json={"notify_by_email": True, "language": None}, headers=admin)
    assert body.get_json()["language"] is None
    assert (stored(app, created["id"]).notify_by_email, stored(app, created["id"]).language) == (
        True,
        "",
    )
    body = client.patch(url, json={"notify_by_email": None}, headers=admin).get_json()
    assert body["notify_by_email"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": None}, "notify_by_email"),
        ({"email": "", "region": "south"}, "notify_by_email"),
        ({"language": "de"}, "language"),
        ({"notify_by_email": "no"}, "notify_by_email"),
    ],
)
def test_a_patch_that_breaks_the_mail_rules_changes_nothing(app, client, admin, body, field):
    """Opted in, the customer keeps an email address: emptying it is refused (the page's
    rule, on the whole merged customer)."""
    created = create(
        client, admin, email="zw@example.com", notify_by_email=True, language="en"
    ).get_json()
    response = client.patch(f"{URL}/{created['id']}", json=body, headers=admin)
    assert response.status_code == 422
    assert field in response.get_json()["fields"], response.get_json()
    customer = stored(app, created["id"])
    assert (customer.email, customer.region, customer.notify_by_email, customer.language) == (
        "zw@example.com",
        "",
        True,
        "en",
    )


def test_a_technician_may_not_change_the_mail_choices(app, client, admin):
    created = create(client, admin, email="zw@example.com").get_json()
    technician = api_headers(app, "tech", "technician")
    response = client.patch(
        f"{URL}/{created['id']}", json={"notify_by_email": True}, headers=technician
    )
    assert response.status_code == 403
    assert stored(app, created["id"]).notify_by_email is False


def test_the_document_describes_the_mail_choices(client, admin):
    schemas = client.get("/api/v1/openapi.json", headers=admin).get_json()["components"]["schemas"]
    for name in ("CustomerIn", "CustomerPatch", "CustomerOut"):
        properties = schemas[name]["properties"]
        assert {"notify_by_email", "language"} <= set(properties), name
        assert {"enum": ["zh_CN", "en"], "type": "string"} in properties["language"]["anyOf"]
    assert schemas["CustomerIn"]["properties"]["notify_by_email"]["type"] == "boolean"
    assert {"notify_by_email", "language"} <= set(schemas["CustomerOut"]["required"])


# --- change ----------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(app, client, admin):
    created = create(
        client, admin, phone="13800138000", attributes={"tr_store_name": "老王便利店"}
    ).get_json()
    response = client.patch(
        f"{URL}/{created['id']}",
        json={"region": "south", "attributes": {"tr_business_type": created_type(client, admin)}},
        headers=admin,
    )
    assert response.status_code == 200, response.get_json()
    customer = stored(app, created["id"])
    assert customer.region == "south"
    assert customer.phone == "13800138000"
    assert customer.attributes["tr_store_name"] == "老王便利店"
    assert customer.attributes["tr_business_type"]


def created_type(client, admin):
    """A business type key the tobacco plugin offers (read from its field schema)."""
    doc = client.get("/api/v1/openapi.json", headers=admin).get_json()
    schema = doc["components"]["schemas"]["CustomerIn"]["properties"]["attributes"]
    return schema["properties"]["tr_business_type"]["anyOf"][0]["enum"][0]


def test_patch_with_null_empties_an_attribute(app, client, admin):
    created = create(client, admin, attributes={"tr_store_name": "老王便利店"}).get_json()
    response = client.patch(
        f"{URL}/{created['id']}", json={"attributes": {"tr_store_name": None}}, headers=admin
    )
    assert response.status_code == 200
    assert stored(app, created["id"]).attributes.get("tr_store_name") is None


def test_patch_renames_the_customer(app, client, admin):
    created = create(client, admin).get_json()
    response = client.patch(f"{URL}/{created['id']}", json={"name": "王芳"}, headers=admin)
    assert response.get_json()["name"] == "王芳"
    assert response.get_json()["updated_at"] >= created["updated_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"email": "nope"}, "email"),
        ({"attributes": {"tr_licence_no": "12"}}, "attributes.tr_licence_no"),
        ({"id": 7}, "id"),
    ],
)
def test_bad_patch_is_422_and_changes_nothing(app, client, admin, body, field):
    created = create(client, admin, email="a@example.com").get_json()
    response = client.patch(f"{URL}/{created['id']}", json=body, headers=admin)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]
    assert stored(app, created["id"]).name == "张伟"
    assert stored(app, created["id"]).email == "a@example.com"


def test_patch_of_an_unknown_customer_is_404(client, admin):
    for url in (f"{URL}/999999", f"{URL}/0", f"{URL}/{2**63}"):
        response = client.patch(url, json={"region": "x"}, headers=admin)
        assert response.status_code == 404, url
        assert response.get_json()["error"] == "not_found"


def test_get_of_an_unknown_customer_is_404(client, admin):
    assert client.get(f"{URL}/424242", headers=admin).status_code == 404


# --- search --------------------------------------------------------------------------


def test_search_matches_name_phone_or_email_newest_first(app, client, admin):
    for name, phone in (("张伟", "13800000001"), ("李娜", "13900000002"), ("张敏", "13700000003")):
        create(client, admin, name=name, phone=phone)
    names = [c["name"] for c in client.get(f"{URL}?q=张", headers=admin).get_json()["items"]]
    assert names == ["张敏", "张伟"]
    by_phone = client.get(f"{URL}?q=0002", headers=admin).get_json()["items"]
    assert [c["name"] for c in by_phone] == ["李娜"]


def test_phone_finds_exactly_that_number(client, admin):
    create(client, admin, phone="13800000001")
    create(client, admin, name="李娜", phone="138000000012")
    items = client.get(f"{URL}?phone=13800000001", headers=admin).get_json()["items"]
    assert [c["phone"] for c in items] == ["13800000001"]


def test_pages_follow_the_cursor_without_gaps_or_repeats(app, client, admin):
    for number in range(7):
        add_customer(app, f"客户{number}")
    seen, cursor = [], None
    while True:
        url = f"{URL}?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=admin).get_json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("cursor=bogus", "cursor"),
        ("q=" + "x" * 101, "q"),
        ("q=a%00b", "q"),
    ],
)
def test_bad_search_parameters_are_422_per_field(client, admin, query, field):
    response = client.get(f"{URL}?{query}", headers=admin)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", URL), ("POST", URL), ("GET", f"{URL}/1"), ("PATCH", f"{URL}/1")],
)
def test_without_a_token_it_is_401(client, method, url):
    response = client.open(url, method=method, json={"name": "x"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("role", sorted(PERMISSIONS))
def test_creating_needs_customer_edit(app, client, role):
    headers = api_headers(app, f"api-{role}", role)
    response = create(client, headers)
    assert response.status_code == (201 if role_can(role, "customer.edit") else 403)
    if response.status_code == 403:
        assert response.get_json()["error"] == "forbidden"


def test_a_technician_may_not_change_a_customer(app, client, admin):
    created = create(client, admin).get_json()
    technician = api_headers(app, "tech", "technician")
    response = client.patch(f"{URL}/{created['id']}", json={"region": "x"}, headers=technician)
    assert response.status_code == 403


def test_a_session_write_without_csrf_is_403_and_with_it_passes(app, login_as):
    browser = login_as("dispatcher")
    refused = browser.post(URL, json={"name": "张伟"})
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "forbidden"
    accepted = browser.post(
        URL, json={"name": "张伟"}, headers={"X-CSRFToken": browser.csrf_token()}
    )
    assert accepted.status_code == 201
    with app.app_context():
        assert Customer.select().count() == 1


def _technician_with_a_ticket(app):
    """A technician with one ticket, of customer "Own"; customer "Other" has none of theirs."""
    tech = ensure_user(app, "tech", "technician")
    own = add_customer(app, "Own")
    other = add_customer(app, "Other")
    with app.app_context():
        ticket = add_ticket(app, customer=Customer.get_by_id(own))
        Ticket.update(assignee=tech.id).where(Ticket.id == ticket.id).execute()
        add_ticket(app, customer=Customer.get_by_id(other))  # unassigned
    return api_headers(app, "tech", "technician"), own, other


def test_a_technician_sees_only_customers_of_their_tickets(app, client):
    headers, own, other = _technician_with_a_ticket(app)
    assert client.get(f"{URL}/{own}", headers=headers).status_code == 200
    assert client.get(f"{URL}/{other}", headers=headers).status_code == 404
    items = client.get(URL, headers=headers).get_json()["items"]
    assert [c["id"] for c in items] == [own]


def test_a_dispatcher_sees_every_customer(app, client):
    _technician_with_a_ticket(app)
    headers = api_headers(app, "desk", "dispatcher")
    assert len(client.get(URL, headers=headers).get_json()["items"]) == 2


def test_the_document_describes_the_plugins_customer_fields(client, admin):
    doc = client.get("/api/v1/openapi.json", headers=admin).get_json()
    attributes = doc["components"]["schemas"]["CustomerIn"]["properties"]["attributes"]
    assert {"tr_licence_no", "in_id_number", "it_contract_no"} <= set(attributes["properties"])
    assert attributes["additionalProperties"] is False
    post = doc["paths"]["/customers"]["post"]
    assert {"201", "401", "403", "422"} <= set(post["responses"])
    assert "Location" in post["responses"]["201"]["headers"]
