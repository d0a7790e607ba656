"""The ticket state machine: every allowed and refused move, timestamps, vetoes, timeline."""

from __future__ import annotations

import itertools

import pytest

from server import workflow
from server.catalog import current_registry
from server.models import Customer, Ticket, TicketEvent
from server.tickets import (
    NewTicket,
    TransitionRefused,
    assign_ticket,
    create_ticket,
    transition_ticket,
)
from tests.conftest import ensure_user

PAIRS = [(a, b) for a, b in itertools.product(workflow.STATUSES, repeat=2) if a != b]
ALLOWED = [(a, b) for a, b in PAIRS if b in workflow.MOVES[a]]
REFUSED = [(a, b) for a, b in PAIRS if b not in workflow.MOVES[a]]


@pytest.fixture
def app(make_app):
    """Closing by hand is what these tests move; the callback rule that would refuse it
    (a repair closes only after a satisfied callback) is tested in test_callbacks.py."""
    return make_app(callbacks={"required": False})


@pytest.fixture
def actor(app):
    return ensure_user(app, "dispatcher", "dispatcher")


@pytest.fixture
def technician(app):
    return ensure_user(app, "tech", "technician")


def make_ticket(app, actor, status="new", assignee=None, serial="AB1234"):
    """A ticket put straight into ``status`` (setting up, not exercising, the workflow)."""
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        customer = Customer.create(name="客户")
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", "repair"),
            customer=customer,
            title="t",
            attributes={"serial": serial},
        )
        ticket = create_ticket(registry, new, actor, 2026)
        Ticket.update(status=status, assignee=assignee).where(Ticket.id == ticket.id).execute()
        return Ticket.get_by_id(ticket.id)


def test_every_status_has_a_row_in_the_move_table():
    assert set(workflow.MOVES) == set(workflow.STATUSES)


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_move_is_made_and_recorded(app, actor, technician, old, new):
    ticket = make_ticket(app, actor, old, assignee=technician)
    with app.app_context():
        moved = transition_ticket(current_registry(), ticket, ticket.version, new, actor, "why")
        assert (moved.status, moved.version) == (new, ticket.version + 1)
        event = TicketEvent.select().where(TicketEvent.kind == "status").get()
        assert event.data == {"old": old, "new": new, "note": "why"}
        assert event.actor_id == actor.id


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_refused_move_changes_nothing(app, actor, technician, old, new):
    ticket = make_ticket(app, actor, old, assignee=technician)
    with app.app_context(), pytest.raises(TransitionRefused, match="cannot go from"):
        transition_ticket(current_registry(), ticket, ticket.version, new, actor)
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).status == old
        assert not TicketEvent.select().where(TicketEvent.kind == "status").exists()


@pytest.mark.parametrize("new", sorted(workflow.NEEDS_ASSIGNEE & workflow.MOVES["new"]))
def test_moves_that_need_an_assignee_are_refused_without_one(app, actor, new):
    ticket = make_ticket(app, actor, "new")
    with app.app_context(), pytest.raises(TransitionRefused, match="assign the ticket"):
        transition_ticket(current_registry(), ticket, ticket.version, new, actor)


def test_unknown_status_is_refused(app, actor):
    ticket = make_ticket(app, actor)
    with app.app_context(), pytest.raises(TransitionRefused, match="unknown status"):
        transition_ticket(current_registry(), ticket, ticket.version, "exploded", actor)


def test_workflow_sets_response_arrival_resolution_and_close_times(app, actor, technician):
    ticket = make_ticket(app, actor)
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        ticket = assign_ticket(registry, ticket, ticket.version, technician, "north", actor)
        assert ticket.first_response_at is not None and ticket.status == "assigned"
        for status in ("in_progress", "on_site", "resolved", "closed"):
            ticket = transition_ticket(registry, ticket, ticket.version, status, technician)
        assert ticket.arrived_at and ticket.resolved_at and ticket.closed_at


def test_field_trip_goes_on_the_way_then_arrives(app, actor, technician):
    """assigned → on the way → on site: arrival is stamped on site, not on setting off."""
    ticket = make_ticket(app, actor, "assigned", assignee=technician)
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        ticket = transition_ticket(registry, ticket, ticket.version, "en_route", technician)
        assert ticket.status == "en_route" and ticket.arrived_at is None
        ticket = transition_ticket(registry, ticket, ticket.version, "on_site", technician)
        assert ticket.arrived_at is not None
    assert workflow.action_label("assigned", "en_route").en == "On my way"


def test_a_wasted_trip_goes_back_to_assigned(app, actor, technician):
    ticket = make_ticket(app, actor, "en_route", assignee=technician)
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        ticket = transition_ticket(
            registry, ticket, ticket.version, "assigned", technician, "nobody home"
        )
        assert ticket.status == "assigned" and ticket.arrived_at is None


