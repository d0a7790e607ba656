"""Changing tickets through the API: PATCH with If-Match, workflow moves, comments, and
the timeline in keyset pages; technicians only on their own tickets."""

from __future__ import annotations

import pytest

from server.models import Ticket, TicketEvent
from tests.api_tickets_kit import ALL, assign, create, headers, move


@pytest.fixture
def app(make_app):
    return make_app(enabled=ALL)


@pytest.fixture
def dispatcher(app):
    return headers(app, "dispatcher")


@pytest.fixture
def ticket(app, client):
    return create(app, client)


def patch(client, ticket_id, body, hdrs, version="1"):
    extra = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.patch(f"/api/v1/tickets/{ticket_id}", json=body, headers={**hdrs, **extra})


# --- PATCH ----------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_moves_the_etag(app, client, dispatcher, ticket):
    response = patch(
        client,
        ticket["id"],
        {"title": "冰箱不制冷（复查）", "attributes": {"serial_no": "AB12345678"}},
        dispatcher,
    )
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    body = response.get_json()
    assert body["title"] == "冰箱不制冷（复查）" and body["version"] == 2
    assert body["priority"] == ticket["priority"]
    assert body["attributes"]["serial_no"] == "AB12345678"
    assert body["attributes"]["fault_kind"] == "performance"
    with app.app_context():
        changed = {e.data["field"] for e in TicketEvent.select().where(TicketEvent.kind == "field")}
    assert changed == {"title", "attributes.serial_no"}


def test_patch_without_if_match_is_428(client, dispatcher, ticket):
    response = patch(client, ticket["id"], {"title": "x"}, dispatcher, version=None)
    assert response.status_code == 428
    assert response.get_json()["error"] == "precondition_required"


def test_patch_with_a_stale_version_is_409_naming_the_current_one(app, client, dispatcher, ticket):
    assert patch(client, ticket["id"], {"title": "first"}, dispatcher).status_code == 200
    response = patch(client, ticket["id"], {"title": "second"}, dispatcher, version="1")
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "conflict" and "version 2" in body["message"]
    assert response.headers["ETag"] == '"2"'
    with app.app_context():
        assert Ticket.get_by_id(ticket["id"]).title == "first"


def test_a_weak_or_bare_if_match_is_understood(client, dispatcher, ticket):
    hdrs = {**dispatcher, "If-Match": 'W/"1"'}
    response = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "w"}, headers=hdrs)
    assert response.status_code == 200


def test_a_malformed_if_match_is_422(client, dispatcher, ticket):
    response = patch(client, ticket["id"], {"title": "x"}, dispatcher, version="abc")
    assert response.status_code == 422 and "If-Match" in response.get_json()["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"priority": "asap"}, "priority"),
        ({"asset_id": 999999}, "asset_id"),
        ({"reported_at": "2999-01-01T00:00:00Z"}, "reported_at"),
        ({"status": "closed"}, "status"),
        ({"attributes": {"fault_kind": "magic"}}, "attributes.fault_kind"),
        ({"attributes": {"fault_description": ""}}, "attributes.fault_description"),
        ({"attributes": {"colour": "red"}}, "attributes.colour"),
    ],
)
def test_bad_changes_are_422_per_field_and_save_nothing(
    app, client, dispatcher, ticket, body, field
):
    response = patch(client, ticket["id"], body, dispatcher)
    assert response.status_code == 422 and field in response.get_json()["fields"]
    with app.app_context():
        assert Ticket.get_by_id(ticket["id"]).version == 1


def test_a_plugin_validate_ticket_error_on_edit_is_per_field(app, client, dispatcher):
    install = create(
        app,
        client,
        service="install",
        attributes={
            "appliance_category": "air_conditioner",
            "purchase_date": "2024-05-01",
            "install_address": "北京市朝阳区建国路 1 号",
        },
    )
    response = patch(client, install["id"], {"attributes": {"install_address": "北京"}}, dispatcher)
    assert response.status_code == 422
    assert "attributes.install_address" in response.get_json()["fields"]


