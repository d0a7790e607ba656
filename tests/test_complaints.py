"""The complaint ledger's write path: open_complaint numbers, owns and times a complaint."""

from __future__ import annotations

import pytest

from server.complaints.categories import CATEGORIES, outcome_for
from server.complaints.ledger import ComplaintError, open_complaint
from server.complaints.models import Complaint, ComplaintStep
from server.config import ConfigError
from server.models import Customer, TicketEvent
from tests.complaints_kit import complaint_app, shanghai
from tests.conftest import add_ticket, build_app, ensure_user


@pytest.fixture
def app(tmp_path):
    return complaint_app(tmp_path)


def test_open_complaint_numbers_owns_and_times_the_record_stage(app):
    owner = ensure_user(app, "dispatcher", "dispatcher")
    # Monday 2 March 2026, 10:00 in Shanghai: 4 working hours → 15:00 (lunch 12–13 skipped).
    with app.app_context():
        customer = Customer.create(name="王先生")
        complaint = open_complaint(
            channel="phone",
            category="attitude",
            description="师傅态度差",
            owner=owner,
            customer=customer,
            now=shanghai(2, 10),
        )
        again = open_complaint(
            channel="letter",
            category="other",
            description="来函",
            owner=owner,
            now=shanghai(2, 17),
        )
        assert complaint.number == "CP-2026-000001"
        assert again.number == "CP-2026-000002"
        saved = Complaint.get_by_id(complaint.id)
        assert saved.stage == "record"
        assert saved.owner_id == owner.id
        assert saved.stage_due_at == shanghai(2, 15)
        assert saved.source == "inbound" and saved.escalation_level == 0
        assert saved.received_at == shanghai(2, 10)
        # 17:00 + 4 h: one hour on Monday, three on Tuesday from 09:00 → Tuesday 12:00.
        assert Complaint.get_by_id(again.id).stage_due_at == shanghai(3, 12)
        steps = list(ComplaintStep.select().where(ComplaintStep.complaint == complaint.id))
        assert [(s.stage, s.due_at, s.actor_id) for s in steps] == [
            ("record", shanghai(2, 15), owner.id)
        ]


def test_a_complaint_about_a_ticket_goes_on_its_timeline_with_its_customer(app):
    owner = ensure_user(app, "supervisor", "supervisor")
    staff = ensure_user(app, "tech", "technician")
    ticket = add_ticket(app)
    with app.app_context():
        complaint = open_complaint(
            channel="web",
            category="repair_failed",
            description="没修好",
            owner=owner,
            ticket=ticket,
            staff=staff,
            source="callback",
            callback_id=7,
            now=shanghai(2, 10),
        )
        saved = Complaint.get_by_id(complaint.id)
        assert saved.customer_id == ticket.customer_id
        assert saved.staff_id == staff.id and saved.callback_id == 7
        events = TicketEvent.select().where(
            (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == "complaint")
        )
        assert [e.data for e in events] == [
            {
                "complaint_id": complaint.id,
                "number": complaint.number,
                "stage": "record",
                "note": "没修好",
            }
        ]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("channel", {"channel": "fax"}),
        ("category", {"category": "nonsense"}),
        ("source", {"source": "rumour"}),
        ("description", {"description": "   "}),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(app, field, kwargs):
    owner = ensure_user(app, "dispatcher", "dispatcher")
    arguments = {"channel": "phone", "category": "other", "description": "x", "owner": owner}
    with app.app_context():
        with pytest.raises(ComplaintError) as caught:
            open_complaint(**{**arguments, **kwargs})
        assert caught.value.field == field
        assert Complaint.select().count() == 0
        assert ComplaintStep.select().count() == 0


def test_categories_map_to_the_callback_outcomes():
    assert outcome_for("attitude") == "attitude_complaint"
    assert outcome_for("repair_failed") == "first_repair_failed"
    assert outcome_for("repeated_failure") == "repeated_repair_failures"
    assert outcome_for("charges") == "inbound_complaint"
    assert {"attitude", "repair_failed", "repeated_failure"} <= set(CATEGORIES)


def test_default_limits_count_round_the_clock_when_no_calendar_is_configured(tmp_path):
    app = build_app(tmp_path)
    owner = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        complaint = open_complaint(
            channel="phone", category="other", description="x", owner=owner, now=shanghai(2, 10)
        )
        assert complaint.stage_due_at == shanghai(2, 14)


@pytest.mark.parametrize(
    ("complaints", "key"),
    [
        ({"calendar": "nowhere"}, "complaints.calendar"),
        ({"stage_hours": {"record": 0}}, "complaints.stage_hours.record"),
        ({"stage_hours": {"lunch": 1}}, "complaints.stage_hours.lunch"),
        ({"escalate_every_hours": True}, "complaints.escalate_every_hours"),
        ({"colour": "red"}, "complaints.colour"),
    ],
)
def test_bad_complaint_settings_stop_start_up_naming_the_key(tmp_path, complaints, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        build_app(tmp_path, complaints=complaints)
