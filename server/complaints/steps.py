"""Moving a complaint through its stages: record → investigate → act → feed back →
follow up → closed, each finished with what its form recorded.

Every move is one transaction: the complaint's stage (checked, so two people finishing
the same stage cannot both succeed), the finished step's ``done_at``, the next step with
its deadline, and the ``complaint`` (and ``complaint_upheld``) events on the ticket.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.complaints.ledger import ComplaintError, stage_deadline, ticket_event
from server.complaints.models import OPEN_STAGES, STAGES, Complaint, ComplaintStep
from server.db import write_transaction
from server.i18n import gettext
from server.models import User, utcnow

SATISFACTION = (1, 2, 3, 4, 5)
MAX_COMPENSATION_CENTS = 100_000_000


def next_stage(stage: str) -> str:
    """The stage after ``stage``."""
    return STAGES[STAGES.index(stage) + 1]


def _check_text(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ComplaintError(field, message)
    return value


def _finish(
    complaint: Complaint,
    stage: str,
    actor: User,
    note: str,
    now: dt.datetime,
    changes: dict[Any, Any],
    data: dict[str, Any],
) -> Complaint:
    """Finish ``stage`` and open the next one; refuses if the complaint moved meanwhile."""
    if complaint.stage != stage:
        raise ComplaintError(
            "stage",
            gettext(
                "%(number)s is at %(stage)s, not %(expected)s",
                number=complaint.number,
                stage=complaint.stage,
                expected=stage,
            ),
        )
    following = next_stage(stage)
    due = stage_deadline(following, now) if following in OPEN_STAGES else None
    changes.update(
        {
            Complaint.stage: following,
            Complaint.stage_due_at: due,
            Complaint.escalation_level: 0,
        }
    )
    if following == "closed":
        changes[Complaint.closed_at] = now
    with write_transaction():
        moved = (
            Complaint.update(changes)
            .where((Complaint.id == complaint.id) & (Complaint.stage == stage))
            .execute()
        )
        if moved != 1:
            raise ComplaintError(
                "stage",
                gettext("%(number)s was moved on by someone else", number=complaint.number),
            )
        step = open_step(complaint.id, stage)
        if step is None:  # defensive: every open stage has its line
            step = ComplaintStep(complaint=complaint.id, stage=stage, at=now)
        step.done_at, step.actor, step.note, step.data = now, actor, note, data
        step.save()
        ComplaintStep.create(
            complaint=complaint.id,
            stage=following,
            at=now,
            actor=actor,
            due_at=due,
            done_at=now if following == "closed" else None,
        )
        fresh = Complaint.get_by_id(complaint.id)
        ticket_event(fresh, actor, now, "complaint", stage=stage, note=note)
        if data.get("upheld"):
            ticket_event(fresh, actor, now, "complaint_upheld", staff_id=fresh.staff_id)
    return fresh


def open_step(complaint_id: int, stage: str) -> ComplaintStep | None:
    """The unfinished log line of ``stage`` (None when there is none)."""
    return (
        ComplaintStep.select()
        .where(
            (ComplaintStep.complaint == complaint_id)
            & (ComplaintStep.stage == stage)
            & (ComplaintStep.kind == "stage")
            & ComplaintStep.done_at.is_null()
        )
        .order_by(ComplaintStep.id.desc())
        .first()
    )


def finish_record(
    complaint: Complaint, actor: User, note: str, now: dt.datetime | None = None
) -> Complaint:
    """The complaint is fully recorded (facts checked with the customer): investigate next."""
    note = _check_text("note", note, gettext("say what was recorded"))
    return _finish(complaint, "record", actor, note, now or utcnow(), {}, {})


def finish_investigation(
    complaint: Complaint,
    actor: User,
    upheld: bool,
    finding: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """The investigation's decision: upheld (the firm is at fault) or not, and why."""
    finding = _check_text("finding", finding, gettext("write down what the investigation found"))
    data = {"upheld": bool(upheld)}
    changes = {Complaint.upheld: bool(upheld)}
    return _finish(complaint, "investigate", actor, finding, now or utcnow(), changes, data)


def finish_action(
    complaint: Complaint,
    actor: User,
    action: str,
    compensation_cents: int = 0,
    compensation_note: str = "",
    now: dt.datetime | None = None,
) -> Complaint:
    """What was done about it, and the compensation paid first when upheld (有责投诉先行赔付)."""
    action = _check_text("action", action, gettext("say what was done"))
    if not 0 <= compensation_cents <= MAX_COMPENSATION_CENTS:
        raise ComplaintError(
            "compensation", gettext("enter an amount between 0 and %(max)s", max=1000000)
        )
    compensation_note = (compensation_note or "").strip()
    if compensation_cents and not compensation_note:
        raise ComplaintError("compensation_note", gettext("say what the compensation is for"))
    changes = {
        Complaint.compensation_cents: compensation_cents,
        Complaint.compensation_note: compensation_note,
    }
    data = {"compensation_cents": compensation_cents, "compensation_note": compensation_note}
    return _finish(complaint, "act", actor, action, now or utcnow(), changes, data)


def finish_feedback(
    complaint: Complaint, actor: User, answer: str, now: dt.datetime | None = None
) -> Complaint:
    """How the customer was answered (有诉必回): every complaint gets one."""
    answer = _check_text("answer", answer, gettext("say how the customer was answered"))
    return _finish(complaint, "feedback", actor, answer, now or utcnow(), {}, {})


def finish_follow_up(
    complaint: Complaint,
    actor: User,
    satisfaction: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> Complaint:
    """The customer's final satisfaction (1–5); the complaint is closed."""
    if satisfaction not in SATISFACTION:
        raise ComplaintError("satisfaction", gettext("choose a satisfaction from 1 to 5"))
    note = (note or "").strip() or f"Satisfaction {satisfaction}/5"
    data = {"satisfaction": satisfaction}
    return _finish(complaint, "follow_up", actor, note, now or utcnow(), {}, data)


def reassign_owner(
    complaint: Complaint, owner: User, actor: User, now: dt.datetime | None = None
) -> Complaint:
    """Hand the complaint to another owner (a supervisor's decision), on its log."""
    if complaint.stage == "closed":
        raise ComplaintError("owner", gettext("a closed complaint keeps its owner"))
    if not owner.active or owner.role == "technician":
        raise ComplaintError("owner", gettext("choose an active admin, supervisor or dispatcher"))
    now = now or utcnow()
    with write_transaction():
        Complaint.update(owner=owner).where(Complaint.id == complaint.id).execute()
        ComplaintStep.create(
            complaint=complaint.id,
            stage=complaint.stage,
            at=now,
            actor=actor,
            kind="owner",
            note=f"Owner: {owner}",
            data={"from": complaint.owner_id, "to": owner.id},
        )
    return Complaint.get_by_id(complaint.id)


def complaint_log(complaint: Complaint) -> list[ComplaintStep]:
    """The complaint's own log, oldest first."""
    return list(
        ComplaintStep.select()
        .where(ComplaintStep.complaint == complaint.id)
        .order_by(ComplaintStep.at, ComplaintStep.id)
    )