def test_the_asset_may_be_taken_off(app, client, dispatcher):
    from server.models import Asset

    made = create(app, client)
    with app.app_context():
        customer = Ticket.get_by_id(made["id"]).customer_id
        asset = Asset.create(customer=customer, plugin="home_appliances", kind="x", identifier="1")
    put_on = patch(client, made["id"], {"asset_id": asset.id}, dispatcher)
    assert put_on.get_json()["asset_id"] == asset.id
    taken_off = patch(client, made["id"], {"asset_id": None}, dispatcher, version="2")
    assert taken_off.status_code == 200 and taken_off.get_json()["asset_id"] is None


def test_patching_another_technicians_ticket_is_404(app, client, ticket):
    assign(app, ticket["id"], "other")
    tech = headers(app, "technician", "tech")
    assert patch(client, ticket["id"], {"title": "x"}, tech, version="2").status_code == 404


def test_a_technician_patches_their_own_ticket(app, client, ticket):
    assign(app, ticket["id"], "tech")
    tech = headers(app, "technician", "tech")
    assert patch(client, ticket["id"], {"title": "mine"}, tech, version="2").status_code == 200


def test_patch_rights(app, client, ticket):
    tokenless = client.patch(f"/api/v1/tickets/{ticket['id']}", json={}, headers={"If-Match": "1"})
    assert tokenless.status_code == 401
    assert patch(client, 999999, {"title": "x"}, headers(app, "dispatcher")).status_code == 404


def test_a_session_patch_needs_the_csrf_token(app, login_as, ticket):
    session = login_as("dispatcher")
    refused = session.patch(
        f"/api/v1/tickets/{ticket['id']}", json={"title": "x"}, headers={"If-Match": "1"}
    )
    assert refused.status_code == 403
    done = session.patch(
        f"/api/v1/tickets/{ticket['id']}",
        json={"title": "x"},
        headers={"If-Match": "1", "X-CSRFToken": session.csrf_token()},
    )
    assert done.status_code == 200


# --- transitions ------------------------------------------------------------------------


def transition(client, ticket_id, body, hdrs):
    return client.post(f"/api/v1/tickets/{ticket_id}/transitions", json=body, headers=hdrs)


def test_a_move_answers_the_ticket_in_its_new_status(app, client, dispatcher, ticket):
    assign(app, ticket["id"])
    response = transition(client, ticket["id"], {"to": "in_progress", "note": "开工"}, dispatcher)
    assert response.status_code == 200
    assert response.get_json()["status"] == "in_progress" and response.headers["ETag"] == '"3"'
    with app.app_context():
        event = (
            TicketEvent.select()
            .where(TicketEvent.kind == "status")
            .order_by(TicketEvent.id.desc())[0]
        )
    assert event.data["note"] == "开工"


def test_a_move_the_workflow_refuses_is_422_with_the_reason(client, dispatcher, ticket):
    response = transition(client, ticket["id"], {"to": "closed"}, dispatcher)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "transition_refused" and body["fields"]["to"]


def test_a_plugin_veto_is_422_with_its_reason(app, client, dispatcher):
    # a repair resolves only with a fault description: take it away behind the API's back
    made = create(app, client)
    with app.app_context():
        ticket = Ticket.get_by_id(made["id"])
        attributes = {**ticket.attributes, "fault_description": ""}
        Ticket.update(attributes=attributes).where(Ticket.id == ticket.id).execute()
    response = transition(client, made["id"], {"to": "resolved"}, dispatcher)
    assert response.status_code == 422
    assert "fault description" in response.get_json()["message"]


def test_an_unknown_status_is_a_field_error(client, dispatcher, ticket):
    response = transition(client, ticket["id"], {"to": "flying"}, dispatcher)
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_request"
    assert "to" in response.get_json()["fields"]


def test_if_match_is_optional_but_honoured(app, client, dispatcher, ticket):
    hdrs = {**dispatcher, "If-Match": '"7"'}
    stale = transition(client, ticket["id"], {"to": "cancelled"}, hdrs)
    assert stale.status_code == 409 and stale.get_json()["error"] == "conflict"
    fresh = transition(client, ticket["id"], {"to": "cancelled"}, {**dispatcher, "If-Match": "1"})
    assert fresh.status_code == 200


def test_moving_another_technicians_ticket_is_404(app, client, ticket):
    assign(app, ticket["id"], "other")
    tech = headers(app, "technician", "tech")
    assert transition(client, ticket["id"], {"to": "in_progress"}, tech).status_code == 404


