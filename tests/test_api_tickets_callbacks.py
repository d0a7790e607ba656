"""Callbacks through the API: a ticket's callbacks with its survey, and recording an
attempt with the callback page's own code (close, retry, reopen; conflicts)."""

from __future__ import annotations

import pytest

from server.followup.models import Callback
from server.models import Ticket
from tests.api_tickets_kit import ALL, assign, create, headers, move


@pytest.fixture
def app(make_app):
    return make_app(enabled=ALL)


@pytest.fixture
def agent(app):
    return headers(app, "dispatcher")


@pytest.fixture
def resolved(app, client):
    """A resolved repair with its pending callback: (ticket json, callback id)."""
    made = create(app, client)
    assign(app, made["id"])
    move(app, made["id"], "in_progress", "resolved")
    with app.app_context():
        callback = Callback.get(Callback.ticket == made["id"])
    return made, callback.id


def record(client, callback_id, body, hdrs):
    return client.post(f"/api/v1/callbacks/{callback_id}", json=body, headers=hdrs)


def test_a_tickets_callbacks_come_with_the_survey(client, agent, resolved):
    made, callback_id = resolved
    body = client.get(f"/api/v1/tickets/{made['id']}/callbacks", headers=agent).get_json()
    assert [item["id"] for item in body["items"]] == [callback_id]
    assert body["items"][0]["status"] == "pending" and body["items"][0]["attempts"] == 0
    assert body["survey"] and {"code", "label", "kind", "weight"} <= set(body["survey"][0])


def test_a_satisfied_customer_closes_the_ticket(app, client, agent, resolved):
    made, callback_id = resolved
    survey = client.get(f"/api/v1/tickets/{made['id']}/callbacks", headers=agent).get_json()
    answers = {q["code"]: (5 if q["kind"] == "scale" else True) for q in survey["survey"]}
    response = record(
        client, callback_id, {"reached": True, "satisfaction": 5, "answers": answers}, agent
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["callback"]["status"] == "done" and body["callback"]["outcome"] == "satisfied"
    assert body["callback"]["score"] == 100.0 and body["callback"]["agent"] == "dispatcher"
    assert body["ticket"]["status"] == "closed"
    assert response.headers["ETag"] == f'"{body["ticket"]["version"]}"'


def test_not_reached_schedules_another_try(app, client, agent, resolved):
    _made, callback_id = resolved
    response = record(client, callback_id, {"reached": False, "comment": "无人接听"}, agent)
    callback = response.get_json()["callback"]
    assert callback["status"] == "pending" and callback["attempts"] == 1
    assert callback["next_try_at"] is not None


def test_an_unsatisfied_customer_reopens_the_ticket(client, agent, resolved):
    _made, callback_id = resolved
    body = {"reached": True, "satisfaction": 2, "outcome": "first_repair_failed"}
    answer = record(client, callback_id, body, agent).get_json()
    assert answer["ticket"]["status"] == "in_progress"
    assert answer["callback"]["outcome"] == "first_repair_failed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reached"),
        ({"reached": "yes"}, "reached"),
        ({"reached": True}, "satisfaction"),
        ({"reached": True, "satisfaction": 6}, "satisfaction"),
        ({"reached": True, "satisfaction": True}, "satisfaction"),
        ({"reached": True, "satisfaction": 4, "outcome": "great"}, "outcome"),
        ({"reached": True, "satisfaction": 4, "answers": {"nope": 3}}, "answers"),
        ({"reached": True, "satisfaction": 4, "answers": {"x": 9}}, "answers.x"),
        ({"reached": False, "comment": "x" * 2001}, "comment"),
    ],
)
def test_bad_answers_are_422_per_field_and_record_nothing(
    app, client, agent, resolved, body, field
):
    _made, callback_id = resolved
    response = record(client, callback_id, body, agent)
    assert response.status_code == 422
    assert field in response.get_json()["fields"], response.get_json()
    with app.app_context():
        assert Callback.get_by_id(callback_id).attempts == 0


def test_a_survey_answer_of_the_wrong_kind_is_named_by_its_code(client, agent, resolved):
    made, callback_id = resolved
    survey = client.get(f"/api/v1/tickets/{made['id']}/callbacks", headers=agent).get_json()
    question = survey["survey"][0]
    wrong = 3 if question["kind"] == "yes_no" else True
    body = {"reached": True, "satisfaction": 4, "answers": {question["code"]: wrong}}
    response = record(client, callback_id, body, agent)
    assert response.status_code == 422
    assert f"answers.{question['code']}" in response.get_json()["fields"]


def test_a_finished_callback_is_409(client, agent, resolved):
    _made, callback_id = resolved
    assert (
        record(client, callback_id, {"reached": True, "satisfaction": 5}, agent).status_code == 200
    )
    again = record(client, callback_id, {"reached": True, "satisfaction": 5}, agent)
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"


def test_a_stale_if_match_is_409_and_records_nothing(app, client, agent, resolved):
    _made, callback_id = resolved
    hdrs = {**agent, "If-Match": '"1"'}
    response = record(client, callback_id, {"reached": True, "satisfaction": 5}, hdrs)
    assert response.status_code == 409
    with app.app_context():
        assert Callback.get_by_id(callback_id).status == "pending"


def test_callback_rights(app, client, resolved):
    made, callback_id = resolved
    body = {"reached": False}
    assert record(client, callback_id, body, {}).status_code == 401
    tech = headers(app, "technician", "tech")
    assert record(client, callback_id, body, tech).status_code == 403
    assert client.get(f"/api/v1/tickets/{made['id']}/callbacks", headers=tech).status_code == 403
    assert record(client, 999999, body, headers(app, "dispatcher")).status_code == 404
    assert (
        client.get(
            "/api/v1/tickets/999999/callbacks", headers=headers(app, "dispatcher")
        ).status_code
        == 404
    )


def test_a_session_record_needs_the_csrf_token(login_as, resolved):
    _made, callback_id = resolved
    session = login_as("dispatcher")
    assert record(session, callback_id, {"reached": False}, {}).status_code == 403
    done = record(session, callback_id, {"reached": False}, {"X-CSRFToken": session.csrf_token()})
    assert done.status_code == 200


def test_a_refused_move_is_422_and_records_nothing(app, client, agent, resolved):
    made, callback_id = resolved
    # reopening needs an assignee: take the technician off behind the API's back
    with app.app_context():
        Ticket.update(assignee=None).where(Ticket.id == made["id"]).execute()
    body = {"reached": True, "satisfaction": 1}
    response = record(client, callback_id, body, agent)
    assert response.status_code == 422 and response.get_json()["error"] == "transition_refused"
    with app.app_context():
        assert Callback.get_by_id(callback_id).attempts == 0
