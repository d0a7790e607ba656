"""Merit points from the real follow-through writers: a five-star callback recorded
through the callback form's code and an upheld complaint decided through its steps
award what the shipped kind of rules say (the awarding tests use hand-made events)."""

from __future__ import annotations

import datetime as dt

from server.catalog import current_registry
from server.complaints.ledger import open_complaint
from server.complaints.steps import finish_investigation, finish_record
from server.followup.models import Callback
from server.followup.record import CallbackAnswer, record_callback
from server.merit.awarding import award_points
from server.merit.models import MeritEntry
from server.models import Ticket, User
from server.tickets import assign_ticket, transition_ticket
from tests.conftest import add_ticket, ensure_user

RULES = [
    {
        "name": "five_star_callback",
        "event": "callback",
        "when": {"satisfaction": 5},
        "who": "assignee",
        "level": "commendation",
    },
    {
        "name": "complaint_upheld",
        "event": "complaint_upheld",
        "who": "staff",
        "level": "demerit",
        "amount": 50,
    },
]
MONDAY_10 = dt.datetime(2026, 6, 1, 2, 0)


def _entries(app) -> list[tuple[str, str, str, int]]:
    with app.app_context():
        award_points(app.extensions["aftersales"].config.merit)
        return [
            (e.user.username, e.level, e.rule, e.amount_cents)
            for e in MeritEntry.select().order_by(MeritEntry.id)
        ]


def test_a_five_star_callback_commends_the_technician_who_did_the_job(make_app):
    app = make_app(merit={"rules": RULES})
    tech = ensure_user(app, "tech", "technician")
    desk = ensure_user(app, "desk", "dispatcher")
    ticket = add_ticket(app, service="repair", attributes={"serial": "AB1234"}, now=MONDAY_10)
    with app.app_context():
        registry = current_registry()
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", desk, now=MONDAY_10)
        ticket = transition_ticket(registry, ticket, ticket.version, "resolved", tech)
        callback = Callback.get(Callback.ticket == ticket.id)
        fresh = Ticket.get_by_id(ticket.id)
        record_callback(
            registry, callback, fresh.version, CallbackAnswer(reached=True, satisfaction=5), desk
        )
        assert Ticket.get_by_id(ticket.id).status == "closed"
    assert _entries(app) == [("tech", "commendation", "five_star_callback", 0)]
    assert _entries(app) == [("tech", "commendation", "five_star_callback", 0)]  # once


def test_an_upheld_complaint_costs_the_staff_member_a_demerit_and_the_fine(make_app):
    app = make_app(merit={"rules": RULES})
    tech = ensure_user(app, "tech", "technician")
    desk = ensure_user(app, "desk", "dispatcher")
    ticket = add_ticket(app, attributes={"serial": "AB1234"})
    with app.app_context():
        complaint = open_complaint(
            channel="phone",
            category="attitude",
            description="The technician was rude",
            owner=User.get_by_id(desk.id),
            ticket=Ticket.get_by_id(ticket.id),
            staff=User.get_by_id(tech.id),
        )
        complaint = finish_record(complaint, desk, "Facts checked with the customer")
        finish_investigation(complaint, desk, True, "Confirmed by the outlet")
    assert _entries(app) == [("tech", "demerit", "complaint_upheld", -5000)]
