"""The ticket API: creating tickets (plugin fields, the plugins' checks, automatic
dispatch), reading them with SLA state, and listing them with the queue's filters in
keyset pages."""

from __future__ import annotations

import datetime as dt

import pytest

from server.dispatch.outlets import save_outlet, save_technician
from server.models import Ticket, TicketEvent
from server.testing import ensure_user
from tests.api_tickets_kit import (
    ALL,
    REPAIR_ATTRIBUTES,
    assign,
    create,
    headers,
    move,
    new_customer,
    repair_body,
)


@pytest.fixture
def app(make_app):
    return make_app(enabled=ALL)


@pytest.fixture
def dispatcher(app):
    return headers(app, "dispatcher")


# --- create ---------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_ticket(app, client, dispatcher):
    customer = new_customer(app)
    response = client.post("/api/v1/tickets", json=repair_body(customer), headers=dispatcher)
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/tickets/{body['id']}")
    assert response.headers["ETag"] == '"1"'
    assert body["number"].startswith("HA-") and body["status"] == "new"
    assert body["customer"] == {
        "id": customer,
        "name": "王女士",
        "kind": "person",
        "phone": "13800000000",
    }
    assert body["attributes"]["fault_kind"] == "performance"
    assert body["reported_at"].endswith("Z") or body["reported_at"].endswith("+00:00")
    with app.app_context():
        assert TicketEvent.get(TicketEvent.ticket == body["id"]).kind == "created"


def test_created_ticket_reads_like_one_made_on_the_page(app, client, dispatcher):
    body = create(app, client, description="  门封条也坏了  ", channel="wechat")
    with app.app_context():
        ticket = Ticket.get_by_id(body["id"])
    assert ticket.description == "门封条也坏了" and ticket.channel == "wechat"
    assert ticket.attributes["fault_description"] == REPAIR_ATTRIBUTES["fault_description"]
    assert ticket.attributes["main_component"] is False  # unticked box, as the form stores


