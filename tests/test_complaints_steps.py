"""A complaint's stages with exact working-time deadlines, and its upward escalation."""

from __future__ import annotations

import pytest

from server.complaints.escalation import escalate_overdue
from server.complaints.ledger import ComplaintError, open_complaint
from server.complaints.models import Complaint, ComplaintStep
from server.complaints.steps import (
    complaint_log,
    finish_action,
    finish_feedback,
    finish_follow_up,
    finish_investigation,
    finish_record,
    reassign_owner,
)
from server.jobs import run_sweep
from server.models import TicketEvent
from server.notifications import Notification
from tests.complaints_kit import complaint_app, shanghai
from tests.conftest import add_ticket, ensure_user


@pytest.fixture
def app(tmp_path):
    return complaint_app(tmp_path)


def _open(app, **kwargs):
    owner = kwargs.pop("owner", None) or ensure_user(app, "dispatcher", "dispatcher")
    arguments = {
        "channel": "phone",
        "category": "attitude",
        "description": "师傅态度差",
        "owner": owner,
        "now": shanghai(2, 10),
    }
    with app.app_context():
        return open_complaint(**{**arguments, **kwargs})


def _events(app, ticket, kind):
    with app.app_context():
        rows = TicketEvent.select().where(
            (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == kind)
        )
        return [e.data for e in rows.order_by(TicketEvent.id)]


def test_the_whole_stage_path_with_exact_working_time_deadlines(app):
    staff = ensure_user(app, "tech", "technician")
    ticket = add_ticket(app)
    complaint = _open(app, ticket=ticket, staff=staff)
    actor = ensure_user(app, "supervisor", "supervisor")
    with app.app_context():
        # Monday 11:00 + 16 working hours (8 a day, lunch 12–13 off) → Wednesday 11:00.
        c = finish_record(complaint, actor, "核实了来电内容", now=shanghai(2, 11))
        assert (c.stage, c.stage_due_at) == ("investigate", shanghai(4, 11))
        # Tuesday 14:00 + 24 h → Friday 14:00.
        c = finish_investigation(c, actor, True, "确有态度问题", now=shanghai(3, 14))
        assert (c.stage, c.stage_due_at, c.upheld) == ("act", shanghai(6, 14), True)
        # Friday 17:00 + 8 h → Monday 9 March 17:00 (the weekend does not count).
        c = finish_action(c, actor, "批评教育并上门道歉", 5000, "赔偿50元", now=shanghai(6, 17))
        assert (c.stage, c.stage_due_at) == ("feedback", shanghai(9, 17))
        assert (c.compensation_cents, c.compensation_note) == (5000, "赔偿50元")
        # Monday 10:00 + 24 h → Thursday 12 March 10:00.
        c = finish_feedback(c, actor, "电话告知处理结果", now=shanghai(9, 10))
        assert (c.stage, c.stage_due_at) == ("follow_up", shanghai(12, 10))
        c = finish_follow_up(c, actor, 4, "客户满意", now=shanghai(11, 9, 30))
        assert (c.stage, c.stage_due_at, c.closed_at) == ("closed", None, shanghai(11, 9, 30))
        log = [
            (s.stage, s.due_at, s.done_at, s.note) for s in complaint_log(c) if s.kind == "stage"
        ]
    assert log == [
        ("record", shanghai(2, 15), shanghai(2, 11), "核实了来电内容"),
        ("investigate", shanghai(4, 11), shanghai(3, 14), "确有态度问题"),
        ("act", shanghai(6, 14), shanghai(6, 17), "批评教育并上门道歉"),
        ("feedback", shanghai(9, 17), shanghai(9, 10), "电话告知处理结果"),
        ("follow_up", shanghai(12, 10), shanghai(11, 9, 30), "客户满意"),
        ("closed", None, shanghai(11, 9, 30), ""),
    ]
    stages = [(e["stage"], e["note"]) for e in _events(app, ticket, "complaint")]
    assert stages == [
        ("record", "师傅态度差"),
        ("record", "核实了来电内容"),
        ("investigate", "确有态度问题"),
        ("act", "批评教育并上门道歉"),
        ("feedback", "电话告知处理结果"),
        ("follow_up", "客户满意"),
    ]
    assert _events(app, ticket, "complaint_upheld") == [
        {"complaint_id": complaint.id, "number": complaint.number, "staff_id": staff.id}
    ]


def test_a_complaint_not_upheld_leaves_no_upheld_event(app):
    ticket = add_ticket(app)
    complaint = _open(app, ticket=ticket)
    actor = ensure_user(app, "supervisor", "supervisor")
    with app.app_context():
        c = finish_record(complaint, actor, "ok", now=shanghai(2, 11))
        c = finish_investigation(c, actor, False, "无责", now=shanghai(2, 12))
        assert c.upheld is False
    assert _events(app, ticket, "complaint_upheld") == []


def test_a_stage_cannot_be_finished_twice_or_out_of_turn(app):
    complaint = _open(app)
    actor = ensure_user(app, "supervisor", "supervisor")
    with app.app_context():
        finish_record(complaint, actor, "ok", now=shanghai(2, 11))
        stale = Complaint.get_by_id(complaint.id)
        with pytest.raises(ComplaintError, match="is at investigate"):
            finish_record(stale, actor, "again", now=shanghai(2, 11))
        finish_investigation(stale, actor, False, "无责", now=shanghai(2, 12))
        with pytest.raises(ComplaintError, match="moved on by someone else"):
            finish_investigation(stale, actor, True, "有责", now=shanghai(2, 12))
        assert Complaint.get_by_id(complaint.id).upheld is False