def test_reopen_clears_resolution_and_close_times(app, actor, technician):
    ticket = make_ticket(app, actor, "closed", assignee=technician)
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        Ticket.update(resolved_at=ticket.created_at, closed_at=ticket.created_at).execute()
        ticket = Ticket.get_by_id(ticket.id)
        ticket = transition_ticket(registry, ticket, ticket.version, "in_progress", actor)
        assert ticket.resolved_at is None and ticket.closed_at is None


def test_first_arrival_time_is_kept_on_a_second_visit(app, actor, technician):
    ticket = make_ticket(app, actor, "in_progress", assignee=technician)
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        ticket = transition_ticket(registry, ticket, ticket.version, "on_site", technician)
        first = ticket.arrived_at
        ticket = transition_ticket(registry, ticket, ticket.version, "waiting_parts", technician)
        ticket = transition_ticket(registry, ticket, ticket.version, "on_site", technician)
        assert ticket.arrived_at == first


def test_unassigning_a_ticket_in_progress_is_refused(app, actor, technician):
    ticket = make_ticket(app, actor, "in_progress", assignee=technician)
    registry = app.extensions["aftersales"].registry
    with app.app_context(), pytest.raises(TransitionRefused, match="needs an assignee"):
        assign_ticket(registry, ticket, ticket.version, None, "", actor)


def test_plugin_veto_is_shown_on_the_page_and_nothing_moves(app, actor, technician, login_as):
    ticket = make_ticket(app, actor, "resolved", assignee=technician, serial="HOLD0000")
    client = login_as("dispatcher")
    response = client.form(
        f"/tickets/{ticket.number}/transition", {"to": "closed", "version": ticket.version}
    )
    assert response.status_code == 422
    assert "the sample plugin holds this ticket open" in response.get_data(as_text=True)
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).status == "resolved"


def test_page_shows_only_the_allowed_moves(app, actor, technician, login_as):
    ticket = make_ticket(app, actor, "waiting_parts", assignee=technician)
    page = login_as("dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    offered = {s for s in workflow.STATUSES if f'name="to" value="{s}"' in page}
    assert offered == set(workflow.MOVES["waiting_parts"])


def test_refused_move_through_the_page_explains_why(app, actor, login_as):
    ticket = make_ticket(app, actor, "new")
    client = login_as("dispatcher")
    response = client.form(
        f"/tickets/{ticket.number}/transition", {"to": "closed", "version": ticket.version}
    )
    assert response.status_code == 422
    assert "cannot go from new to closed" in response.get_data(as_text=True)


def test_move_through_the_page_without_javascript_redirects_to_the_ticket(app, actor, login_as):
    ticket = make_ticket(app, actor, "new")
    client = login_as("dispatcher")
    response = client.form(
        f"/tickets/{ticket.number}/transition", {"to": "resolved", "version": ticket.version}
    )
    assert response.status_code == 303
    assert response.location.endswith(f"/tickets/{ticket.number}")


def test_every_change_is_on_the_timeline(app, actor, technician, login_as):
    ticket = make_ticket(app, actor)
    client = login_as("dispatcher")
    client.form(
        f"/tickets/{ticket.number}/assign",
        {"assignee": str(technician.id), "team": "north", "version": ticket.version},
    )
    client.form(f"/tickets/{ticket.number}/comment", {"text": "客户已联系"})
    client.form(f"/tickets/{ticket.number}/transition", {"to": "in_progress", "version": 2})
    client.form(
        f"/tickets/{ticket.number}/edit",
        {
            "title": "new title",
            "priority": "high",
            "channel": "phone",
            "version": 3,
            "f_serial": "AB1234",
        },
    )
    with app.app_context():
        kinds = [
            e.kind
            for e in TicketEvent.select()
            .where(TicketEvent.ticket == ticket.id)
            .order_by(TicketEvent.id)
        ]
        fields = {
            e.data["field"]: (e.data["old"], e.data["new"])
            for e in TicketEvent.select().where(TicketEvent.kind == "field")
        }
    assert kinds[:5] == ["created", "assigned", "status", "comment", "status"]
    assert fields == {"title": ("t", "new title"), "priority": ("normal", "high")}
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "客户已联系" in page and "new title" in page


def test_page_hides_moves_that_need_an_assignee_until_there_is_one(app, actor, login_as):
    ticket = make_ticket(app, actor, "new")
    page = login_as("dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    offered = {s for s in workflow.STATUSES if f'name="to" value="{s}"' in page}
    assert offered == workflow.MOVES["new"] - workflow.NEEDS_ASSIGNEE