def test_reported_at_is_kept_in_utc(app, client, dispatcher):
    sent = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).replace(microsecond=0)
    local = sent.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    body = create(app, client, reported_at=local)
    assert dt.datetime.fromisoformat(body["reported_at"]) == sent


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"industry": "bakery"}, "industry"),
        ({"service": "baking"}, "service"),
        ({"customer_id": 999999}, "customer_id"),
        ({"customer_id": "1"}, "customer_id"),
        ({"asset_id": 999999}, "asset_id"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "bad\x00"}, "title"),
        ({"priority": "asap"}, "priority"),
        ({"channel": "pigeon"}, "channel"),
        ({"reported_at": "2026-01-01T10:00:00"}, "reported_at"),
        ({"reported_at": "3000-01-01T10:00:00+08:00"}, "reported_at"),
        ({"reported_at": "1999-12-31T10:00:00Z"}, "reported_at"),
        ({"reported_at": "0001-01-01T00:00:00+08:00"}, "reported_at"),
        ({"reported_at": 1700000000}, "reported_at"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_core_fields_are_422_per_field(app, client, dispatcher, change, field):
    body = {**repair_body(new_customer(app)), **change}
    response = client.post("/api/v1/tickets", json=body, headers=dispatcher)
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["error"] == "invalid_request" and field in answer["fields"]
    with app.app_context():
        assert Ticket.select().count() == 0


def test_a_plugin_field_error_is_named_attributes_dot_field(app, client, dispatcher):
    attributes = {**REPAIR_ATTRIBUTES, "serial_no": "!!", "fault_kind": "magic"}
    attributes.pop("fault_description")
    body = repair_body(new_customer(app), attributes=attributes)
    answer = client.post("/api/v1/tickets", json=body, headers=dispatcher).get_json()
    assert {"attributes.serial_no", "attributes.fault_kind", "attributes.fault_description"} <= set(
        answer["fields"]
    )


def test_an_unknown_plugin_field_is_refused(app, client, dispatcher):
    body = repair_body(new_customer(app), attributes={**REPAIR_ATTRIBUTES, "colour": "red"})
    answer = client.post("/api/v1/tickets", json=body, headers=dispatcher).get_json()
    assert "attributes.colour" in answer["fields"]


def test_the_plugins_validate_ticket_errors_come_back_per_field(app, client, dispatcher):
    body = repair_body(
        new_customer(app),
        service="install",
        attributes={
            "appliance_category": "air_conditioner",
            "purchase_date": "2001-05-01",
            "install_address": "北京",
        },
    )
    response = client.post("/api/v1/tickets", json=body, headers=dispatcher)
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert "years ago" in fields["attributes.purchase_date"][0]
    assert "installation address" in fields["attributes.install_address"][0]
    with app.app_context():
        assert Ticket.select().count() == 0


def test_an_asset_of_another_customer_is_refused(app, client, dispatcher):
    from server.models import Asset

    other = new_customer(app, "李")
    with app.app_context():
        asset = Asset.create(
            customer=other, plugin="home_appliances", kind="fridge", identifier="SN1"
        )
    body = repair_body(new_customer(app), asset_id=asset.id)
    answer = client.post("/api/v1/tickets", json=body, headers=dispatcher).get_json()
    assert answer["fields"] == {"asset_id": ["not an asset of this customer"]}


def test_a_body_that_is_not_a_json_object_is_422(client, dispatcher):
    response = client.post(
        "/api/v1/tickets", data="[]", headers=dispatcher, content_type="application/json"
    )
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_request"


def test_a_technician_may_not_create(app, client):
    body = repair_body(new_customer(app))
    response = client.post("/api/v1/tickets", json=body, headers=headers(app, "technician"))
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


def test_creating_without_a_token_is_401(app, client):
    response = client.post("/api/v1/tickets", json=repair_body(new_customer(app)))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_a_session_write_needs_the_csrf_token(app, login_as):
    session = login_as("dispatcher")
    body = repair_body(new_customer(app))
    refused = session.post("/api/v1/tickets", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.get_json()["message"]
    done = session.post("/api/v1/tickets", json=body, headers={"X-CSRFToken": session.csrf_token()})
    assert done.status_code == 201


def test_a_new_ticket_is_dispatched_at_once_when_the_rule_says_auto(make_app, client):
    app = make_app(
        enabled=ALL,
        dispatch={"rules": [{"plugin": "home_appliances", "rule": "least_load", "auto": True}]},
    )
    tech = ensure_user(app, "fixer", "technician")
    with app.app_context():
        place = save_outlet(
            None, {"name": "北区", "kind": "own", "region": "朝阳", "grade": "A", "active": True}
        )
        save_technician(tech, place, ("home_appliances:*",), ("朝阳",))
    client = app.test_client()
    body = create(app, client)
    assert body["status"] == "assigned"
    assert body["assignee"] == {"id": tech.id, "username": "fixer", "display_name": "Fixer"}


# --- read -----------------------------------------------------------------------------


def test_read_gives_sla_state_per_metric_and_the_etag(app, client, dispatcher):
    made = create(app, client)
    response = client.get(f"/api/v1/tickets/{made['id']}", headers=dispatcher)
    assert response.status_code == 200 and response.headers["ETag"] == '"1"'
    sla = {clock["metric"]: clock for clock in response.get_json()["sla"]}
    assert "resolution" in sla
    clock = sla["first_response"]
    assert clock["state"] == "running" and clock["breached"] is False
    # the target counts working time, so the due time may lie beyond a night or a
    # weekend; time left is wall time up to it, whatever the hour the test runs at
    assert clock["target_minutes"] > 0
    due = dt.datetime.fromisoformat(clock["due"])
    wall = (due - dt.datetime.now(dt.UTC)).total_seconds()
    assert due > dt.datetime.now(dt.UTC)
    assert clock["time_left_seconds"] > 0 and abs(clock["time_left_seconds"] - wall) < 60


def test_a_met_metric_has_no_time_left(app, client, dispatcher):
    made = create(app, client)
    client.post(
        f"/api/v1/tickets/{made['id']}/comments", json={"text": "已联系"}, headers=dispatcher
    )
    sla = client.get(f"/api/v1/tickets/{made['id']}", headers=dispatcher).get_json()["sla"]
    first = next(clock for clock in sla if clock["metric"] == "first_response")
    assert first["state"] == "met" and first["time_left_seconds"] is None


def test_read_by_number_ignores_case_and_padding(app, client, dispatcher):
    made = create(app, client)
    prefix, year, serial = made["number"].split("-")
    short = f"{prefix.lower()}-{year}-{int(serial)}"
    response = client.get(f"/api/v1/tickets/by-number/{short}", headers=dispatcher)
    assert response.status_code == 200 and response.get_json()["id"] == made["id"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tickets/999999",
        "/api/v1/tickets/by-number/HA-2026-999999",
        "/api/v1/tickets/0",
        "/api/v1/tickets/abc",
        "/api/v1/tickets/by-number/HA%00",
        "/api/v1/tickets/by-number/" + "X" * 41,
    ],
)
def test_an_unknown_ticket_is_404_json(client, dispatcher, url):
    response = client.get(url, headers=dispatcher)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_reading_without_a_token_is_401(app, client):
    made = create(app, client)
    assert client.get(f"/api/v1/tickets/{made['id']}").status_code == 401


def test_a_technician_reads_their_own_ticket_but_others_are_404(app, client):
    mine = create(app, client)
    theirs = create(app, client)
    assign(app, mine["id"], "tech")
    assign(app, theirs["id"], "other")
    tech = headers(app, "technician", "tech")
    assert client.get(f"/api/v1/tickets/{mine['id']}", headers=tech).status_code == 200
    assert client.get(f"/api/v1/tickets/{theirs['id']}", headers=tech).status_code == 404
    number = theirs["number"]
    assert client.get(f"/api/v1/tickets/by-number/{number}", headers=tech).status_code == 404


# --- list -----------------------------------------------------------------------------


def _all_pages(client, headers, query=""):
    seen, cursor, pages = [], None, 0
    while True:
        url = f"/api/v1/tickets?limit=2{query}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=headers).get_json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


def test_pages_cover_every_ticket_once_newest_first(app, client, dispatcher):
    now = dt.datetime(2026, 11, 1, 9, 0)
    ids = [create(app, client)["id"] for _ in range(5)]
    with app.app_context():
        # two share a creation time: the id breaks the tie across a page boundary
        for n, ticket_id in enumerate(ids):
            at = now + dt.timedelta(minutes=min(n, 3))
            Ticket.update(created_at=at).where(Ticket.id == ticket_id).execute()
    seen, pages = _all_pages(client, dispatcher)
    assert seen == [ids[4], ids[3], ids[2], ids[1], ids[0]] and pages == 3


def test_filters_are_the_queues(app, client, dispatcher):
    urgent = create(app, client, priority="urgent")
    create(app, client, priority="low")
    done = create(app, client)
    move(app, done["id"], "cancelled")

    def ids(query):
        body = client.get(f"/api/v1/tickets?{query}", headers=dispatcher).get_json()
        return {item["id"] for item in body["items"]}

    assert ids("priority=urgent") == {urgent["id"]}
    assert done["id"] not in ids("status=open") and ids("status=cancelled") == {done["id"]}
    assert ids(f"q={urgent['number']}") == {urgent["id"]}
    assert ids("assignee=none&plugin=home_appliances&service=repair") >= {urgent["id"]}
    assert ids("plugin=insurance") == set()


def test_assignee_me_and_a_technicians_list(app, client, dispatcher):
    mine = create(app, client)
    create(app, client)
    assign(app, mine["id"], "tech")
    tech = headers(app, "technician", "tech")
    body = client.get("/api/v1/tickets", headers=tech).get_json()
    assert [item["id"] for item in body["items"]] == [mine["id"]]
    # asking for someone else's tickets still shows only their own
    other = ensure_user(app, "dispatcher", "dispatcher")
    body = client.get(f"/api/v1/tickets?assignee={other.id}", headers=tech).get_json()
    assert [item["id"] for item in body["items"]] == [mine["id"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("priority=asap", "priority"),
        ("assignee=someone", "assignee"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("q=" + "x" * 101, "q"),
        ("q=a%00b", "q"),
        ("team=%01", "team"),
        ("service=%00", "service"),
    ],
)
def test_bad_list_parameters_are_422_per_field(client, dispatcher, query, field):
    response = client.get(f"/api/v1/tickets?{query}", headers=dispatcher)
    assert response.status_code == 422 and field in response.get_json()["fields"]


def test_a_cursor_from_another_list_is_refused(app, client, dispatcher):
    from server.api.shapes import encode_cursor

    cursor = encode_cursor(["x", "y"])
    response = client.get(f"/api/v1/tickets?cursor={cursor}", headers=dispatcher)
    assert response.status_code == 422 and "cursor" in response.get_json()["fields"]


def test_listing_needs_a_token(client):
    assert client.get("/api/v1/tickets").status_code == 401


# --- the document -----------------------------------------------------------------------


def test_the_create_body_is_documented_per_service(app, client, dispatcher):
    doc = client.get("/api/v1/openapi.json", headers=dispatcher).get_json()
    body = doc["components"]["schemas"]["TicketIn"]
    variants = {
        (v["properties"]["industry"]["const"], v["properties"]["service"]["const"]): v
        for v in body["oneOf"]
    }
    repair = variants[("home_appliances", "repair")]
    assert set(REPAIR_ATTRIBUTES) <= set(repair["properties"]["attributes"]["required"])
    assert "attributes" in repair["required"]
    assert "$defs" not in str(body)
    created = doc["paths"]["/tickets"]["post"]["responses"]["201"]
    assert set(created["headers"]) == {"Location", "ETag"}
    patch = doc["paths"]["/tickets/{ticket_id}"]["patch"]["responses"]
    assert {"409", "428", "422", "404"} <= set(patch)


# --- who may do what --------------------------------------------------------------------

ROLES = ("admin", "supervisor", "dispatcher", "technician")
# (method, path under /api/v1 with {id}/{cb}, permission)
MATRIX = [
    ("POST", "/tickets", "ticket.create"),
    ("GET", "/tickets", "ticket.view"),
    ("GET", "/tickets/{id}", "ticket.view"),
    ("GET", "/tickets/by-number/{number}", "ticket.view"),
    ("PATCH", "/tickets/{id}", "ticket.edit"),
    ("POST", "/tickets/{id}/transitions", "ticket.transition"),
    ("POST", "/tickets/{id}/comments", "ticket.comment"),
    ("GET", "/tickets/{id}/events", "ticket.view"),
    ("GET", "/tickets/{id}/callbacks", "callback.make"),
    ("POST", "/callbacks/{cb}", "callback.make"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "permission"), MATRIX, ids=lambda v: str(v))
def test_each_role_gets_403_exactly_without_the_permission(
    app, client, role, method, path, permission
):
    from server.followup.models import Callback
    from server.permissions import role_can

    made = create(app, client)
    # a technician works on their own ticket
    assign(app, made["id"], "technician" if role == "technician" else "tech")
    move(app, made["id"], "in_progress", "resolved")
    with app.app_context():
        callback = Callback.get(Callback.ticket == made["id"])
    url = "/api/v1" + path.format(id=made["id"], cb=callback.id, number=made["number"])
    hdrs = {**headers(app, role), "If-Match": "1"}
    response = client.open(url, method=method, json={}, headers=hdrs)
    assert (response.status_code == 403) == (not role_can(role, permission)), response.get_json()


def test_the_declared_permissions_are_the_matrixs(app, client, dispatcher):
    doc = client.get("/api/v1/openapi.json", headers=dispatcher).get_json()
    for method, path, permission in MATRIX:
        documented = path.replace("{id}", "{ticket_id}").replace("{cb}", "{callback_id}")
        assert doc["paths"][documented][method.lower()]["x-permission"] == permission


# --- a write answers what it stored (no read-back) -----------------------------------


def _comparable(answer: dict) -> dict:
    """The ticket without the fields that move with the clock (elapsed, time left)."""
    sla = [
        {k: v for k, v in m.items() if k not in ("elapsed_minutes", "time_left_seconds")}
        for m in answer["sla"]
    ]
    return {**answer, "sla": sla}


def test_the_creation_answer_is_what_a_read_gives(app, client, dispatcher):
    created = client.post(
        "/api/v1/tickets", json=repair_body(new_customer(app)), headers=dispatcher
    )
    read = client.get(created.headers["Location"], headers=dispatcher)
    assert created.headers["ETag"] == read.headers["ETag"]
    assert [m["metric"] for m in created.get_json()["sla"]] == [
        "first_response",
        "arrival",
        "resolution",
    ]
    assert _comparable(created.get_json()) == _comparable(read.get_json())


def test_the_transition_answer_is_what_a_read_gives(app, client, dispatcher):
    ticket = create(app, client)
    moved = client.post(
        f"/api/v1/tickets/{ticket['id']}/transitions",
        json={"to": "waiting_customer", "note": "等客户确认"},
        headers={**dispatcher, "If-Match": f'"{ticket["version"]}"'},
    )
    assert moved.status_code == 200, moved.get_json()
    read = client.get(f"/api/v1/tickets/{ticket['id']}", headers=dispatcher)
    assert moved.get_json()["status"] == "waiting_customer"
    assert _comparable(moved.get_json()) == _comparable(read.get_json())


def test_clocks_stored_for_an_older_version_are_not_answered(app, client):
    from server.sla.engine import stored_clocks

    made = create(app, client)
    with app.app_context():
        ticket = Ticket.get_by_id(made["id"])
        assert ticket is not None and stored_clocks(ticket) is None  # read: nothing stored
        ticket._stored_clocks = (ticket.version, [])
        assert stored_clocks(ticket) == []
        ticket.version += 1  # the object moved on without a refresh
        assert stored_clocks(ticket) is None


def test_creating_reads_the_customer_once(app, client, dispatcher, monkeypatch):
    # the customer's "received" mail uses the customer the creation already holds
    from server.db import database

    customer = new_customer(app)
    with app.app_context():
        db = database.obj
    reads = []
    original = db.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        if sql.lstrip().upper().startswith("SELECT") and 'FROM "customer"' in sql:
            reads.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", recording)
    response = client.post("/api/v1/tickets", json=repair_body(customer), headers=dispatcher)
    assert response.status_code == 201
    assert len(reads) == 1