def test_a_session_move_needs_the_csrf_token(login_as, ticket):
    session = login_as("dispatcher")
    assert transition(session, ticket["id"], {"to": "cancelled"}, {}).status_code == 403


def test_resolving_a_parent_resolves_its_linked_children(app, client, dispatcher):
    from server.links import link_ticket
    from server.testing import ensure_user

    parent, child = create(app, client), create(app, client)
    for made in (parent, child):
        assign(app, made["id"])
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        link_ticket(Ticket.get_by_id(child["id"]), Ticket.get_by_id(parent["id"]), actor)
    assert transition(client, parent["id"], {"to": "resolved"}, dispatcher).status_code == 200
    with app.app_context():
        assert Ticket.get_by_id(child["id"]).status == "resolved"


# --- comments and the timeline ----------------------------------------------------------


def test_a_comment_is_201_and_on_the_timeline(app, client, dispatcher, ticket):
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/comments",
        json={"text": " 已电话联系 "},
        headers=dispatcher,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "comment" and body["data"] == {"text": "已电话联系"}
    assert body["actor"] == "dispatcher"


@pytest.mark.parametrize(
    "body", [{}, {"text": ""}, {"text": "  "}, {"text": "x" * 5001}, {"text": 5}]
)
def test_a_bad_comment_is_422(client, dispatcher, ticket, body):
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/comments", json=body, headers=dispatcher
    )
    assert response.status_code == 422 and "text" in response.get_json()["fields"]


def test_comment_rights(app, client, ticket):
    url = f"/api/v1/tickets/{ticket['id']}/comments"
    assert client.post(url, json={"text": "x"}).status_code == 401
    other_tech = headers(app, "technician", "tech")
    assert client.post(url, json={"text": "x"}, headers=other_tech).status_code == 404
    assert (
        client.post(
            "/api/v1/tickets/999999/comments",
            json={"text": "x"},
            headers=headers(app, "dispatcher"),
        ).status_code
        == 404
    )


def test_the_timeline_pages_oldest_first_without_gaps(app, client, dispatcher, ticket):
    for n in range(4):
        client.post(
            f"/api/v1/tickets/{ticket['id']}/comments", json={"text": f"c{n}"}, headers=dispatcher
        )
    with app.app_context():
        expected = [
            e.id
            for e in TicketEvent.select()
            .where(TicketEvent.ticket == ticket["id"])
            .order_by(TicketEvent.at, TicketEvent.id)
        ]
    seen, cursor = [], None
    while True:
        url = f"/api/v1/tickets/{ticket['id']}/events?limit=2" + (
            f"&cursor={cursor}" if cursor else ""
        )
        body = client.get(url, headers=dispatcher).get_json()
        seen += [event["id"] for event in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and len(seen) == 5
    first = client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=dispatcher).get_json()
    assert first["items"][0]["kind"] == "created" and first["items"][0]["actor"] == "dispatcher"


def test_timeline_rights_and_bad_cursor(app, client, dispatcher, ticket):
    url = f"/api/v1/tickets/{ticket['id']}/events"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=headers(app, "technician", "tech")).status_code == 404
    bad = client.get(url + "?cursor=WyJ4Il0", headers=dispatcher)
    assert bad.status_code == 422 and "cursor" in bad.get_json()["fields"]


def test_a_cancelled_tickets_clocks_have_no_time_left(app, client, dispatcher, ticket):
    move(app, ticket["id"], "cancelled")
    sla = client.get(f"/api/v1/tickets/{ticket['id']}", headers=dispatcher).get_json()["sla"]
    assert all(clock["time_left_seconds"] is None for clock in sla)


@pytest.mark.parametrize("ticket_id", ["0", "007", str(2**63), "9" * 25])
@pytest.mark.parametrize("method", ["PATCH", "POST", "GET"])
def test_an_id_out_of_range_is_404_whatever_the_method(client, dispatcher, ticket_id, method):
    for suffix in ("", "/transitions", "/comments", "/events"):
        response = client.open(
            f"/api/v1/tickets/{ticket_id}{suffix}", method=method, json={}, headers=dispatcher
        )
        assert response.status_code == 404, (suffix, response.status_code)
