"""Site readiness: dispatch waits for the confirmation a service asks for."""

from __future__ import annotations

import pytest

from server.dispatch.readiness import TicketReadiness, confirm_readiness
from server.models import Ticket, TicketEvent
from server.tickets import TransitionRefused, assign_ticket
from tests.conftest import add_ticket, ensure_user


@pytest.fixture
def install(app):
    return add_ticket(app, service="install", title="装空调")


def test_assigning_is_refused_with_the_reason_until_confirmed(app, install):
    registry = app.extensions["aftersales"].registry
    tech = ensure_user(app, "tech", "technician")
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        with pytest.raises(TransitionRefused, match="The installation site is ready"):
            assign_ticket(registry, install, install.version, tech, "", actor)
        assert Ticket.get_by_id(install.id).assignee_id is None
        confirm_readiness(install, actor, "客户已确认")
        moved = assign_ticket(registry, install, install.version, tech, "", actor)
    assert (moved.status, moved.assignee_id) == ("assigned", tech.id)


def test_the_page_asks_for_the_confirmation_and_records_it(app, install, login_as):
    client = login_as("dispatcher")
    page = client.get(f"/tickets/{install.number}").get_data(as_text=True)
    assert "Site readiness" in page and "Dispatch waits for this confirmation." in page
    response = client.form(
        f"/tickets/{install.number}/readiness", {"confirm": "y", "note": "电话确认"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert TicketReadiness.get(TicketReadiness.ticket == install.id).note == "电话确认"
        assert TicketEvent.select().where(TicketEvent.kind == "readiness_confirmed").count() == 1
    page = client.get(f"/tickets/{install.number}").get_data(as_text=True)
    assert "Confirmed by" in page and "confirmed the site readiness" in page


def test_the_box_must_be_ticked(app, install, login_as):
    response = login_as("dispatcher").form(f"/tickets/{install.number}/readiness", {"note": "x"})
    assert response.status_code == 422
    assert 'id="confirm-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert not TicketReadiness.select().exists()


def test_assigning_through_the_page_explains_the_refusal(app, install, login_as):
    tech = ensure_user(app, "tech", "technician")
    response = login_as("dispatcher").form(
        f"/tickets/{install.number}/assign",
        {
            "assignee": str(tech.id),
            "team": "",
            "version": install.version,
        },
    )
    assert response.status_code == 422
    assert "site readiness is not confirmed yet" in response.get_data(as_text=True)


def test_services_without_a_condition_have_no_readiness_step(app, login_as):
    ticket = add_ticket(app, service="repair", attributes={"serial": "AB1234"})
    client = login_as("dispatcher")
    assert "Site readiness" not in client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert client.form(f"/tickets/{ticket.number}/readiness", {"confirm": "y"}).status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("supervisor", True),
        ("dispatcher", True),
        ("technician", False),
    ],
)
def test_who_may_confirm(app, install, login_as, role, allowed):
    response = login_as(role).form(f"/tickets/{install.number}/readiness", {"confirm": "y"})
    assert (response.status_code == 303) is allowed
    assert response.status_code in ((303,) if allowed else (403,))