@pytest.mark.parametrize(
    ("field", "call"),
    [
        ("note", lambda c, a: finish_record(c, a, " ")),
        ("compensation", lambda c, a: finish_action(c, a, "x", -1)),
        ("compensation_note", lambda c, a: finish_action(c, a, "x", 100, "")),
        ("satisfaction", lambda c, a: finish_follow_up(c, a, 6)),
    ],
)
def test_bad_step_input_changes_nothing(app, field, call):
    complaint = _open(app)
    actor = ensure_user(app, "supervisor", "supervisor")
    with app.app_context():
        if field in ("compensation", "compensation_note", "satisfaction"):
            complaint = finish_record(complaint, actor, "ok", now=shanghai(2, 11))
            complaint = finish_investigation(complaint, actor, True, "有责", now=shanghai(2, 12))
        if field == "satisfaction":
            complaint = finish_action(complaint, actor, "x", now=shanghai(2, 13))
            complaint = finish_feedback(complaint, actor, "x", now=shanghai(2, 14))
        steps = ComplaintStep.select().count()
        with pytest.raises(ComplaintError) as caught:
            call(complaint, actor)
        assert caught.value.field == field
        assert Complaint.get_by_id(complaint.id).stage == complaint.stage
        assert ComplaintStep.select().count() == steps


def _notified(app, user):
    with app.app_context():
        return Notification.select().where(Notification.user == user.id).count()


def test_escalation_goes_up_one_level_at_a_time_each_once(app):
    owner = ensure_user(app, "dispatcher", "dispatcher")
    boss1 = ensure_user(app, "boss1", "supervisor")
    boss2 = ensure_user(app, "boss2", "supervisor")
    admin = ensure_user(app, "admin", "admin")
    complaint = _open(app, owner=owner)  # record due Monday 15:00
    with app.app_context():
        assert escalate_overdue(shanghai(2, 14, 59)) == []
        [first] = escalate_overdue(shanghai(2, 15))
        assert (first.level, first.notified) == (1, 1)
        assert escalate_overdue(shanghai(2, 15)) == []
        # Level 2: 4 working hours after Monday 15:00 → Tuesday 10:00.
        assert escalate_overdue(shanghai(3, 9, 59)) == []
        [second] = escalate_overdue(shanghai(3, 10))
        assert (second.level, second.notified) == (2, 2)
        # Level 3: another 4 hours → Tuesday 15:00.
        assert escalate_overdue(shanghai(3, 14, 59)) == []
        [third] = escalate_overdue(shanghai(3, 15))
        assert (third.level, third.notified) == (3, 1)
        assert escalate_overdue(shanghai(20, 10)) == []
        assert Complaint.get_by_id(complaint.id).escalation_level == 3
        log = [(s.at, s.data["level"]) for s in complaint_log(complaint) if s.kind == "escalation"]
    assert log == [(shanghai(2, 15), 1), (shanghai(3, 10), 2), (shanghai(3, 15), 3)]
    assert [_notified(app, u) for u in (owner, boss1, boss2, admin)] == [1, 1, 1, 1]


def test_a_late_sweep_climbs_one_level_per_run_and_a_finished_stage_starts_again(app):
    owner = ensure_user(app, "dispatcher", "dispatcher")
    ensure_user(app, "supervisor", "supervisor")
    complaint = _open(app, owner=owner)
    with app.app_context():
        assert [e.level for e in escalate_overdue(shanghai(10, 10))] == [1]
        assert [e.level for e in escalate_overdue(shanghai(10, 10))] == [2]
        c = finish_record(Complaint.get_by_id(complaint.id), owner, "ok", now=shanghai(10, 11))
        assert c.escalation_level == 0
        # investigate: 16 working hours from Tuesday 10 March 11:00 → Thursday 11:00.
        assert escalate_overdue(shanghai(12, 10, 59)) == []
        assert [(e.stage, e.level) for e in escalate_overdue(shanghai(12, 11))] == [
            ("investigate", 1)
        ]


def test_the_periodic_sweep_escalates_overdue_complaints(app):
    owner = ensure_user(app, "dispatcher", "dispatcher")
    complaint = _open(app, owner=owner)  # due in March 2026, long past
    run_sweep(app)
    with app.app_context():
        assert Complaint.get_by_id(complaint.id).escalation_level == 1
    assert _notified(app, owner) == 1


def test_a_supervisor_hands_the_complaint_to_another_owner(app):
    complaint = _open(app)
    boss = ensure_user(app, "supervisor", "supervisor")
    other = ensure_user(app, "dispatcher2", "dispatcher")
    tech = ensure_user(app, "tech", "technician")
    with app.app_context():
        with pytest.raises(ComplaintError):
            reassign_owner(complaint, tech, boss)
        c = reassign_owner(complaint, other, boss, now=shanghai(2, 11))
        assert c.owner_id == other.id
        [line] = [s for s in complaint_log(c) if s.kind == "owner"]
        assert line.actor_id == boss.id and line.data["to"] == other.id


@pytest.mark.parametrize("owner_kind", ["deactivated", "system"])
def test_level_one_tells_the_supervisors_when_the_owner_cannot_act(app, owner_kind):
    from server.models import User

    name = "gone" if owner_kind == "deactivated" else "@bot"
    owner = ensure_user(app, name, "dispatcher")
    boss = ensure_user(app, "boss1", "supervisor")
    admin = ensure_user(app, "admin", "admin")
    complaint = _open(app, owner=owner)
    with app.app_context():
        User.update(active=owner_kind == "system").where(User.id == owner.id).execute()
        [first] = escalate_overdue(shanghai(2, 15))
        assert (first.level, first.notified) == (1, 1)
        [step] = [s for s in complaint_log(complaint) if s.kind == "escalation"]
        assert step.data["to"] == "supervisor"
        assert step.data["users"] == [boss.id]
    assert [_notified(app, u) for u in (owner, boss, admin)] == [0, 1, 0]
